"""The report of one run or sweep folder: its sections, sentences, charts and tables."""

from __future__ import annotations

from pathlib import Path

from stockpile.analysis.report import story
from stockpile.analysis.report.document import Document
from stockpile.analysis.report.folder import Context, add_views
from stockpile.analysis.report.narrative import Narrator, Sentence, facts_table
from stockpile.analysis.report.sections import (
    about_section,
    figures,
    sources_section,
    validation_section,
)
from stockpile.analysis.report.workbook import write_workbook
from stockpile.analysis.results import lever_columns
from stockpile.experiment.output import write_csv


def sentences(ctx: Context, n: Narrator) -> dict[str, list[Sentence]]:
    """Every section's sentences, in the order the report shows them."""
    f, p, key = ctx.files, ctx.point, ctx.key
    levers = lever_columns(ctx.results)
    said = {"summary": [*story.focus(n, f, p, levers, ctx.deadlines[0], ctx.get("summary")),
                        *story.goal_verdicts(n, f, p, ctx.deadlines),
                        *story.target(n, f, p, key, ctx.metric,
                                      (ctx.scenario.get("time") or {}).get("start", ""),
                                      (ctx.scenario.get("goal") or {}).get("baseline")
                                      is not None),
                        *story.first_reached(n, f, p, ctx.deadlines[-1]),
                        *story.across_points(n, f, levers, key, ctx.get("summary"))]}
    said["missiles"] = story.fielded(n, f, p, key, ctx.metric)
    if ctx.get("stocks") is not None:
        said["missiles"] += story.stocks(n, f["stocks"], ctx.get("stocks"), p, key)
    if ctx.get("runs_dry") is not None:
        said["depth"] = story.dry(n, f["runs_dry"], ctx.get("runs_dry"))
    if ctx.get("contribution") is not None:
        said["countries"] = story.contributors(n, f, ctx.get("contribution"), p, key,
                                               ctx.metric)
    if ctx.get("binding") is not None:
        years = sorted(ctx.get("binding")["year"])
        said["constraints"] = story.constraints(n, f, ctx.get("binding"), p,
                                                [years[0], key, ctx.deadlines[-1]])
    if ctx.get("lines") is not None:
        said["lines"] = story.lines(n, f, ctx.get("lines"), p)
    if ctx.get("sensitivity") is not None:
        said["drivers"] = [s for d in dict.fromkeys([key, *ctx.deadlines])
                           for s in story.drivers(n, f, ctx.get("sensitivity"), d)][:2]
    if ctx.get("discovery") is not None:
        said["discovery"] = [s for d in ctx.deadlines
                             for s in story.conditions(n, f, ctx.get("discovery"), d)]
    return said


#: derived from a per-run table that is in the workbook already: kept as CSV only
LONG_DERIVED = {"timeseries_summary", "constraints_summary", "production_summary"}
SECTIONS = {
    "summary": "What the numbers say",
    "missiles": "Launchers or missiles: the verdict without the stock guess",
    "depth": "Depth: days of fire",
    "countries": "Who carries the load",
    "constraints": "What holds countries back",
    "lines": "Production lines",
    "drivers": "What matters most",
    "discovery": "Under which conditions the goal is met",
}


#: tables shown whole in a section, beside its sentences
SECTION_TABLES = {"missiles": ("verdicts", "stocks")}


def build(ctx: Context, stage: Path, title: str) -> Document:
    """Tables, plots and the document for one results folder, written under ``stage``."""
    add_views(ctx)
    narrator = Narrator(ctx.tables)
    said = sentences(ctx, narrator)
    plots = figures(ctx, stage / "plots")
    doc = Document()
    doc.heading(title, 1)
    several = ctx.get("summary")["point"].nunique() > 1
    doc.para((f"Focus: design point {ctx.point}. " if several else "")
             + f"The deadline discussed most is {ctx.key}. Every figure in the sentences "
             "below is listed with its file, column and row in facts.csv.")
    if ctx.get("fan") is None:
        doc.para("This folder has no per-month tables (a sweep run with --timeseries none), "
                 "so there are no charts over time, by country, constraint or line.")
    for section, heading in SECTIONS.items():
        if not said.get(section) and section not in plots:
            continue
        doc.heading(heading)
        for sentence in said.get(section, []):
            doc.para(sentence.text)
        for file, caption in plots.get(section, []):
            doc.image(file, caption)
        for name in SECTION_TABLES.get(section, ()):
            if ctx.get(name) is not None:
                doc.table(ctx.get(name).drop(columns="point"))
    validation_section(doc, ctx, stage / "plots")
    sources_section(doc, ctx.results)
    about_section(doc, ctx.results)
    _write_tables(ctx, stage, narrator.sentences)
    return doc


def _write_tables(ctx: Context, stage: Path, said: list[Sentence]) -> None:
    """Every table the report made, the facts, and the workbook."""
    for path, frame in ctx.tables.items():
        if path.startswith(f"{ctx.base}/"):
            write_csv(frame, stage / path[len(ctx.base) + 1:])
    write_csv(facts_table(said), stage / "facts.csv")
    ctx.add("facts", facts_table(said), f"{ctx.base}/facts.csv")
    sheets = {name: ctx.tables[path] for name, path in ctx.files.items()
              if not (name in LONG_DERIVED and path.startswith(f"{ctx.base}/"))}
    write_workbook(sheets, stage / "results.xlsx")
