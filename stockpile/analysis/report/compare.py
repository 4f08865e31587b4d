"""The report of a compare folder: two procurement modes side by side, and their difference.

``stockpile compare`` runs the same worlds (run r has one seed in both modes) under two
modes and writes compare.csv (per deadline: each mode's P(met), the paired difference with
its Newcombe interval, mean ratios and their paired t interval) and runs.csv (both modes'
runs, a ``mode`` column first). Pooling the modes would mix two policies, so this report
keeps them apart: both modes per deadline, the difference with its interval, and where it
comes from (the pairs that only one mode carries over the line; launchers against missiles).
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
MODES = f"{REPORT_DIR}/tables/modes.csv"
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


def _diff(group: pd.DataFrame, column: str, modes: tuple[str, str]) -> float:
    wide = group.pivot(index="run", columns="mode", values=column).astype(float)
    return float((wide[modes[1]] - wide[modes[0]]).mean())


def pairs_table(runs: pd.DataFrame, modes: tuple[str, str]) -> pd.DataFrame:
    """Per deadline, how the paired runs split (met under both, one, neither mode), and the
    mean paired difference in fielded fire units beside the goal metric."""
    first, second = modes
    rows = []
    for deadline, group in runs.groupby("deadline", sort=True):
        met = group.pivot(index="run", columns="mode", values="met").astype(bool)
        a, b = met[first], met[second]
        row = {"deadline": int(deadline), "runs": len(met), "both_met": int((a & b).sum()),
               f"only_{first}": int((a & ~b).sum()), f"only_{second}": int((~a & b).sum()),
               "neither": int((~a & ~b).sum()), "value_diff": _diff(group, "value", modes)}
        if "fielded_value" in group:
            row["fielded_value_diff"] = _diff(group, "fielded_value", modes)
        rows.append(row)
    return pd.DataFrame(rows)


def modes_table(runs: pd.DataFrame, modes: tuple[str, str]) -> pd.DataFrame:
    """Each mode's own summary (Wilson intervals, ratio and first-met quantiles)."""
    frames = [summarise(runs[runs["mode"] == m].drop(columns="mode")).assign(mode=m)
              for m in modes]
    table = pd.concat(frames, ignore_index=True)
    return table[["mode", *[c for c in table.columns if c != "mode"]]]


def _chances(n: Narrator, modes: tuple[str, str], where: dict) -> tuple[str, str, str]:
    """Each mode's chance of meeting the goal, and the paired difference, cited."""
    first, second = modes
    return (n.cite(COMPARE, f"p_met_{first}", percent, **where),
            n.cite(COMPARE, f"p_met_{second}", percent, **where),
            n.cite(COMPARE, "diff", points, **where))


def headline(n: Narrator, modes: tuple[str, str], deadline: int) -> Sentence:
    first, second = modes
    where = {"deadline": deadline}
    p1, p2, diff = _chances(n, modes, where)
    runs = n.cite(COMPARE, "runs", number, **where)
    return n.say(f"{second.capitalize()} against {first}: by the end of {deadline} the goal is "
                 f"met in {p2} against {p1} of {runs} paired runs, a difference of {diff}"
                 f"{_interval(n, 'ci_low', 'ci_high', points, where)}.")


def _interval(n: Narrator, low: str, high: str, fmt, where: dict) -> str:
    if math.isnan(float(n.row(COMPARE, **where)[low])):
        return " (one run per mode: no interval)"
    return f" (95% interval {n.cite(COMPARE, low, fmt, **where)} to " \
           f"{n.cite(COMPARE, high, fmt, **where)})"


def per_deadline(n: Narrator, modes: tuple[str, str], deadline: int) -> Sentence:
    first, second = modes
    where = {"deadline": deadline}
    p1, p2, diff = _chances(n, modes, where)
    odds = _interval(n, "ci_low", "ci_high", points, where)
    r1 = n.cite(COMPARE, f"mean_ratio_{first}", ratio, **where)
    r2 = n.cite(COMPARE, f"mean_ratio_{second}", ratio, **where)
    rd = n.cite(COMPARE, "ratio_diff", signed, **where)
    spread = _interval(n, "ratio_ci_low", "ratio_ci_high", signed, where)
    return n.say(f"By the end of {deadline} the goal is met in {p1} of runs under {first} and "
                 f"{p2} under {second}: {diff}{odds}. The mean run reaches {r1} the baseline "
                 f"under {first} and {r2} under {second}, a paired difference of {rd}{spread}.")


