"""The report of a compare folder: two sides (two sides, or two scenarios) and their difference.

``stockpile compare`` runs the same worlds (run r has one seed on both sides) and writes
compare.csv (per deadline: each side's P(met), the paired difference with its Newcombe
interval, mean ratios and their paired t interval, the paired differences of deliveries,
donations, fire and money) and runs.csv (both sides' runs, a ``scenario`` column first).
Pooling the sides would mix two policies, so this report keeps them apart: both sides per
deadline, the difference with its interval, and where it comes from (the pairs that only
one side carries over the line; launchers against missiles; what was delivered and spent).
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from stockpile.analysis.report import plots
from stockpile.analysis.report.appendix import LINK, write_appendix
from stockpile.analysis.report.document import Document
from stockpile.analysis.report.labels import month, number, percent, ratio
from stockpile.analysis.report.narrative import Narrator, Sentence, facts_table
from stockpile.analysis.report.sections import uninformative_odds
from stockpile.analysis.report.workbook import write_workbook
from stockpile.analysis.results import REPORT_DIR, Results
from stockpile.analysis.summary import summarise
from stockpile.experiment.output import write_csv

COMPARE = "compare.csv"
RUNS = "runs.csv"
SIDES = f"{REPORT_DIR}/tables/sides.csv"
PAIRS = f"{REPORT_DIR}/tables/pairs.csv"


def points(value: float) -> str:
    """0.1 -> '+10 points' (percentage points, a typographic minus)."""
    if value is None or math.isnan(float(value)):
        return "n/a"
    shown = round(100 * float(value))
    return "0 points" if shown == 0 else f"{shown:+d} points".replace("-", "\u2212")


def signed(value: float) -> str:
    if value is None or math.isnan(float(value)):
        return "n/a"
    return f"{float(value):+.2f}".replace("-", "\u2212")


def _diff(group: pd.DataFrame, column: str, sides: tuple[str, str]) -> float:
    wide = group.pivot(index="run", columns="scenario", values=column).astype(float)
    return float((wide[sides[1]] - wide[sides[0]]).mean())


def pairs_table(runs: pd.DataFrame, sides: tuple[str, str]) -> pd.DataFrame:
    """Per deadline, how the paired runs split (met on both sides, one, neither), and the
    mean paired difference in fielded fire units beside the goal metric."""
    first, second = sides
    rows = []
    for deadline, group in runs.groupby("deadline", sort=True):
        met = group.pivot(index="run", columns="scenario", values="met").astype(bool)
        a, b = met[first], met[second]
        row = {"deadline": int(deadline), "runs": len(met), "both_met": int((a & b).sum()),
               f"only_{first}": int((a & ~b).sum()), f"only_{second}": int((~a & b).sum()),
               "neither": int((~a & ~b).sum()), "value_diff": _diff(group, "value", sides)}
        if "fielded_value" in group:
            row["fielded_value_diff"] = _diff(group, "fielded_value", sides)
        rows.append(row)
    return pd.DataFrame(rows)


def sides_table(runs: pd.DataFrame, sides: tuple[str, str]) -> pd.DataFrame:
    """Each side's own summary (Wilson intervals, ratio and first-met quantiles)."""
    frames = [summarise(runs[runs["scenario"] == m].drop(columns="scenario")).assign(scenario=m)
              for m in sides]
    table = pd.concat(frames, ignore_index=True)
    return table[["scenario", *[c for c in table.columns if c != "scenario"]]]


def _chances(n: Narrator, sides: tuple[str, str], where: dict) -> tuple[str, str, str]:
    """Each side's chance of meeting the goal, and the paired difference, cited."""
    first, second = sides
    return (n.cite(COMPARE, f"p_met_{first}", percent, **where),
            n.cite(COMPARE, f"p_met_{second}", percent, **where),
            n.cite(COMPARE, "diff", points, **where))


def headline(n: Narrator, sides: tuple[str, str], deadline: int) -> Sentence:
    first, second = sides
    where = {"deadline": deadline}
    p1, p2, diff = _chances(n, sides, where)
    runs = n.cite(COMPARE, "runs", number, **where)
    return n.say(f"{second.capitalize()} against {first}: by the end of {deadline} the goal is "
                 f"met in {p2} against {p1} of {runs} paired runs, a difference of {diff}"
                 f"{_interval(n, 'ci_low', 'ci_high', points, where)}.")


def _interval(n: Narrator, low: str, high: str, fmt, where: dict) -> str:
    if math.isnan(float(n.row(COMPARE, **where)[low])):
        return " (one run per side: no interval)"
    return f" (95% interval {n.cite(COMPARE, low, fmt, **where)} to " \
           f"{n.cite(COMPARE, high, fmt, **where)})"


