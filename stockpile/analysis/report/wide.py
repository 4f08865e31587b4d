"""Wide views for the workbook: the pivots a spreadsheet user would otherwise build by hand.

Long tables (one row per point, date, country, ...) are what CSV readers and pandas want;
a minister's aide wants a country per row and a deadline per column. These views are made
from tables the report already has, so every cell can be found in a CSV too.
"""

from __future__ import annotations

import pandas as pd


def deadline_month(deadline: int) -> str:
    """Deadlines are judged at the close of December (see records.COLUMNS['deadline'])."""
    return f"{int(deadline)}-12"


def capability_by_country(contribution: pd.DataFrame, deadlines: list[int]) -> pd.DataFrame:
    """Point and country per row, one column per deadline: the goal metric at its close."""
    months = {deadline_month(d): str(d) for d in deadlines}
    rows = contribution[contribution["date"].astype(str).isin(months)]
    if rows.empty:
        return pd.DataFrame()
    table = rows.assign(deadline=rows["date"].astype(str).map(months)).pivot_table(
        index=["point", "country"], columns="deadline", values="value", aggfunc="sum")
    table = table.reindex(columns=[c for c in months.values() if c in table.columns])
    return table.reset_index().rename_axis(columns=None)


def europe_by_layer(magazine: pd.DataFrame, deadlines: list[int], column: str) -> pd.DataFrame:
    """Layer per row, one column per deadline: Europe's total of a magazine column."""
    months = {deadline_month(d): str(d) for d in deadlines}
    rows = magazine[(magazine["country"] == "Europe") & (magazine["system"] == "all")
                    & magazine["date"].astype(str).isin(months)]
    if rows.empty:
        return pd.DataFrame()
    table = rows.assign(deadline=rows["date"].astype(str).map(months)).pivot_table(
        index="layer", columns="deadline", values=column, aggfunc="sum")
    table = table.reindex(columns=[c for c in months.values() if c in table.columns])
    return table.reset_index().rename_axis(columns=None)


def p_met_by_deadline(summary: pd.DataFrame) -> pd.DataFrame:
    """Point (and its lever values) per row, one column per deadline: the share met."""
    keys = [c for c in summary.columns if c == "point" or "." in c]
    table = summary.pivot_table(index=keys, columns="deadline", values="p_met")
    table.columns = [str(c) for c in table.columns]
    return table.reset_index()


#: sheet name -> what a year column means in it
MEANINGS = {
    "capability_by_country": "goal metric of the country at the close of this deadline year "
                             "(mean over runs, weighted as the goal weighs it; "
                             "from the contribution table)",
    "p_met_by_deadline": "share of runs meeting the goal by this deadline (from summary)",
    "ready_by_layer": "Europe's ready fire units of the layer at the close of this deadline "
                      "year, unweighted (mean stocks where there are several runs; from "
                      "magazine.csv)",
    "days_of_fire_by_layer": "days of fire Europe's stocks of the layer sustain at the close "
                             "of this deadline year (from magazine.csv)",
}


def wide_views(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Every wide view the tables allow, by sheet name."""
    views = {}
    summary = tables.get("summary")
    if summary is not None and len(summary) and "p_met" in summary:
        views["p_met_by_deadline"] = p_met_by_deadline(summary)
        contribution = tables.get("contribution")
        if contribution is not None and len(contribution):
            deadlines = sorted(int(d) for d in summary["deadline"].unique())
            views["capability_by_country"] = capability_by_country(contribution, deadlines)
        magazine = tables.get("magazine")
        if magazine is not None and len(magazine):
            deadlines = sorted(int(d) for d in summary["deadline"].unique())
            views["ready_by_layer"] = europe_by_layer(magazine, deadlines, "ready_fire_units")
            views["days_of_fire_by_layer"] = europe_by_layer(magazine, deadlines,
                                                             "days_of_fire")
    return {name: frame for name, frame in views.items() if len(frame)}