def sources(n: Narrator, modes: tuple[str, str], deadline: int, metric: str) -> list[Sentence]:
    """Where the difference comes from: the discordant pairs, and launchers or missiles."""
    first, second = modes
    where = {"deadline": deadline}
    only2 = n.cite(PAIRS, f"only_{second}", number, **where)
    only1 = n.cite(PAIRS, f"only_{first}", number, **where)
    both = n.cite(PAIRS, "both_met", number, **where)
    neither = n.cite(PAIRS, "neither", number, **where)
    out = [n.say(f"By the end of {deadline}, {only2} worlds meet the goal only under {second} "
                 f"and {only1} only under {first} ({both} under both, {neither} under neither): "
                 "each pair is the same world (the same draws, stoppages and conflict) under "
                 "the two modes, so the difference in the chance of meeting the goal is the "
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


def first_met(n: Narrator, modes: tuple[str, str], deadline: int) -> list[Sentence]:
    where = {"deadline": deadline}
    parts = []
    for mode in modes:
        when = n.cite(COMPARE, f"median_first_met_{mode}",
                      lambda v: month(v) if isinstance(v, str) and v else "not within the horizon",
                      **where)
        parts.append(f"under {mode}, {when}")
    row = n.row(COMPARE, **where)
    gap = ""
    if not pd.isna(row["median_first_met_diff_months"]):
        gap = f" ({n.cite(COMPARE, 'median_first_met_diff_months', signed, **where)} months)"
    return [n.say("The month by which half of the runs reach the target: "
                  + "; ".join(parts) + gap + ".")]


def side_by_side(table: pd.DataFrame, modes: tuple[str, str]) -> pd.DataFrame:
    """compare.csv with readable headings, for the page."""
    first, second = modes
    columns = {"deadline": "deadline", f"p_met_{first}": f"P(met) {first}",
               f"p_met_{second}": f"P(met) {second}", "diff": "difference",
               "ci_low": "95% low", "ci_high": "95% high",
               f"mean_ratio_{first}": f"mean ratio {first}",
               f"mean_ratio_{second}": f"mean ratio {second}", "ratio_diff": "ratio difference",
               "ratio_ci_low": "ratio 95% low", "ratio_ci_high": "ratio 95% high"}
    return table[list(columns)].rename(columns=columns).round(3)


def build_compare(results: Results, stage: Path) -> tuple[Document, str]:
    """The comparison page, its chart, tables, facts, workbook and appendix."""
    modes = tuple(results.manifest.get("modes") or sorted(results.tables["runs"]["mode"]
                                                           .unique()))[:2]
    runs, table = results.tables["runs"], results.tables["compare"]
    by_mode, pairs = modes_table(runs, modes), pairs_table(runs, modes)
    n = Narrator({COMPARE: table, RUNS: runs, MODES: by_mode, PAIRS: pairs})
    deadlines = sorted(int(d) for d in table["deadline"])
    metric = ((results.manifest.get("scenario") or {}).get("goal") or {}).get(
        "metric", "ready_fire_units")
    title = f"{results.name}: {modes[1]} against {modes[0]}"
    doc = Document()
    doc.heading(headline(n, modes, deadlines[-1]).text, 1)
    doc.para(f"Scenario: {results.name}, under two procurement modes on common random numbers "
             f"(run r has the same seed in both). Differences are {modes[1]} − {modes[0]}. "
             "Every figure in the sentences is listed with its file, column and row in "
             "facts.csv.")
    doc.links([LINK])
    doc.heading("What the numbers say")
    for deadline in deadlines:
        doc.para(per_deadline(n, modes, deadline).text)
    doc.para(first_met(n, modes, deadlines[-1])[0].text)
    _odds(doc, by_mode, stage)
    doc.heading("Both modes side by side")
    doc.table(side_by_side(table, modes))
    doc.heading("Where the difference comes from")
    for deadline in [d for d in deadlines if _discordant(pairs, d)] or deadlines[-1:]:
        for sentence in sources(n, modes, deadline, metric):
            doc.para(sentence.text)
    doc.table(pairs)
    doc.para("A compare folder holds no per-country or per-line tables; to see who and which "
             "lines make the difference, sweep each mode (stockpile batch "
             "configs/national_only.yaml configs/joint_essi.yaml) and read the batch report.")
    doc.links([LINK])
    _write(results, stage, n.sentences, {"compare": table, "modes": by_mode, "pairs": pairs,
                                         "runs": runs}, title)
    return doc, title


def _discordant(pairs: pd.DataFrame, deadline: int) -> bool:
    row = pairs[pairs["deadline"] == deadline].iloc[0]
    return bool(row.filter(like="only_").sum() > 0)


def _odds(doc: Document, by_mode: pd.DataFrame, stage: Path) -> None:
    """Both modes' chance of meeting the goal, or a sentence when every bar is 0% or 100%."""
    empty = uninformative_odds(by_mode)
    if empty or int(by_mode["runs"].max()) < 2:
        doc.para(empty or "One run per mode: there is no chance to chart.")
        return
    (stage / "plots").mkdir(parents=True, exist_ok=True)
    plots.p_met_chart(by_mode.assign(group=by_mode["mode"]), stage / "plots" / "p_met.png",
                      group_title="mode")
    doc.image("plots/p_met.png", "Probability of meeting the goal by each deadline under "
              f"each mode, with 95% Wilson intervals ({MODES}).")


def _write(results: Results, stage: Path, said: list[Sentence],
           tables: dict[str, pd.DataFrame], title: str) -> None:
    write_csv(tables["modes"], stage / "tables" / "modes.csv")
    write_csv(tables["pairs"], stage / "tables" / "pairs.csv")
    write_csv(facts_table(said), stage / "facts.csv")
    write_workbook({**tables, "facts": facts_table(said)}, stage / "results.xlsx")
    write_appendix(results, stage, title)