def per_deadline(n: Narrator, sides: tuple[str, str], deadline: int) -> Sentence:
    first, second = sides
    where = {"deadline": deadline}
    p1, p2, diff = _chances(n, sides, where)
    odds = _interval(n, "ci_low", "ci_high", points, where)
    r1 = n.cite(COMPARE, f"mean_ratio_{first}", ratio, **where)
    r2 = n.cite(COMPARE, f"mean_ratio_{second}", ratio, **where)
    rd = n.cite(COMPARE, "ratio_diff", signed, **where)
    spread = _interval(n, "ratio_ci_low", "ratio_ci_high", signed, where)
    return n.say(f"By the end of {deadline} the goal is met in {p1} of runs under {first} and "
                 f"{p2} under {second}: {diff}{odds}. The mean run reaches {r1} the baseline "
                 f"under {first} and {r2} under {second}, a paired difference of {rd}{spread}.")


def sources(n: Narrator, sides: tuple[str, str], deadline: int, metric: str) -> list[Sentence]:
    """Where the difference comes from: the discordant pairs, and launchers or missiles."""
    first, second = sides
    where = {"deadline": deadline}
    only2 = n.cite(PAIRS, f"only_{second}", number, **where)
    only1 = n.cite(PAIRS, f"only_{first}", number, **where)
    both = n.cite(PAIRS, "both_met", number, **where)
    neither = n.cite(PAIRS, "neither", number, **where)
    out = [n.say(f"By the end of {deadline}, {only2} worlds meet the goal only under {second} "
                 f"and {only1} only under {first} ({both} under both, {neither} under neither): "
                 "each pair is the same world (the same draws, stoppages and conflict) under "
                 "the two sides, so the difference in the chance of meeting the goal is the "
                 "balance of these pairs alone.")]
    row = n.row(PAIRS, **where)
    value = n.cite(PAIRS, "value_diff", signed, **where)
    what = metric.replace("_", " ")
    said = (f"By then, on the mean pair, the goal's countries hold {value} weighted {what} "
            f"under {second} compared with {first}")
    if "fielded_value_diff" in row and not pd.isna(row["fielded_value_diff"]):
        fielded = n.cite(PAIRS, "fielded_value_diff", signed, **where)
        larger = abs(row["value_diff"]) > abs(row["fielded_value_diff"])
        said += (f", and field {fielded} weighted fire units whatever their stocks: most of "
                 "the difference is " + ("in interceptors (loads for the fire units), not "
                                         "launchers" if larger else "in launchers") + ".")
    out.append(n.say(said if said.endswith(".") else said + "."))
    return out


def flows(n: Narrator, sides: tuple[str, str], deadline: int) -> Sentence:
    """What the goal's members received, gave, fired and spent, paired (compare.csv)."""
    first, second = sides
    where = {"deadline": deadline}

    def cite(column: str) -> str:
        return n.cite(COMPARE, column, signed_count, **where)

    return n.say(f"By the end of {deadline}, on the mean pair, the goal's countries receive "
                 f"{cite('fire_units_delivered_diff')} fire units and "
                 f"{cite('interceptors_delivered_diff')} interceptors under {second} compared "
                 f"with {first}, give away {cite('fire_units_donated_diff')} fire units and "
                 f"{cite('interceptors_donated_diff')} interceptors, fire "
                 f"{cite('interceptors_fired_diff')} interceptors, and have "
                 f"{cite('credited_eur_m_diff')} EUR m of GBAD money credited, of which "
                 f"{cite('idle_eur_m_diff')} more idle.")


def signed_count(value: float) -> str:
    """+1,234 / −56 / 0, with a typographic minus."""
    if value is None or math.isnan(float(value)):
        return "n/a"
    shown = round(float(value))
    return "0" if shown == 0 else f"{shown:+,d}".replace("-", "\u2212")


def first_met(n: Narrator, sides: tuple[str, str], deadline: int) -> list[Sentence]:
    where = {"deadline": deadline}
    parts = []
    for side in sides:
        when = n.cite(COMPARE, f"median_first_met_{side}",
                      lambda v: month(v) if isinstance(v, str) and v else "not within the horizon",
                      **where)
        parts.append(f"under {side}, {when}")
    row = n.row(COMPARE, **where)
    gap = ""
    if not pd.isna(row["median_first_met_diff_months"]):
        gap = f" ({n.cite(COMPARE, 'median_first_met_diff_months', signed, **where)} months)"
    return [n.say("The month by which half of the runs reach the target: "
                  + "; ".join(parts) + gap + ".")]


def side_by_side(table: pd.DataFrame, sides: tuple[str, str]) -> pd.DataFrame:
    """compare.csv with readable headings, for the page."""
    first, second = sides
    columns = {"deadline": "deadline", f"p_met_{first}": f"P(met) {first}",
               f"p_met_{second}": f"P(met) {second}", "diff": "difference",
               "ci_low": "95% low", "ci_high": "95% high",
               f"mean_ratio_{first}": f"mean ratio {first}",
               f"mean_ratio_{second}": f"mean ratio {second}", "ratio_diff": "ratio difference",
               "ratio_ci_low": "ratio 95% low", "ratio_ci_high": "ratio 95% high"}
    return table[list(columns)].rename(columns=columns).round(3)


