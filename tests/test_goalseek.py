"""Goal-seek: known thresholds found by bracketing and bisection, in the model and on paper."""

from __future__ import annotations

import copy
import json
import math
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from stockpile.analysis import precision
from stockpile.analysis.goalseek import (
    COLUMNS,
    Evaluation,
    describe,
    seek,
    turns_down,
)
from stockpile.cli import main
from stockpile.experiment.evaluate import LeverEvaluator
from stockpile.scenario.load import deep_merge
from tests.conftest import write_yaml
from tests.test_model import FLAT

SHARE = "country_defaults.gbad_share"
DELAY = "procurement.contracting_delay_months"


@pytest.fixture
def threshold_scenario(tmp_path: Path) -> Path:
    """FLAT with 10 fire units and 10 interceptors (1 ready of load 10): the goal, 2×, needs
    10 more interceptors by December 2025.

    GBAD money is 1,000·g EUR m a year and an interceptor costs 1, so January's decision
    buys floor(1,000·g) of the 90 missing: met in 2025 iff g ≥ 0.01. With g = 0.1 all 90
    are bought; signed after d months they arrive 8 a month from month d + 3, so 10 are in
    by month 11 iff d ≤ 7: met iff round(d) ≤ 7, i.e. d < 7.5.
    """
    data = deep_merge(copy.deepcopy(FLAT), {
        "time": {"end": "2026-12"}, "goal": {"deadlines": [2025, 2026]},
        "inventories": {"AAA": {"sam": {"fire_units": 10, "loads_per_fire_unit": 0.1}}}})
    return write_yaml(tmp_path / "threshold.yaml", data)


def fake(p_of: callable, runs: int = 1000):
    """An evaluator whose p(value) is known exactly: met = round(runs · p), no noise."""
    return lambda v: Evaluation(v, round(runs * min(1.0, max(0.0, p_of(v)))), runs,
                                exact=True)


def test_bisection_finds_a_known_edge() -> None:
    result = seek(fake(lambda v: (v - 0.3) / 0.2), 0.0, 1.0, prob=0.5, tol=0.001)
    assert result.status == "found" and not result.decreasing
    assert result.answer == pytest.approx(0.4, abs=0.001)
    low, high = result.bracket
    assert low <= 0.4 <= high + 1e-9 and high - low <= 0.001
    assert result.at(result.answer).p >= 0.5 and result.failing_side.p < 0.5


def test_direction_is_read_from_the_range_ends() -> None:
    result = seek(fake(lambda v: (30 - v) / 10), 0, 40, prob=0.5, integer=True)
    assert result.decreasing and result.answer == 25 and result.bracket == (25, 26)
    assert "largest value" in describe(result, "lead", 2030)[0]


def test_no_value_and_every_value_are_said_plainly() -> None:
    none = seek(fake(lambda v: 0.2 * v), 0.0, 1.0, prob=0.5)
    assert none.status == "none" and none.answer is None
    assert describe(none, "share", 2035)[0].startswith("No value of share in 0..1 gives")
    every = seek(fake(lambda v: 0.9), 0.2, 1.0, prob=0.5)
    assert every.status == "whole range" and every.answer == 0.2
    assert "Widen --range" in describe(every, "share", 2035)[0]


def test_a_response_that_turns_down_is_bracketed_on_its_rise_and_reported() -> None:
    """More money than industry can absorb: p rises, then falls (seen in the baseline)."""
    result = seek(fake(lambda v: 1 - abs(v - 0.3) * 4), 0.0, 1.0, prob=0.5, tol=0.001)
    assert result.answer == pytest.approx(0.175, abs=0.002)
    assert turns_down(result).p < 0.5
    assert any("not monotone" in line for line in describe(result, "share", 2035))


def test_model_threshold_on_the_gbad_share(threshold_scenario: Path) -> None:
    evaluate = LeverEvaluator(threshold_scenario, SHARE, 2025, deterministic=True)
    result = seek(evaluate, 0.0, 0.05, prob=1.0, tol=1e-5)
    assert result.status == "found" and not result.decreasing
    assert result.answer == pytest.approx(0.01, abs=1e-5)
    assert result.at(result.answer).ratio == 2.0


def test_model_threshold_on_a_delay_where_more_is_worse(threshold_scenario: Path) -> None:
    evaluate = LeverEvaluator(threshold_scenario, DELAY, 2025, deterministic=True,
                              overrides=[f"{SHARE}=0.1"])
    result = seek(evaluate, 0.0, 12.0, prob=1.0, tol=0.01)
    assert result.decreasing
    assert result.answer == pytest.approx(7.5, abs=0.01) and result.answer < 7.5


