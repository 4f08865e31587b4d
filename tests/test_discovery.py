"""Scenario discovery: PRIM finds planted rules and says them in words."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from stockpile.analysis.discovery import (
    Box,
    _mask,
    choose,
    discover,
    discovery,
    peel,
    prune,
    quasi_p,
)
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


def _one_driver(seed: int, runs: int = 300) -> pd.DataFrame:
    """Met with chance 75% where the signal is above 0.5, else 15%; three inputs do nothing."""
    rng = np.random.default_rng(seed)
    signal = rng.uniform(0, 1, runs)
    frame = pd.DataFrame({"point": 0, "run": range(runs), "deadline": 2030, "ratio": 1.0,
                          "met": rng.random(runs) < np.where(signal > 0.5, 0.75, 0.15),
                          "first_met": "", "a.signal": signal})
    for i in range(3):
        frame[f"b.noise{i}"] = rng.uniform(0, 1, runs)
    return frame


def test_a_noise_input_is_not_kept_in_the_box() -> None:
    """Peeling on noisy outcomes trims noise inputs that by luck raise the density (before
    the quasi-p test, 5 of these 20 boxes kept one); pruning keeps a limit only when
    restricting it matters beyond chance."""
    rules = [discover(_one_driver(seed), 2030) for seed in range(20)]
    found = [rule for rule in rules if rule is not None]
    assert len(found) >= 19
    assert not [rule["conditions"] for rule in found if "noise" in rule["conditions"]]
    assert all(rule["conditions"].startswith("a.signal>=") for rule in found)
    assert all(rule["quasi_p"] < 0.05 for rule in found)


def test_quasi_p_matches_ema_workbench() -> None:
    """The same one-sided binomial test as EMA Workbench's PRIM, on the same box."""
    sdu = pytest.importorskip("ema_workbench.analysis.scenario_discovery_util")
    frame = _one_driver(3)
    x = frame[["a.signal", "b.noise0"]].reset_index(drop=True)
    y = frame["met"].to_numpy()
    limits = {"a.signal": (0.5, None), "b.noise0": (0.2, 0.9)}
    box = Box(limits, _mask(x, limits))
    hits, runs = int(y[box.inside].sum()), int(box.inside.sum())
    without = pd.DataFrame({"a.signal": [0.0, 1.0], "b.noise0": [0.2, 0.9]})
    assert quasi_p(x, y, box, "a.signal") == pytest.approx(
        sdu._calculate_quasip(x, y, without, hits, runs))
