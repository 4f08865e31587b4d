"""Depth of the magazine: how many days of fire the interceptor stocks sustain (magazine.csv).

Days of fire = interceptors ÷ (fire units × the scenario's fire rate per fire unit per day),
per country, system and month, with Europe's totals by system and by layer. The rate is the
conflict's (``consumption.conflict.interceptors_per_fu_per_day``), used as a stated
reference rate when no conflict is simulated. Reads finished tables only.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from stockpile.scenario.distributions import central

MAGAZINE_COLUMNS = ["date", "country", "system", "layer", "fire_units", "ready_fire_units",
                    "interceptors", "loads_held", "rate_per_fu_per_day", "daily_use",
                    "days_of_fire"]
SUMMED = ["fire_units", "ready_fire_units", "interceptors", "full_loads"]
EUROPE = "Europe"
ALL_SYSTEMS = "all"


def magazine_table(stocks: pd.DataFrame, layers: Mapping[str, str | None], rate: float,
                   european: set[str], loads: Mapping[str, int] | None = None) -> pd.DataFrame:
    """``stocks``: date, country, system, fire_units, interceptors (and ready_fire_units) of
    a run's timeseries, or the mean over runs; one row per holding and month, then Europe's
    totals by system and by layer. Loads held = interceptors ÷ (fire units × combat load)."""
    frame = stocks.reindex(columns=["date", "country", "system", "fire_units",
                                    "ready_fire_units", "interceptors"], fill_value=0.0)
    frame["layer"] = frame["system"].map(lambda s: layers.get(s) or "unassigned")
    frame["full_loads"] = frame["fire_units"] * frame["system"].map(
        lambda s: (loads or {}).get(s, 0))
    ours = frame[frame["country"].isin(european)]
    by_system = ours.groupby(["date", "system", "layer"], as_index=False)[SUMMED].sum() \
        .assign(country=EUROPE)
    by_layer = ours.groupby(["date", "layer"], as_index=False)[SUMMED].sum() \
        .assign(country=EUROPE, system=ALL_SYSTEMS)
    table = pd.concat([frame, by_system, by_layer], ignore_index=True)
    full = table["full_loads"].to_numpy(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        table["loads_held"] = np.round(np.where(
            full > 0, table["interceptors"].to_numpy(np.float64) / full, np.nan), 3)
    table["rate_per_fu_per_day"] = rate
    table["daily_use"] = table["fire_units"] * rate
    use = table["daily_use"].to_numpy(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        days = np.where(use > 0, table["interceptors"].to_numpy(np.float64) / use, np.nan)
    table["days_of_fire"] = np.round(days, 2)
    return table[MAGAZINE_COLUMNS].reset_index(drop=True)


def scenario_magazine(stocks: pd.DataFrame, scenario: Mapping) -> pd.DataFrame:
    """The magazine of a scenario given as a mapping (a manifest's, or a model dump)."""
    systems = scenario.get("systems") or {}
    layers = {name: (row or {}).get("layer") for name, row in systems.items()}
    # a sampled combat load (a distribution) is read at its median, as the reference
    loads = {name: round(central((row or {}).get("combat_load", 0)))
             for name, row in systems.items()}
    conflict = ((scenario.get("consumption") or {}).get("conflict") or {})
    rate = conflict.get("interceptors_per_fu_per_day", 1.0)
    rate = central(rate)
    countries = scenario.get("countries") or {}
    defaults = scenario.get("country_defaults") or {}
    european = {iso for iso, row in countries.items()
                if ((row or {}).get("european") if (row or {}).get("european") is not None
                    else defaults.get("european", True)) is not False}
    return magazine_table(stocks, layers, rate, european, loads)


def mean_stocks(summary: pd.DataFrame, point: int) -> pd.DataFrame:
    """timeseries_summary.csv (long, one quantity a row) as the mean stocks of one point."""
    rows = summary[(summary["point"] == point) & summary["quantity"].isin(
        ["fire_units", "ready_fire_units", "interceptors"])]
    wide = rows.pivot_table(index=["date", "country", "system"], columns="quantity",
                            values="mean", aggfunc="first").reset_index()
    return wide.reindex(columns=["date", "country", "system", "fire_units",
                                 "ready_fire_units", "interceptors"], fill_value=0.0)


def runs_dry(table: pd.DataFrame) -> pd.DataFrame:
    """Per system, the first month Europe's stock is gone after having had some."""
    europe = table[(table["country"] == EUROPE) & (table["system"] != ALL_SYSTEMS)]
    found = {}
    for system, rows in europe.sort_values("date").groupby("system"):
        stock = rows["interceptors"].to_numpy(np.float64)
        had = np.maximum.accumulate(stock) >= 1.0
        empty = np.flatnonzero(had & (stock < 1.0))
        if len(empty):
            found[str(system)] = str(rows["date"].iloc[empty[0]])
    return pd.DataFrame({"system": list(found), "dry_date": list(found.values())})
