"""The report of a batch folder: a comparison of its scenarios, and a full report for each.

A batch holds batch_summary.csv (config, name + summary.csv's columns) and one results
folder per scenario. Each scenario gets its own report under report/<name>/ (its figures
cited from its own folder); the top page compares the scenarios from batch_summary.csv.
"""

from __future__ import annotations

from pathlib import Path

from stockpile.analysis.report import plots, story
from stockpile.analysis.report.build import build
from stockpile.analysis.report.document import Document, write_document
from stockpile.analysis.report.folder import context
from stockpile.analysis.report.narrative import Narrator, facts_table
from stockpile.analysis.report.text import first_points, side_by_side
from stockpile.analysis.report.workbook import write_workbook
from stockpile.analysis.results import REPORT_DIR, Results
from stockpile.experiment.output import write_csv

SUMMARY_FILE = "batch_summary.csv"


def _members(results: Results, stage: Path, point: int | None,
             deadline: int | None) -> dict[str, object]:
    """Each scenario's own report; returns name -> its Context."""
    contexts = {}
    for name, member in results.members.items():
        ctx = context(member, f"{REPORT_DIR}/{name}", f"{name}/", point, deadline)
        title = f"{member.name}: can the goal be met?"
        write_document(build(ctx, stage / name, title), stage / name, title)
        contexts[name] = ctx
    return contexts


def build_batch(results: Results, stage: Path, point: int | None,
                deadline: int | None) -> tuple[Document, str]:
    """The comparison page, its plots, facts and workbook; member reports beside them."""
    contexts = _members(results, stage, point, deadline)
    batch = results.tables["batch_summary"]
    deadlines = sorted(int(d) for d in batch["deadline"].unique())
    narrator = Narrator({SUMMARY_FILE: batch})
    said = [s for d in deadlines for s in story.batch_verdicts(narrator, SUMMARY_FILE, batch, d)]
    (stage / "plots").mkdir(exist_ok=True)
    rows = first_points(batch).assign(group=lambda f: f["name"])
    plots.p_met_chart(rows, stage / "plots" / "p_met.png", group_title="scenario")
    fans = {name: ctx.get("fan")[ctx.get("fan")["point"] == ctx.point]
            for name, ctx in contexts.items() if ctx.get("fan") is not None}
    multiplier = next(iter(contexts.values())).multiplier if contexts else 5.0
    if fans:
        plots.configs_fan_chart(fans, multiplier, deadlines, stage / "plots" / "fan.png")
    title = f"Batch of {len(results.members)} scenarios: can the goal be met?"
    doc = Document()
    doc.heading(title, 1)
    doc.heading("The scenarios compared")
    doc.para("Side by side: the chance of meeting the goal by the end of each deadline year "
             "(95% interval) and the median run's capability as a multiple of the baseline "
             f"({SUMMARY_FILE}; each scenario's first design point).")
    doc.table(side_by_side(batch))
    for sentence in said:
        doc.para(sentence.text)
    doc.image("plots/p_met.png", "Probability of meeting the goal by each deadline per "
              f"scenario, with 95% Wilson intervals ({SUMMARY_FILE}).")
    if fans:
        doc.image("plots/fan.png", "Median capability path of each scenario, with the middle "
                  "half of runs shaded (each scenario's fan.csv).")
    doc.heading("Each scenario's report")
    doc.links([(f"{name} (report.html)", f"{name}/report.html") for name in contexts])
    write_csv(facts_table(said), stage / "facts.csv")
    sheets = {"batch_summary": batch, "facts": facts_table(said)}
    sheets.update({f"{name} summary": ctx.get("summary") for name, ctx in contexts.items()})
    write_workbook(sheets, stage / "results.xlsx")
    return doc, title
