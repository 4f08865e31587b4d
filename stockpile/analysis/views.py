"""The report's own tables, each written to report/tables/ so every quoted figure has a home.

They condense the summary tables for one design point: who contributes the capability,
what binds by year, how each production line fared, and the goal's baseline and target.
"""

from __future__ import annotations

import pandas as pd

from stockpile.analysis.derive import BINDING_SHARES


def goal_members(scenario: dict) -> set[str]:
    """The goal's countries from the manifest's resolved scenario (all, if unknown)."""
    members = (scenario.get("goal") or {}).get("members", "european")
    countries = scenario.get("countries") or {}
    if isinstance(members, list):
        return set(members)
    return {iso for iso, row in countries.items() if (row or {}).get("european") is not False}


def weights(scenario: dict) -> dict[str, float]:
    systems = scenario.get("systems") or {}
    return {key: float((row or {}).get("capability_weight", 1.0)) for key, row in systems.items()}


def contribution(ts_summary: pd.DataFrame, scenario: dict, point: int) -> pd.DataFrame:
    """Mean goal metric per goal country and month, weighted as the goal weighs it."""
    metric = (scenario.get("goal") or {}).get("metric", "ready_fire_units")
    frame = ts_summary[(ts_summary["point"] == point) & (ts_summary["quantity"] == metric)]
    members = goal_members(scenario)
    if members and frame["country"].isin(members).any():
        frame = frame[frame["country"].isin(members)]
    weight = weights(scenario)
    factor = 1.0 if metric == "interceptors" else frame["system"].map(weight).fillna(1.0)
    frame = frame.assign(value=frame["mean"] * factor)
    table = frame.groupby(["date", "country"], sort=True)["value"].sum().reset_index()
    table.insert(0, "point", point)
    return table


def binding_by_year(constraints_summary: pd.DataFrame, point: int) -> pd.DataFrame:
    """Share of country-months bound by each constraint, per calendar year."""
    frame = constraints_summary[constraints_summary["point"] == point]
    year = frame["date"].astype(str).str[:4].astype(int).rename("year")
    table = frame[BINDING_SHARES].groupby(year).mean().reset_index()
    table.insert(0, "point", point)
    return table


def line_view(production_summary: pd.DataFrame, point: int) -> pd.DataFrame:
    """Per line: capacity at start and end, peak backlog, share of months limited."""
    frame = production_summary[production_summary["point"] == point].sort_values("date")
    rows = []
    for line, group in frame.groupby("line", sort=True):
        rows.append({
            "point": point, "line": line,
            "capacity_first": group["capacity_mean"].iloc[0],
            "capacity_last": group["capacity_mean"].iloc[-1],
            "backlog_peak": group["backlog_mean"].max(),
            "backlog_peak_date": group.loc[group["backlog_mean"].idxmax(), "date"],
            "capacity_limited_share": group["capacity_limited_share"].mean(),
            "components_limited_share": group["components_limited_share"].mean(),
        })
    return pd.DataFrame(rows)


def goal_view(runs: pd.DataFrame, point: int) -> pd.DataFrame:
    """Baseline and target of a point (their median over runs: they rarely differ)."""
    frame = runs[runs["point"] == point]
    table = frame.groupby("deadline", sort=True)[["baseline", "target"]].median().reset_index()
    table.insert(0, "point", point)
    return table
