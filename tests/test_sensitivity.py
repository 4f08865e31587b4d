"""Sensitivity: a planted dominant input ranks first; SALib indices match a known model."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from stockpile.analysis.results import Results, load_results
from stockpile.analysis.sensitivity import (
    clear_effects,
    headline,
    paired,
    salib_samples,
    salib_warnings,
    sensitivity,
    spearman,
)
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


def _sobol_table(samples: int, model=None) -> tuple[pd.DataFrame, Results]:
    points, problem = sobol_points(RANGES, samples, seed=1)
    results = _salib_results("sobol", points, problem, samples=samples)
    if model is not None:
        runs = results.tables["runs"]
        x = results.tables["points"].set_index("point").loc[runs["point"], problem["names"]]
        runs["ratio"] = model(x.to_numpy())
    return sensitivity(results, [2030]), results


def test_sobol_warns_with_too_few_samples_and_not_with_enough() -> None:
    """Y = 4·x1 + x2 (S1 = ST = 16/17, 1/17, 0): 16 base samples leave intervals wider than
    the indices; 512 resolve every index (x3's, at 0, to within a tenth of the largest)."""
    few, results = _sobol_table(16)
    noise = salib_warnings(few, salib_samples(results))
    assert salib_samples(results) == 16 and "ratio" in set(noise["outcome"])
    row = noise[noise["outcome"] == "ratio"].iloc[0]
    assert row["kind"] == "sobol" and row["wide_indices"] >= 1 and row["samples"] == 16
    assert row["samples_needed"] >= 64 and math.log2(row["samples_needed"]).is_integer()
    flagged = few.set_index(["outcome", "method", "input"]).loc[
        ("ratio", row["widest_method"], row["widest_input"])]
    assert flagged["conf"] > abs(flagged["index"]) and not flagged["beyond_noise"]
    many, results = _sobol_table(512)
    assert salib_warnings(many, salib_samples(results)).empty
    assert many[many["method"] == "sobol ST"].set_index(["outcome", "input"])[
        "beyond_noise"].xs("ratio").to_dict() == {"a.x1": True, "a.x2": True, "a.x3": False}


def test_sobol_warns_on_ishigami_at_16_samples() -> None:
    from SALib.test_functions import Ishigami

    table, results = _sobol_table(16, lambda x: Ishigami.evaluate(2 * np.pi * x - np.pi))
    noise = salib_warnings(table, salib_samples(results))
    assert noise[noise["outcome"] == "ratio"]["wide_indices"].iloc[0] >= 1


def test_a_first_order_index_above_the_total_is_flagged() -> None:
    rows = pd.DataFrame({"deadline": 2030, "outcome": "ratio", "input": ["a", "a", "b", "b"],
                         "method": ["sobol S1", "sobol ST", "sobol S1", "sobol ST"],
                         "index": [0.9, 0.5, 0.30, 0.35], "conf": [0.05, 0.05, 0.02, 0.02],
                         "p_value": np.nan})
    noise = salib_warnings(rows, 64)
    assert noise["first_above_total"].tolist() == ["a"] and noise["wide_indices"].tolist() == [0]
    assert noise["samples_needed"].tolist() == [256]  # at least four times: halved intervals


def test_the_ranking_drops_a_pure_noise_input_and_keeps_a_strong_one() -> None:
    """The tornado and the sentences show only rows beyond noise; the CSV keeps every row.

    A noise input passes the test by chance in about 2.5% of sweeps (5% over two inputs;
    3.3% of 400 seeds here): of these 20 it passes in two (seeds 2 and 11, where it is drawn
    correlated with the strong input); before, the ranking showed it in all 20."""
    shown = []
    for seed in range(20):
        rng = np.random.default_rng(seed)
        strong, noise = rng.uniform(0, 1, 200), rng.uniform(0, 1, 200)
        runs = pd.DataFrame({"point": 0, "run": range(200), "deadline": 2030,
                             "ratio": strong + rng.normal(0, 0.5, 200), "met": strong > 0.5,
                             "a.strong": strong, "b.noise": noise})
        table = spearman(runs, 2030)
        method, rows = headline(table, 2030)
        assert method == "spearman" and set(rows["input"]) == {"a.strong", "b.noise"}
        shown.append(clear_effects(rows)["input"].tolist())
    assert all(inputs[0] == "a.strong" for inputs in shown)
    assert sum("b.noise" in inputs for inputs in shown) <= 2
