"""Sensitivity: a planted dominant input ranks first; SALib indices match a known model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from stockpile.analysis.results import Results, load_results
from stockpile.analysis.sensitivity import clear_effects, paired, sensitivity
from stockpile.experiment.designs import DesignRequest, build
from stockpile.experiment.salib_design import morris_points, sobol_points
from stockpile.scenario import ScenarioError
from tests.report_fixtures import DEADLINES, DELAY, DOMINANT, LEVER, NOISE, write_sweep

RANGES = {"a.x1": (0.0, 1.0), "a.x2": (0.0, 1.0), "a.x3": (0.0, 1.0)}
WEIGHTS = np.array([4.0, 1.0, 0.0])  # Y = 4·x1 + x2: S1 = 16/17, 1/17, 0 (uniform inputs)


def test_rank_correlation_puts_the_planted_driver_first(tmp_path: Path) -> None:
    results = load_results(write_sweep(tmp_path / "sweep", runs=60))
    table = sensitivity(results, list(DEADLINES))
    for deadline in DEADLINES:
        rows = table[(table["deadline"] == deadline) & (table["outcome"] == "ratio")]
        ranked = rows.sort_values("rank")["input"].tolist()
        assert ranked[0] == DOMINANT
        assert set(clear_effects(rows)["input"]) <= {DOMINANT, LEVER}
    met = table[(table["deadline"] == DEADLINES[-1]) & (table["outcome"] == "met")]
    assert set(met.nsmallest(2, "rank")["input"]) == {DOMINANT, DELAY}
    assert NOISE not in set(clear_effects(met)["input"])


def test_common_random_numbers_count_each_draw_once(tmp_path: Path) -> None:
    """Two points share run r's draws: a sampled input has one pair per run, not per row."""
    runs = load_results(write_sweep(tmp_path / "sweep", runs=30)).tables["runs"]
    at = runs[runs["deadline"] == DEADLINES[0]]
    assert len(paired(at, DOMINANT, "ratio", [LEVER])) == 30
    assert len(paired(at, LEVER, "ratio", [LEVER])) == 2


def _salib_results(kind: str, points: list[dict[str, float]], problem: dict,
                   **spec: object) -> Results:
    """A SALib sweep's tables: two runs per point with the model's output as the ratio."""
    frame = pd.DataFrame(points)
    frame.insert(0, "point", range(len(frame)))
    y = frame[problem["names"]].to_numpy() @ WEIGHTS
    runs = pd.concat([pd.DataFrame({"point": frame["point"], "run": r, "deadline": 2030,
                                    "ratio": y + 1e-6 * r, "met": y > 2.5, "first_met": ""})
                      for r in range(2)], ignore_index=True)
    design = {"kind": kind, "levers": problem["names"], "points": [],
              "spec": {"problem": problem, **spec}}
    return Results(Path("."), "sweep", {"design": design}, {"points": frame, "runs": runs})


def test_sobol_indices_match_the_linear_model() -> None:
    points, problem = sobol_points(RANGES, 512, seed=1)
    assert len(points) == 512 * (len(RANGES) + 2)
    table = sensitivity(_salib_results("sobol", points, problem), [2030])
    first = table[(table["method"] == "sobol S1") & (table["outcome"] == "ratio")]
    s1 = first.set_index("input")["index"]
    assert s1["a.x1"] == pytest.approx(16 / 17, abs=0.05)
    assert s1["a.x2"] == pytest.approx(1 / 17, abs=0.05)
    assert s1["a.x3"] == pytest.approx(0, abs=0.02)
    total = table[(table["method"] == "sobol ST") & (table["outcome"] == "ratio")]
    assert total.sort_values("rank")["input"].tolist() == ["a.x1", "a.x2", "a.x3"]


def test_morris_ranks_the_levers_by_effect() -> None:
    points, problem = morris_points(RANGES, 20, seed=1)
    assert len(points) == 20 * (len(RANGES) + 1)
    table = sensitivity(_salib_results("morris", points, problem, num_levels=4), [2030])
    mu = table[(table["method"] == "morris mu_star") & (table["outcome"] == "ratio")]
    assert mu.sort_values("rank")["input"].tolist() == ["a.x1", "a.x2", "a.x3"]
    assert mu.set_index("input").loc["a.x1", "index"] == pytest.approx(4.0)


def test_salib_designs_plug_into_the_sweep_designs() -> None:
    import stockpile.experiment.salib_design  # noqa: F401  (registers sobol and morris)

    design = build(DesignRequest(ranges=RANGES, samples=8, seed=3, method="sobol"))
    assert design.kind == "sobol" and len(design) == 8 * 5
    assert design.describe()["spec"]["problem"]["names"] == list(RANGES)
    again = build(DesignRequest(ranges=RANGES, samples=8, seed=3, method="sobol"))
    assert again.points == design.points  # the seed fixes the sample
    with pytest.raises(ScenarioError, match="needs --samples"):
        build(DesignRequest(ranges=RANGES, method="morris"))