def build_compare(results: Results, stage: Path) -> tuple[Document, str]:
    """The comparison page, its chart, tables, facts, workbook and appendix."""
    sides = tuple(results.manifest.get("sides") or results.manifest.get("modes")
                  or sorted(results.tables["runs"]["scenario"].unique()))[:2]
    by = results.manifest.get("by", "modes")
    runs, table = results.tables["runs"], results.tables["compare"]
    by_side, pairs = sides_table(runs, sides), pairs_table(runs, sides)
    n = Narrator({COMPARE: table, RUNS: runs, SIDES: by_side, PAIRS: pairs})
    deadlines = sorted(int(d) for d in table["deadline"])
    metric = ((results.manifest.get("scenario") or {}).get("goal") or {}).get(
        "metric", "ready_fire_units")
    title = f"{results.name}: {sides[1]} against {sides[0]}"
    doc = Document()
    doc.heading(headline(n, sides, deadlines[-1]).text, 1)
    what = (f"Scenario: {results.name}, under two procurement modes" if by == "modes"
            else f"Two scenarios, {sides[0]} and {sides[1]},")
    doc.para(f"{what} on common random numbers (run r has the same seed on both sides). "
             f"Differences are {sides[1]} − {sides[0]}. Every figure in the sentences is "
             "listed with its file, column and row in facts.csv.")
    doc.links([LINK])
    doc.heading("What the numbers say")
    for deadline in deadlines:
        doc.para(per_deadline(n, sides, deadline).text)
    doc.para(first_met(n, sides, deadlines[-1])[0].text)
    _odds(doc, by_side, stage)
    doc.heading("Both sides side by side")
    doc.table(side_by_side(table, sides))
    doc.heading("Where the difference comes from")
    for deadline in [d for d in deadlines if _discordant(pairs, d)] or deadlines[-1:]:
        for sentence in sources(n, sides, deadline, metric):
            doc.para(sentence.text)
    doc.para(flows(n, sides, deadlines[-1]).text)
    doc.table(pairs)
    countries = results.tables.get("compare_countries")
    if countries is not None and len(countries):
        doc.heading("Country by country")
        doc.para(f"Each goal member at the end of {deadlines[-1]}, most moved first: its part "
                 f"of the goal metric on each side (mean over runs), the paired difference, "
                 f"and the chance that it reaches {_multiple(results)}× its own baseline "
                 "(compare_countries.csv has every deadline, with intervals and the "
                 "first-month differences).")
        doc.table(by_country(countries, sides, deadlines[-1]))
    doc.para("Per-line tables are not kept by compare; to see which lines make the "
             "difference, sweep each side (stockpile batch A.yaml B.yaml) and read the batch "
             "report.")
    doc.links([LINK])
    _write(results, stage, n.sentences, {"compare": table, "sides": by_side, "pairs": pairs,
                                         "runs": runs}, title)
    return doc, title


def _multiple(results: Results) -> str:
    goal = (results.manifest.get("scenario") or {}).get("goal") or {}
    return f"{float(goal.get('multiplier', 5)):g}"


def by_country(countries: pd.DataFrame, sides: tuple[str, str], deadline: int) -> pd.DataFrame:
    """compare_countries.csv at one deadline, most moved first, with readable headings."""
    first, second = sides
    last = countries[countries["deadline"] == deadline]
    last = last.reindex(last["capability_diff"].abs().sort_values(ascending=False,
                                                                  kind="stable").index)
    columns = {"country": "country", f"mean_capability_{first}": f"capability {first}",
               f"mean_capability_{second}": f"capability {second}",
               "capability_diff": "difference", f"p_own_{first}": f"P(own multiple) {first}",
               f"p_own_{second}": f"P(own multiple) {second}"}
    return last[list(columns)].rename(columns=columns).round(3)


def _discordant(pairs: pd.DataFrame, deadline: int) -> bool:
    row = pairs[pairs["deadline"] == deadline].iloc[0]
    return bool(row.filter(like="only_").sum() > 0)


def _odds(doc: Document, by_side: pd.DataFrame, stage: Path) -> None:
    """Both sides' chance of meeting the goal, or a sentence when every bar is 0% or 100%."""
    empty = uninformative_odds(by_side)
    if empty or int(by_side["runs"].max()) < 2:
        doc.para(empty or "One run per mode: there is no chance to chart.")
        return
    (stage / "plots").mkdir(parents=True, exist_ok=True)
    plots.p_met_chart(by_side.assign(group=by_side["scenario"]), stage / "plots" / "p_met.png",
                      group_title="scenario")
    doc.image("plots/p_met.png", "Probability of meeting the goal by each deadline under "
              f"each side, with 95% Wilson intervals ({SIDES}).")


def _write(results: Results, stage: Path, said: list[Sentence],
           tables: dict[str, pd.DataFrame], title: str) -> None:
    write_csv(tables["sides"], stage / "tables" / "sides.csv")
    write_csv(tables["pairs"], stage / "tables" / "pairs.csv")
    write_csv(facts_table(said), stage / "facts.csv")
    write_workbook({**tables, "facts": facts_table(said)}, stage / "results.xlsx")
    write_appendix(results, stage, title)
