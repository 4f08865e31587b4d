"""Scenario discovery: PRIM finds planted rules and says them in words."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from stockpile.analysis.discovery import choose, discover, discovery, peel, prune
from stockpile.analysis.report.labels import input_label, input_value
from stockpile.analysis.results import load_results
from tests.report_fixtures import DEADLINES, DELAY, DOMINANT, NOISE, write_sweep


def _limits(conditions: str) -> dict[str, float]:
    """'a>=0.2; b<=15' -> {'a>=': 0.2, 'b<=': 15.0}."""
    found = {}
    for part in conditions.split("; "):
        op = ">=" if ">=" in part else "<="
        key, value = part.split(op)
        found[key + op] = float(value)
    return found


def test_prim_finds_the_planted_rule(tmp_path: Path) -> None:
    """Met iff the dominant share ≥ 0.2 and the delay ≤ 15 months (runs of both points)."""
    runs = load_results(write_sweep(tmp_path / "sweep", runs=200)).tables["runs"]
    rule = discover(runs, DEADLINES[-1], label=input_label, value=input_value)
    assert rule is not None and rule["outcome"] == "met"
    limits = _limits(rule["conditions"])
    assert set(limits) == {f"{DOMINANT}>=", f"{DELAY}<="}
    assert limits[f"{DOMINANT}>="] == pytest.approx(0.2, abs=0.01)
    assert limits[f"{DELAY}<="] == pytest.approx(15, abs=0.5)
    assert rule["density"] == 1.0 and rule["coverage"] >= 0.9
    assert 0.2 <= rule["support"] <= 0.3
    assert "Europe's share of output (sam_line) ≥ 20%" in rule["rule"]
    assert re.search(r"national contracting delay ≤ 1[45](\.\d)? months", rule["rule"])
    assert NOISE not in rule["conditions"]


def test_no_rule_where_the_outcome_never_varies(tmp_path: Path) -> None:
    runs = load_results(write_sweep(tmp_path / "sweep", runs=40)).tables["runs"]
    table = discovery(runs, list(DEADLINES))
    assert table["deadline"].tolist() == [DEADLINES[-1]]  # never met by the first deadline


def test_when_the_goal_is_mostly_met_the_rule_describes_missing_it() -> None:
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, 400)
    runs = pd.DataFrame({"point": 0, "run": range(400), "deadline": 2030, "ratio": 5 + x,
                         "met": x > 0.1, "first_met": "", "a.lead_months": x * 36,
                         "b.noise": rng.uniform(0, 1, 400)})
    rule = discover(runs, 2030, label=input_label, value=input_value)
    assert rule["outcome"] == "missed"
    longest_missed = float((x[x <= 0.1] * 36).max())  # pasting brings the limit right here
    assert _limits(rule["conditions"]) == {"a.lead_months<=": pytest.approx(longest_missed,
                                                                             rel=1e-5)}
    assert rule["density"] == 1.0 and rule["coverage"] == 1.0
    assert rule["rule"].startswith("a lead months ≤ 3")


def test_peeling_raises_density_and_pruning_drops_useless_limits() -> None:
    rng = np.random.default_rng(1)
    x = pd.DataFrame({"a": rng.uniform(0, 1, 300), "b": rng.uniform(0, 1, 300)})
    y = (x["a"] > 0.7).to_numpy()
    trajectory = peel(x, y)
    densities = [y[box.inside].mean() for box in trajectory]
    assert densities == sorted(densities)
    box = prune(x, y, choose(trajectory, y))
    assert box.restricted() == ["a"]
    assert box.limits["a"][0] == pytest.approx(0.7, abs=0.02)
