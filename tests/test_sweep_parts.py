"""The sweep's parts without running a model: tallies, intervals, summaries, designs, schedule."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy.stats import binomtest

from stockpile.analysis.summary import summarise, wilson
from stockpile.experiment.chunks import Chunk
from stockpile.experiment.designs import (
    DesignRequest,
    build,
    format_value,
    grid,
    parse_grid,
    parse_range,
    request_from_options,
)
from stockpile.experiment.schedule import Schedule, _missing
from stockpile.experiment.tally import Tally
from stockpile.scenario import ScenarioError


# -- tallies ---------------------------------------------------------------------------------
def test_tally_quantiles_equal_numpy_whatever_the_chunking() -> None:
    rng = np.random.default_rng(3)
    keys, values = rng.integers(0, 40, 6000), rng.integers(0, 25, 6000).astype(float)
    parts = [Tally.of(keys[a:b], values[a:b]) for a, b in ((0, 1000), (1000, 1001),
                                                           (1001, 6000))]
    once, merged = Tally.of(keys, values), Tally.merged(parts[::-1])
    for tally in (once, merged):
        stats = tally.stats()
        for i, key in enumerate(stats["key"]):
            sample = values[keys == key]
            assert stats["n"][i] == len(sample)
            assert stats["mean"][i] == pytest.approx(sample.mean())
            for q in (0.05, 0.25, 0.5, 0.75, 0.95):
                assert stats[f"p{round(q * 100)}"][i] == np.quantile(sample, q)
    assert all(np.array_equal(getattr(once, f), getattr(merged, f))
               for f in ("keys", "values", "counts"))


def test_padding_counts_missing_observations_as_zero() -> None:
    padded = Tally.of([7, 7, 9], [4.0, 6.0, 5.0]).padded(4)
    stats = padded.stats((0.5,))
    assert stats["n"].tolist() == [4, 4]
    assert stats["p50"].tolist() == [np.quantile([0, 0, 4, 6], 0.5), 0.0]


def test_shares_per_key() -> None:
    keys, shares = Tally.of([1, 1, 1, 2], [0, 2, 2, 1]).shares(3)
    assert keys.tolist() == [1, 2]
    assert shares.tolist() == [[1 / 3, 0, 2 / 3], [0, 1, 0]]


# -- intervals and summaries ----------------------------------------------------------------
@pytest.mark.parametrize(("met", "runs"), [(0, 10), (3, 10), (10, 10), (1, 1), (517, 1000)])
def test_wilson_interval_is_scipys(met: int, runs: int) -> None:
    expected = binomtest(met, runs).proportion_ci(confidence_level=0.95, method="wilson")
    assert wilson(met, runs) == (pytest.approx(expected.low), pytest.approx(expected.high))
    # and the textbook formula, as an outside check that scipy was asked the right thing
    p, z = met / runs, 1.959963984540054
    centre = (p + z * z / (2 * runs)) / (1 + z * z / runs)
    half = z * math.sqrt(p * (1 - p) / runs + z * z / (4 * runs * runs)) / (1 + z * z / runs)
    assert wilson(met, runs) == (pytest.approx(centre - half), pytest.approx(centre + half))


def test_wilson_without_runs_is_undefined() -> None:
    assert all(math.isnan(x) for x in wilson(0, 0))


def _runs(first_met: list[str], met: list[bool], ratio: list[float]) -> pd.DataFrame:
    n = len(first_met)
    return pd.DataFrame({"point": 0, "run": range(n), "deadline": 2030, "ratio": ratio,
                         "met": met, "first_met": first_met})


def test_time_quantiles_keep_runs_that_never_meet_the_goal() -> None:
    """Four of ten runs never meet it: p50 and below are dates, p75 and p95 are empty."""
    dates = ["2029-01", "2029-02", "2029-03", "2029-04", "2029-05", "2030-06"]
    frame = _runs(dates + [""] * 4, [True] * 6 + [False] * 4, [float(i) for i in range(10)])
    row = summarise(frame).iloc[0]
    assert (row.runs, row.met, row.never_met) == (10, 6, 4)
    assert row.p_met == 0.6
    assert (row.ci_low, row.ci_high) == pytest.approx(wilson(6, 10))
    assert row.first_met_p5 == "2029-01"
    assert row.first_met_p50 == "2029-05"  # the 5th of 10 ordered times
    assert row.first_met_p75 == row.first_met_p95 == ""
    assert row.never_met_share == 0.4
    assert row.ratio_p50 == np.quantile(np.arange(10.0), 0.5)


def test_summary_puts_lever_columns_after_point() -> None:
    frame = pd.concat([_runs(["2029-01"], [True], [5.0]).assign(point=p) for p in (0, 1)])
    points = pd.DataFrame({"point": [0, 1], "a.b": [0.1, 0.2]})
    summary = summarise(frame, points)
    assert list(summary.columns[:4]) == ["point", "a.b", "deadline", "runs"]
    assert summary["a.b"].tolist() == [0.1, 0.2]


# -- designs ---------------------------------------------------------------------------------
def test_grid_is_the_cartesian_product_first_lever_slowest() -> None:
    design = build(request_from_options(["a=1,2", "b=x,y,z"], [], None, 0))
    assert design.levers == ("a", "b")
    assert design.points == tuple((a, b) for a in (1, 2) for b in ("x", "y", "z"))
    assert design.overrides(4) == ["a=2", "b=y"]
    assert design.table().columns.tolist() == ["point", "a", "b"]


def test_lever_values_survive_the_trip_through_set() -> None:
    for value in (0.1, 1 / 3, 12, True, "joint", 2.5e-7):
        assert yaml.safe_load(format_value(value)) == value


def test_latin_hypercube_is_stratified_and_seeded() -> None:
    request = DesignRequest(ranges={"a": (0.0, 1.0), "b": (10.0, 20.0)}, samples=8, seed=5)
    design = build(request)
    values = np.array(design.points)
    for column, (low, high) in enumerate([(0.0, 1.0), (10.0, 20.0)]):
        strata = np.floor((values[:, column] - low) / (high - low) * 8)
        assert sorted(strata.tolist()) == list(range(8))  # one point in each eighth
    assert build(request).points == design.points
    assert build(DesignRequest(ranges=request.ranges, samples=8, seed=6)).points != design.points


def test_grid_crossed_with_lhs() -> None:
    design = build(DesignRequest(grid={"m": ["national", "joint"]}, ranges={"x": (0, 1)},
                                 samples=3, seed=1))
    assert design.levers == ("m", "x") and len(design) == 6
    assert [p[0] for p in design.points] == ["national"] * 3 + ["joint"] * 3


@pytest.mark.parametrize("bad", [["a"], ["a=1,,2"], ["=1,2"]])
def test_bad_grid_is_input_error(bad: list[str]) -> None:
    with pytest.raises(ScenarioError, match="--grid"):
        request_from_options(bad, [], None, 0)


@pytest.mark.parametrize("bad", ["a=1", "a=2:1", "a=x:2", "a=1:1"])
def test_bad_range_is_input_error(bad: str) -> None:
    with pytest.raises(ScenarioError, match="--lhs"):
        parse_range(bad)


def test_lever_given_twice_and_lhs_without_samples_are_errors() -> None:
    with pytest.raises(ScenarioError, match="more than once"):
        request_from_options(["a=1,2"], ["a=0:1"], 3, 0)
    with pytest.raises(ScenarioError, match="--samples"):
        build(DesignRequest(ranges={"a": (0, 1)}))
    assert parse_grid("k = 1, 2") == ("k", [1, 2])
    assert len(grid({})) == 1


# -- schedule --------------------------------------------------------------------------------
def test_missing_ranges() -> None:
    assert _missing(0, 10, []) == [(0, 10)]
    assert _missing(0, 10, [(0, 3), (5, 2)]) == [(3, 2), (7, 3)]
    assert _missing(10, 20, [(0, 10), (10, 10)]) == []


def _drain(schedule: Schedule, met_share: float) -> list[tuple[int, int, int]]:
    """Run a schedule to the end with every chunk meeting the goal in ``met_share`` of runs."""
    handed = []
    while (item := schedule.next()) is not None:
        handed.append(item)
        point, first, count = item
        schedule.finish(point, first, count, count, [round(count * met_share)])
    assert schedule.complete
    return handed


def test_schedule_covers_every_run_once_in_chunks() -> None:
    handed = _drain(Schedule(points=2, runs=10, batch=10, chunk=4, until_ci=None), 0.5)
    assert handed == [(0, 0, 4), (0, 4, 4), (0, 8, 2), (1, 0, 4), (1, 4, 4), (1, 8, 2)]


def test_until_ci_stops_when_the_interval_is_narrow_enough() -> None:
    """All runs meet the goal: after 20 runs Wilson's interval is [0.84, 1], width 0.16."""
    narrow = _drain(Schedule(1, runs=200, batch=20, chunk=10, until_ci=0.2), 1.0)
    assert sum(c for *_, c in narrow) == 20
    # a 50% share: width 0.219 after 80 runs, 0.196 after 100
    half = _drain(Schedule(1, runs=200, batch=20, chunk=10, until_ci=0.2), 0.5)
    assert sum(c for *_, c in half) == 100
    capped = _drain(Schedule(1, runs=200, batch=20, chunk=10, until_ci=0.05), 0.5)
    assert sum(c for *_, c in capped) == 200  # would need ~1,500 runs: stops at --runs


