"""`make bench` on a tiny scenario with tiny sizes: the JSON it writes, not how fast it is."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from benchmarks import bench, events, variants
from benchmarks.report import KEYS, TARGETS
from stockpile.scenario import load_scenario
from tests.sweeps import quick

BASELINE = Path(__file__).resolve().parent.parent / "configs" / "baseline.yaml"
NUMBERS = ("bare_events_per_s", "model_events_per_s", "events_per_run", "run_ms",
           "cost_ratio", "runs_per_s_1job", "runs_per_s_njobs", "parallel_efficiency",
           "machine_parallel_efficiency", "peak_rss_100", "peak_rss_1000")


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One tiny bench run, read back from its JSON file."""
    folder = tmp_path_factory.mktemp("bench")
    bench.run(quick(folder), bench.TINY, jobs=2, out=folder / "bench.json")
    return json.loads((folder / "bench.json").read_text(encoding="utf-8"))


def test_every_key_is_written_documented_and_positive(written: dict) -> None:
    assert set(written) == set(KEYS)
    for key in NUMBERS:
        assert math.isfinite(written[key]) and written[key] > 0, key
    assert written["events_scheduled_per_run"] >= written["events_per_run"]
    assert 0 < written["loop_ms"] <= written["run_ms"]
    assert written["peak_rss_driver_100"] <= written["peak_rss_100"]


def test_targets_and_machine_facts(written: dict) -> None:
    assert set(written["targets"]) == set(TARGETS)
    assert all(isinstance(t["met"], bool) for t in written["targets"].values())
    assert written["machine"]["cpu_count"] >= 1
    assert written["machine"]["simpy"][0].isdigit()


def test_growth_doubles_one_dimension_per_row(written: dict) -> None:
    base, *rows = written["growth"]
    assert [r["variant"] for r in rows] == list(variants.VARIANTS)
    for row, dimension in zip(rows, ("months", "countries", "lines"), strict=True):
        assert row[dimension] == 2 * base[dimension]
        assert row["events_per_run"] > 0 and row["run_ms"] > 0


def test_counted_events_are_the_events_simpy_processes() -> None:
    """Each ticker: its start, one event per timeout, its end; no count for the empty queue."""
    with events.counting_steps() as counter:
        events.bare_run(processes=3, steps=50)
    assert counter[0] == 3 * (50 + 2)


def test_the_baseline_doubled_is_a_valid_scenario() -> None:
    scenario = load_scenario(BASELINE)
    bigger = variants.more_countries(scenario)
    assert len(bigger.countries) == 2 * len(scenario.countries)
    assert len(bigger.inventories) == 2 * len(scenario.inventories)
    assert len(variants.more_lines(scenario).lines) == 2 * len(scenario.lines)
    months = variants.size(scenario)["months"]
    assert variants.size(variants.longer(scenario))["months"] == 2 * months
