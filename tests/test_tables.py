"""Snapshots into tables: running totals differenced per period, for a set that grows."""

from __future__ import annotations

from operator import itemgetter

import numpy as np
import pytest

from stockpile.api import simulate
from stockpile.model.recording.capability import STOCK_COUNTS
from stockpile.model.recording.tables import Snapshots, per_period
from stockpile.model.streams import Streams
from stockpile.model.world import World
from stockpile.scenario import load_scenario
from stockpile.scenario.load import with_overrides
from stockpile.scenario.sampling import concretise
from stockpile.scenario.schema import Scenario


@pytest.fixture(scope="module")
def baseline() -> Scenario:
    return load_scenario("configs/baseline.yaml")


def test_per_period_differences_each_thing_from_its_own_previous_snapshot() -> None:
    snapshots = Snapshots(itemgetter(0, 1), 2)
    snapshots.take([(5, 1)])  # one thing
    snapshots.take([(7, 1), (2, 0)])  # a second appears, with 2 already done
    snapshots.take([(7, 4), (9, 3)])
    snapshot, thing = snapshots.index()
    assert snapshot.tolist() == [0, 1, 1, 2, 2]
    assert thing.tolist() == [0, 0, 1, 0, 1]
    flows = per_period(snapshots.values(np.int64), snapshot, thing)
    assert flows.tolist() == [[5, 1], [2, 0], [2, 0], [0, 3], [7, 3]]


def test_no_snapshots_make_empty_tables() -> None:
    snapshots = Snapshots(itemgetter(0), 1)
    snapshot, thing = snapshots.index()
    assert per_period(snapshots.values(np.int64), snapshot, thing).shape == (0, 1)


def test_quarterly_flows_are_the_sums_of_the_monthly_ones(baseline: Scenario) -> None:
    monthly = simulate(baseline, seed=3).timeseries
    quarterly = simulate(with_overrides(baseline, ["output.frequency=quarter"]),
                         seed=3).timeseries
    month = monthly.date.str[5:].astype(int)
    monthly = monthly.assign(quarter=monthly.date.str[:5] + (((month - 1) // 3 + 1) * 3)
                             .map("{:02d}".format))
    flows = ["delivered", "consumed", "donated", "expired", "unmet", "fire_units_delivered"]
    summed = monthly.groupby(["quarter", "country", "system"], sort=False)[flows].sum()
    got = quarterly.set_index(["date", "country", "system"])[flows]
    assert len(got) == len(summed) > 0
    assert (got.to_numpy() == summed.loc[got.index].to_numpy()).all()
    levels = ["fire_units", "interceptors", "ready_fire_units", "on_order"]
    at_close = monthly.set_index(["date", "country", "system"]).loc[got.index, levels]
    assert (quarterly.set_index(["date", "country", "system"])[levels].to_numpy()
            == at_close.to_numpy()).all()


@pytest.mark.parametrize("deterministic", [True, False])
def test_recorded_counts_are_whole_numbers(baseline: Scenario, deterministic: bool) -> None:
    """Integer tables are read with ``fromiter``, which would truncate a stray float."""
    streams = Streams(5)
    concrete, _ = concretise(baseline, lambda path: streams.rng(f"inputs:{path}"),
                             deterministic)
    world = World(concrete, 5, deterministic)
    world.run()
    for holding in world.holdings.values():
        for name in STOCK_COUNTS:
            assert type(getattr(holding, name)) is int, (holding.country, holding.system, name)
