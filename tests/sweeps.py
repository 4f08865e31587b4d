"""Helpers shared by the sweep tests: a quick stochastic scenario and folder comparison."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from stockpile.scenario.load import deep_merge
from tests.conftest import TINY, write_yaml

#: the tiny scenario over three years, with two uncertain inputs; ~40% of runs meet the goal
#: in 2027 and none in 2026, depending on the contracting delay drawn (a few ms a run)
QUICK: dict[str, Any] = deep_merge(copy.deepcopy(TINY), {
    "name": "quick",
    "time": {"end": "2027-12"},
    "goal": {"deadlines": [2026, 2027], "multiplier": 1.5},
    "country_defaults": {"gbad_share": 0.2},
    "procurement": {"contracting_delay_months": {"dist": "uniform", "loc": 3, "scale": 18}},
    "economy": {"defence_inflation": {"dist": "uniform", "loc": 0.0, "scale": 0.05}},
})
LEVER = "country_defaults.gbad_share=0.1,0.2"
FINAL_FILES = ("runs.csv", "summary.csv", "points.csv", "failures.csv", "fan.csv",
               "timeseries_summary.csv", "constraints_summary.csv", "production_summary.csv",
               "burden.csv", "burden_runs.csv")


def quick(folder: Path, **changes: Any) -> Path:
    """QUICK (with changes merged in) written as folder/quick.yaml."""
    return write_yaml(folder / "quick.yaml", deep_merge(copy.deepcopy(QUICK), changes))


def assert_same_files(a: Path, b: Path, names: tuple[str, ...] = FINAL_FILES) -> None:
    """Byte-identical result files (the manifest differs in its times and command)."""
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    extra = {p.name for p in a.iterdir()} ^ {p.name for p in b.iterdir()}
    assert not extra, extra
