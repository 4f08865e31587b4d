"""Summary tables derived from per-run tables, for folders that do not carry them.

A sweep writes summary.csv, fan.csv and the other ``*_summary.csv`` files itself; a
``stockpile run`` folder (or a sweep run without them) has only per-run tables. These
functions compute the same columns from those, so the report reads one shape. They are
also the report's own views (country contributions, constraints by year, lines).
"""

from __future__ import annotations

import pandas as pd

from stockpile.analysis.results import Results
from stockpile.analysis.summary import summarise, summarise_layers

QUANTILES = (5, 25, 50, 75, 95)
#: the sweep's names (stockpile.experiment.assemble), so a report reads one shape
BINDINGS = ("money", "capacity", "components", "none")
BINDING_SHARES = [f"{b}_share" for b in BINDINGS]
LINE_COLUMNS = ["capacity_mean", "started_mean", "backlog_mean", "capacity_limited_share",
                "components_limited_share"]
QUANTITIES = ("fire_units", "interceptors", "ready_fire_units", "on_order")


def fan_from_capability(capability: pd.DataFrame) -> pd.DataFrame:
    """fan.csv from capability.csv: the ratio's mean and quantiles across runs per month."""
    grouped = capability.groupby(["point", "date"], sort=True)["ratio"]
    frame = grouped.mean().rename("ratio_mean").to_frame()
    for q in QUANTILES:
        frame[f"ratio_p{q}"] = grouped.quantile(q / 100)
    return frame.reset_index()


def ts_summary_from(timeseries: pd.DataFrame) -> pd.DataFrame:
    """timeseries_summary.csv from timeseries.csv: mean and quantiles across runs."""
    keys = ["point", "date", "country", "system"]
    long = timeseries.melt(id_vars=keys, value_vars=list(QUANTITIES), var_name="quantity")
    grouped = long.groupby([*keys, "quantity"], sort=True)["value"]
    frame = grouped.mean().rename("mean").to_frame()
    for q in (5, 50, 95):
        frame[f"p{q}"] = grouped.quantile(q / 100)
    return frame.reset_index()


def constraints_summary_from(constraints: pd.DataFrame) -> pd.DataFrame:
    """Per point, month and country: the share of runs bound by each constraint."""
    shares = (pd.crosstab([constraints["point"], constraints["date"], constraints["country"]],
                          constraints["binding"], normalize="index")
              .reindex(columns=list(BINDINGS), fill_value=0.0))
    shares.columns = BINDING_SHARES
    return shares.reset_index().rename_axis(columns=None)


def production_summary_from(production: pd.DataFrame) -> pd.DataFrame:
    """Per point, month and line: mean capacity, starts and backlog; share of runs limited."""
    frame = pd.DataFrame({
        "point": production["point"], "date": production["date"], "line": production["line"],
        "capacity_mean": production["capacity_per_month"],
        "started_mean": production["started"], "backlog_mean": production["backlog"],
        "capacity_limited_share":
            production["limited_by"].isin(["capacity", "stopped"]).astype(float),
        "components_limited_share": (production["limited_by"] == "components").astype(float),
        "europe_capacity_mean": production["europe_capacity_per_month"]})
    return frame.groupby(["point", "date", "line"], sort=True).mean().reset_index()


def complete(results: Results) -> list[str]:
    """Add any missing summary table derivable from per-run tables; return their names."""
    tables = results.tables
    makers = {
        "summary": ("runs", lambda: summarise(tables["runs"], tables.get("points"))),
        "layers_summary": ("runs", lambda: summarise_layers(tables["runs"],
                                                            tables.get("points"))),
        "fan": ("capability", lambda: fan_from_capability(tables["capability"])),
        "timeseries_summary": ("timeseries", lambda: ts_summary_from(tables["timeseries"])),
        "constraints_summary": ("constraints",
                                lambda: constraints_summary_from(tables["constraints"])),
        "production_summary": ("production",
                               lambda: production_summary_from(tables["production"])),
    }
    derived = []
    for name, (source, make) in makers.items():
        if name not in tables and source in tables and len(tables[source]):
            tables[name] = make()
            derived.append(name)
    return derived
