"""Goal-seek: known thresholds found by bracketing and bisection, in the model and on paper."""

from __future__ import annotations

import copy
import math
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from stockpile.analysis.goalseek import Evaluation, describe, seek, turns_down
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
    """An evaluator whose p(value) is given: met = round(runs · p)."""
    return lambda v: Evaluation(v, round(runs * min(1.0, max(0.0, p_of(v)))), runs)


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