def test_parallel_runs_equal_sequential_runs(tiny_scenario: Path) -> None:
    with LeverEvaluator(tiny_scenario, SHARE, 2030, runs=4, seed=5, jobs=2) as parallel:
        two = parallel(0.2)
    one = LeverEvaluator(tiny_scenario, SHARE, 2030, runs=4, seed=5)(0.2)
    assert (two.met, two.runs) == (one.met, one.runs)
    assert math.isclose(two.ratio, one.ratio)


def test_goal_seek_command(threshold_scenario: Path, tmp_path: Path) -> None:
    out = tmp_path / "seek"
    result = CliRunner().invoke(main, [
        "goal-seek", str(threshold_scenario), "--lever", SHARE, "--deadline", "2025",
        "--prob", "1", "--range", "0:0.05", "--tol", "0.0001", "--deterministic",
        "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    assert f"{SHARE} = 0.01" in result.output and "smallest value" in result.output
    tried = pd.read_csv(out / "goalseek.csv")
    assert {"lever_value", "runs", "met", "p_met", "ci_low", "ci_high"} <= set(tried.columns)
    bad = CliRunner().invoke(main, ["goal-seek", str(threshold_scenario), "--lever", DELAY,
                                    "--deadline", "2025", "--prob", "0.5"])
    assert bad.exit_code == 2 and "--range" in bad.output


def test_goal_seek_in_a_subprocess(threshold_scenario: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "stockpile", "goal-seek", str(threshold_scenario), "--lever",
         DELAY, "--deadline", "2025", "--prob", "0.9", "--range", "0:12", "--runs", "3",
         "--set", f"{SHARE}=0.1"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "largest value" in done.stdout


def test_unknown_lever_is_one_line_with_a_suggestion(threshold_scenario: Path) -> None:
    result = CliRunner().invoke(main, ["goal-seek", str(threshold_scenario), "--lever",
                                       "country_defaults.gbad_shar", "--deadline", "2026",
                                       "--prob", "0.5"])
    assert result.exit_code == 2
    assert result.stderr.strip() == ("--lever: country_defaults.gbad_shar: unknown key "
                                     "'country_defaults.gbad_shar' (did you mean "
                                     "'gbad_share'?)")


# How sure the search is: a noisy toy with a known edge, paired runs, exact tests.

def logistic_toy(edge: float, prob: float, runs: int, seed: int, scale: float = 0.05):
    """p(x) logistic with p(edge) = prob; run r meets the goal at x iff u_r < p(x), with
    u_r drawn once per repetition (common random numbers: the same runs at every x)."""
    u = np.random.default_rng(seed).random(runs)
    centre = edge - scale * math.log(prob / (1 - prob))

    def evaluate(x: float) -> Evaluation:
        outcomes = tuple(bool(v) for v in u < 1 / (1 + math.exp(-(x - centre) / scale)))
        return Evaluation(x, sum(outcomes), runs, outcomes=outcomes)

    return evaluate


def _intervals(runs: int, repetitions: int, prob: float = 0.5) -> list[tuple[float, float]]:
    return [seek(logistic_toy(0.3, prob, runs, seed), 0.0, 1.0, prob).supported
            for seed in range(repetitions)]


def test_the_supported_interval_holds_the_true_edge() -> None:
    """95% intervals: at least 90 of 100 repetitions hold the edge (about 97 expected)."""
    for runs, prob in ((20, 0.5), (40, 0.8)):
        held = sum(low <= 0.3 <= high for low, high in _intervals(runs, 100, prob))
        assert held >= 90, (runs, prob, held)


def test_the_supported_interval_narrows_as_runs_grow() -> None:
    widths = {runs: float(np.median([high - low for low, high in _intervals(runs, 30)]))
              for runs in (20, 80, 320)}
    assert widths[80] < 0.75 * widths[20] and widths[320] < 0.75 * widths[80]


def test_bisection_stops_where_the_runs_cannot_tell_the_ends_apart() -> None:
    """20 runs: the old search bisected to 1% of the range; now it stops once the bracket's
    ends differ in too few runs for a paired test, and says how many runs would help."""
    result = seek(logistic_toy(0.3, 0.5, 20, seed=1), 0.05, 0.5, 0.5)
    fails, meets = result.failing_side, result.at(result.answer)
    assert not fails.distinguishable(meets)
    assert result.bracket[1] - result.bracket[0] > 0.01
    low, high = result.supported
    assert low <= result.bracket[0] and result.bracket[1] <= high and result.ends_shown == (
        True, True)
    assert result.at(low).side(0.5) == "below" and result.at(high).side(0.5) == "above"
    assert result.runs_to_halve == 72
    text = describe(result, "share", 2032)
    assert text[0].startswith("share ≈ 0.3") and "(best estimate)" in text[0]
    assert text[1].startswith("  the edge lies between 0.21 and 0.34 (95%): 20 runs per value "
                              "cannot separate values closer than this")  # rounded outwards
    assert "about 72 runs per value would halve it" in text[1]


def test_tol_still_bounds_the_precision_of_a_noisy_search() -> None:
    result = seek(logistic_toy(0.3, 0.5, 4000, seed=2), 0.0, 1.0, 0.5, tol=0.002)
    assert result.bracket[1] - result.bracket[0] <= 0.002
    assert result.supported[1] - result.supported[0] < 0.05


def test_a_side_the_runs_cannot_show_leaves_the_range_end_open() -> None:
    """P = 95% with 20 runs: even 20 of 20 cannot show p > 95% (that takes 72 runs)."""
    result = seek(logistic_toy(0.3, 0.95, 20, seed=3), 0.0, 1.0, 0.95)
    assert result.status == "found" and result.ends_shown == (True, False)
    assert result.supported[1] == 1.0 and result.runs_to_halve == 72
    assert "cannot show p > 95% (that takes at least 72 runs per value)" in "\n".join(
        describe(result, "share", 2032))


def test_deterministic_search_keeps_plain_bisection() -> None:
    result = seek(fake(lambda v: float(v >= 0.4123)), 0.0, 1.0, prob=1.0, tol=1e-4)
    assert result.exact and result.bracket[1] - result.bracket[0] <= 1e-4
    assert result.supported == result.bracket and result.runs_to_halve is None
    assert result.answer == pytest.approx(0.4123, abs=1e-4) and result.answer >= 0.4123
    assert describe(result, "share", 2030)[0].startswith("share = 0.412")


def test_a_decreasing_lever_orders_its_interval_by_value() -> None:
    """More is worse: the runs show p < P at the high end of the interval."""
    toy = logistic_toy(-0.3, 0.5, 40, seed=4)
    result = seek(lambda v: replace(toy(-v), value=v), 0.0, 1.0, 0.5)
    assert result.decreasing and result.supported[0] < 0.3 < result.supported[1]
    assert result.at(result.supported[1]).side(0.5) == "below"


def test_paired_test_matches_statsmodels_exact_mcnemar() -> None:
    from statsmodels.stats.contingency_tables import mcnemar

    rng = np.random.default_rng(5)
    for _ in range(20):
        a, b = rng.random(30) < rng.random(), rng.random(30) < rng.random()
        table = [[int((a & b).sum()), int((a & ~b).sum())],
                 [int((~a & b).sum()), int((~a & ~b).sum())]]
        assert precision.paired_p_value(a, b) == pytest.approx(
            mcnemar(table, exact=True).pvalue)


def test_resolvable_span_matches_binomial_tests_count_by_count() -> None:
    """The quantile shortcut against binomtest on every count (alpha 2.5% a side)."""
    from scipy.stats import binomtest

    for runs, prob in ((20, 0.5), (37, 0.8), (100, 0.9), (120, 0.1)):
        below = [k for k in range(runs + 1)
                 if binomtest(k, runs, prob, alternative="less").pvalue < 0.025]
        above = [k for k in range(runs + 1)
                 if binomtest(k, runs, prob, alternative="greater").pvalue < 0.025]
        assert precision.resolvable_span(runs, prob) == pytest.approx(
            (min(above) - max(below)) / runs)
        assert [precision.side(k, runs, prob) for k in (max(below), min(above))] == [
            "below", "above"]
    assert precision.resolvable_span(20, 0.95) == math.inf
    assert precision.runs_to_halve(20, 1.0) is None


def test_runs_are_returned_in_run_order_for_paired_tests(tiny_scenario: Path) -> None:
    with LeverEvaluator(tiny_scenario, SHARE, 2030, runs=5, seed=5, jobs=2) as parallel:
        two = parallel(0.2)
    one = LeverEvaluator(tiny_scenario, SHARE, 2030, runs=5, seed=5)(0.2)
    assert two.outcomes == one.outcomes and len(one.outcomes) == 5
    assert not one.exact
    assert LeverEvaluator(tiny_scenario, SHARE, 2030, deterministic=True)(0.2).exact


def test_goal_seek_writes_its_tests_and_interval(threshold_scenario: Path,
                                                 tmp_path: Path) -> None:
    """Every run the same (no sampled inputs): 8 runs per value are enough to show sides."""
    out = tmp_path / "noisy"
    result = CliRunner().invoke(main, [
        "goal-seek", str(threshold_scenario), "--lever", SHARE, "--deadline", "2025",
        "--prob", "0.5", "--range", "0:0.05", "--runs", "8", "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    assert "the edge lies between 0.009" in result.output and "(95%)" in result.output
    tried = pd.read_csv(out / "goalseek.csv")
    assert list(tried.columns) == ["lever", *COLUMNS]
    assert set(tried["side"]) == {"below", "above"}
    assert tried["role"].fillna("").str.contains("answer").sum() == 1
    made = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    low, high = made["supported"]
    assert low < 0.01 <= high and made["supported_ends_shown"] == [True, True]
    assert made["runs_to_halve"] > 8 and made["level"] == 0.95