def test_schedule_resumes_only_missing_runs() -> None:
    done = [Chunk(0, 0, 4, 4, np.array([2])), Chunk(1, 4, 4, 4, np.array([2]))]
    schedule = Schedule(2, runs=10, batch=10, chunk=4, until_ci=None, done=done)
    assert schedule.done_runs == 8
    assert _drain(schedule, 0.5) == [(0, 4, 4), (0, 8, 2), (1, 0, 4), (1, 8, 2)]


def test_a_long_chunk_reduces_its_runs_in_parts_to_the_same_result(tiny_scenario,
                                                                   tmp_path) -> None:
    """A worker holds at most HELD_RUNS runs' tables; the parts must add up exactly to what
    one-run chunks give: the same tallies, run rows and full timeseries text."""
    from stockpile.experiment import worker
    from stockpile.experiment.chunks import ChunkTask, read_chunk
    from stockpile.scenario import load_scenario

    scenario = load_scenario(tiny_scenario)
    count = 2 * worker.HELD_RUNS + 3

    def task(first: int, runs: int) -> ChunkTask:
        return ChunkTask(0, first, runs, 11, {}, ("point", "run", "seed", "deadline", "met"),
                         "full", "")

    def run(first: int, runs: int) -> Chunk:
        path = tmp_path / f"{first}-{runs}.npz"
        path.write_bytes(worker.run_chunk(scenario, task(first, runs)).payload)
        return read_chunk(path)

    whole = run(0, count)
    singles = [run(r, 1) for r in range(count)]
    assert whole.ok == count
    for name in ("runs", "timeseries"):
        assert whole.texts[name] == "".join(c.texts[name] for c in singles)
    assert set(whole.tallies) == {"stocks", "ratio", "binding", "lines"}
    for name, tally in whole.tallies.items():
        expected = Tally.merged(c.tallies[name] for c in singles)
        for field in ("keys", "values", "counts"):
            assert np.array_equal(getattr(tally, field), getattr(expected, field)), name
