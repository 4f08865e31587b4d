"""Who carries the load relative to GDP: the report's ranked table and its sentence.

The goal is collective; an analyst's next question is which members build far beyond
their economic weight and which far below it. Members are ranked by capability share ÷ GDP
share at one deadline (the last, unless ``stockpile report --deadline`` names another),
from burden.csv: a run's own values, or a sweep's medians with their 90% interval.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from stockpile.analysis.burden import PERCENTS, quantile_date, summarise_burden
from stockpile.analysis.report.document import Document
from stockpile.analysis.report.labels import listed, number, percent
from stockpile.analysis.report.narrative import Narrator, Sentence

#: burden.csv's columns the ranked table shows, in its order
SHOWN = ("burden_gdp", "gdp_share", "capability_share", "own_ratio", "gbad_idle_eur_m")
RANK = "burden_gdp_p50"


def burden_view(burden: pd.DataFrame, point: int, deadline: int) -> pd.DataFrame | None:
    """The point's members at the deadline, heaviest carrier first: median and 90% interval
    over runs (a run's own values, for one run) of the columns the report shows."""
    table = summarise_burden(burden) if "run" in burden.columns else burden
    rows = table[(table["point"] == point) & (table["deadline"] == deadline)]
    if not len(rows):
        return None
    columns = ["point", "deadline", "country", "runs",
               *(f"{m}_p{p}" for m in SHOWN for p in PERCENTS),
               *(quantile_date(p) for p in PERCENTS), "own_never_met_share"]
    return (rows[columns].sort_values(RANK, ascending=False, kind="stable", na_position="last")
            .reset_index(drop=True))


def times(x: float) -> str:
    """A burden ratio with two significant figures: 9.1×, 0.27×."""
    x = float(x)
    return f"{x:.0f}×" if x >= 10 else f"{x:.1f}×" if x >= 1 else f"{x:.2f}×"


def share(p: float) -> str:
    """A share of the members' total: two significant figures below 10%."""
    return percent(p, digits=2 if float(p) < 0.01 else 1 if float(p) < 0.1 else 0)


def carriers(n: Narrator, file: str, view: pd.DataFrame, point: int, deadline: int,
             which: str, name: Callable[[str], str] = str) -> list[Sentence]:
    """The heaviest and the lightest carrier relative to GDP, and who holds nothing."""
    holding = view[view["capability_share_p50"] > 0].dropna(subset=[RANK])
    if len(holding) < 2:
        return []
    runs = int(view["runs"].iloc[0])

    def part(country: str, members: str, their: str) -> str:
        where = {"point": point, "deadline": deadline, "country": country}
        capability = n.cite(file, "capability_share_p50", share, **where)
        gdp = n.cite(file, "gdp_share_p50", share, **where)
        ratio = n.cite(file, RANK, times, **where) + " its GDP share"
        row = n.row(file, **where)
        if runs > 1 and times(row["burden_gdp_p5"]) != times(row["burden_gdp_p95"]):
            low = n.cite(file, "burden_gdp_p5", times, **where)
            high = n.cite(file, "burden_gdp_p95", times, **where)
            ratio += f"; 90% of runs {low} to {high}"
        return (f"{name(country)}, {capability} of {members} capability on {gdp} of "
                f"{their} GDP ({ratio})")

    heavy, light = holding["country"].iloc[0], holding["country"].iloc[-1]
    none = [name(c) for c in view.loc[view["capability_share_p50"] == 0, "country"]]
    median = f"; medians over {runs:,} runs" if runs > 1 else ""
    heaviest = part(heavy, "the members'", "their")
    lightest = part(light, "the", "the")
    text = (f"Relative to GDP at the end of {deadline} ({which}{median}), the heaviest "
            f"carrier: {heaviest}; the lightest of those holding any: {lightest}")
    if none:
        held = "hold" if len(none) > 1 else "holds"
        text += f"; {listed(sorted(none))} {held} none" + (" in the median run" if runs > 1
                                                              else "")
    return [n.say(text + ".")]


def _cell(row: pd.Series, column: str, fmt: Callable[[float], str]) -> str:
    """A median with its 90% interval (one run, or runs that agree: the value alone); blank
    stays blank."""
    mid = row[f"{column}_p50"]
    if pd.isna(mid):
        return ""
    return _spread(fmt(mid), fmt(row[f"{column}_p5"]), fmt(row[f"{column}_p95"]))


def _spread(mid: str, low: str, high: str) -> str:
    return mid if low == high else f"{mid} ({low} to {high})"


def _month(row: pd.Series) -> str:
    """When the country first reached its own multiple: YYYY-MM, 'never', or no baseline."""
    if pd.isna(row["own_ratio_p50"]) and float(row["own_never_met_share"]) == 1.0:
        return "no baseline"
    low, mid, high = (row[quantile_date(p)] or "never" for p in PERCENTS)
    return _spread(mid, low, high)


def shown_table(view: pd.DataFrame, multiplier: float,
                name: Callable[[str], str] = str) -> pd.DataFrame:
    """The ranked view in words and formatted figures, for report.md and report.html."""
    rows = [{"country": name(row["country"]),
             "capability share ÷ GDP share": _cell(row, "burden_gdp", times),
             "GDP share": _cell(row, "gdp_share", share),
             "capability share": _cell(row, "capability_share", share),
             "own multiple": _cell(row, "own_ratio", lambda x: f"{float(x):.1f}×"),
             f"{multiplier:g}× own baseline first reached": _month(row),
             "idle GBAD money, EUR m": _cell(row, "gbad_idle_eur_m", number)}
            for _, row in view.iterrows()]
    return pd.DataFrame(rows)


def show(doc: Document, view: pd.DataFrame, file: str, deadline: int, which: str,
         multiplier: float, metric: str, name: Callable[[str], str] = str) -> None:
    """The ranked table under a paragraph that says what it ranks, when and how."""
    runs = int(view["runs"].iloc[0])
    spread = (f" Each cell is the median over {runs:,} runs with the 90% interval (5th to "
              "95th percentile) in brackets." if runs > 1 else "")
    other = "; stockpile report --deadline YEAR ranks at another" if "last" in which else ""
    doc.para(f"Members ranked by capability share ÷ GDP share at the end of {deadline} "
             f"({which}{other}): above 1, a country holds more of the members' capability "
             f"than its share of their GDP. Capability is the goal metric "
             f"({metric.replace('_', ' ')}, weighted and over the layers as the goal counts "
             "them); own multiple is capability ÷ the country's own baseline (blank: it held "
             "none at the start); idle GBAD money is money free or lapsed by the deadline."
             + spread
             + f" Table: {file}; per run and deadline, with defence-spending shares: "
             "burden.csv" + (" and burden_runs.csv." if runs > 1 else "."))
    doc.table(shown_table(view, multiplier, name))
