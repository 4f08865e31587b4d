"""``stockpile report``: plots, a written report and a workbook from a finished results folder.

Everything is made from the folder's CSVs and manifest (missing summary tables are derived
from per-run ones and written to report/tables/), staged beside the folder and renamed to
report/ when complete. Every figure the sentences quote is listed in report/facts.csv with
the file, column and row it comes from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from stockpile.analysis import story
from stockpile.analysis.derive import complete
from stockpile.analysis.discovery import discovery
from stockpile.analysis.document import Document
from stockpile.analysis.magazine import mean_stocks, runs_dry, scenario_magazine
from stockpile.analysis.narrative import Narrator, Sentence, facts_table
from stockpile.analysis.report_parts import (
    about_section,
    figures,
    sources_section,
    validation_section,
)
from stockpile.analysis.results import (
    REPORT_DIR,
    Results,
    input_columns,
    lever_columns,
    load_results,
)
from stockpile.analysis.sensitivity import sensitivity
from stockpile.analysis.validation import folder_validation
from stockpile.analysis.views import (
    binding_by_year,
    contribution,
    goal_view,
    line_view,
    stock_view,
    verdict_view,
)
from stockpile.analysis.workbook import write_workbook
from stockpile.experiment.csvstyle import folder_style, restyle_folder, style_named
from stockpile.experiment.output import staged_folder, write_csv
from stockpile.scenario import Problem, ScenarioError


@dataclass
class Context:
    """One results folder being reported: its tables by file path, focus point, deadlines."""

    results: Results
    base: str  # the report folder, relative to the root results folder
    prefix: str  # this results folder, relative to the root results folder
    files: dict[str, str] = field(default_factory=dict)  # logical name -> file path
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)  # file path -> frame
    point: int = 0
    deadlines: list[int] = field(default_factory=list)
    key: int = 0

    def add(self, name: str, frame: pd.DataFrame, path: str | None = None) -> None:
        """A table the report made: written under the report folder."""
        self.files[name] = path or f"{self.base}/tables/{name}.csv"
        self.tables[self.files[name]] = frame

    def get(self, name: str) -> pd.DataFrame | None:
        return self.tables.get(self.files.get(name, ""))

    @property
    def scenario(self) -> dict:
        return self.results.manifest.get("scenario") or {}

    @property
    def metric(self) -> str:
        return (self.scenario.get("goal") or {}).get("metric", "ready_fire_units")

    @property
    def multiplier(self) -> float:
        goal = self.scenario.get("goal") or {}
        if "multiplier" in goal:
            return float(goal["multiplier"])
        runs = self.get("runs")
        return float((runs["target"] / runs["baseline"]).median()) if runs is not None else 5.0


def key_deadline(summary: pd.DataFrame, point: int, deadlines: list[int]) -> int:
    """The most informative deadline: first with p_met in 5–95%, else first ≥ 50%, else last."""
    p = summary[summary["point"] == point].set_index("deadline")["p_met"]
    for d in deadlines:
        if 0.05 <= p.get(d, 0) <= 0.95:
            return d
    return next((d for d in deadlines if p.get(d, 0) >= 0.5), deadlines[-1])


def context(results: Results, base: str, prefix: str, point: int | None,
            deadline: int | None) -> Context:
    """Read, derive missing summaries, and pick the focus point and deadline."""
    ctx = Context(results, base, prefix)
    derived = complete(results)
    for name, frame in results.tables.items():
        if name in derived:
            ctx.add(name, frame)
        else:
            ctx.add(name, frame, f"{prefix}{name}.csv")
    summary = ctx.get("summary")
    ctx.deadlines = sorted(int(d) for d in summary["deadline"].unique())
    ctx.point = int(summary["point"].min()) if point is None else point
    if ctx.point not in set(summary["point"]):
        raise ScenarioError([Problem("--point", str(ctx.point), f"no such point in "
                                     f"{results.folder} (points: {_listed(summary['point'])})")])
    if deadline is not None and deadline not in ctx.deadlines:
        raise ScenarioError([Problem("--deadline", str(deadline), f"no such deadline in "
                                     f"{results.folder} (deadlines: {_listed(ctx.deadlines)})")])
    ctx.key = deadline or key_deadline(summary, ctx.point, ctx.deadlines)
    return ctx


def _listed(values) -> str:
    return ", ".join(str(v) for v in sorted(set(values)))


def add_views(ctx: Context) -> None:
    """The report's condensed tables and its analyses, each with its own CSV."""
    runs = ctx.get("runs")
    if runs is not None and len(runs):
        ctx.add("goal", goal_view(runs, ctx.point))
        by_stock = stock_view(runs, ctx.point)
        if by_stock is not None:
            ctx.add("stocks", by_stock)
        if input_columns(runs):
            ctx.add("sensitivity", sensitivity(ctx.results, ctx.deadlines),
                    f"{ctx.base}/sensitivity.csv")
            ctx.add("discovery", discovery(runs, ctx.deadlines, lever_columns(ctx.results)),
                    f"{ctx.base}/discovery.csv")
    verdicts = verdict_view(ctx.get("summary"), ctx.point)
    if verdicts is not None:
        ctx.add("verdicts", verdicts)
    _add_magazine(ctx)
    if ctx.get("timeseries_summary") is not None:
        ctx.add("contribution", contribution(ctx.get("timeseries_summary"), ctx.scenario,
                                             ctx.point))
    if ctx.get("constraints_summary") is not None:
        ctx.add("binding", binding_by_year(ctx.get("constraints_summary"), ctx.point))
    if ctx.get("production_summary") is not None:
        ctx.add("lines", line_view(ctx.get("production_summary"), ctx.point))
    checked = folder_validation(ctx.results.tables, ctx.scenario, {})
    if checked is not None:
        ctx.add("validation", checked, f"{ctx.base}/validation.csv")


def _add_magazine(ctx: Context) -> None:
    """Days of fire: the run's magazine.csv, or worked out from its stocks (mean over runs)."""
    table = ctx.get("magazine")
    if table is None:
        if ctx.get("timeseries") is not None and len(ctx.get("timeseries")):
            stocks = ctx.get("timeseries")
            stocks = stocks[stocks["point"] == ctx.point]
        elif ctx.get("timeseries_summary") is not None:
            stocks = mean_stocks(ctx.get("timeseries_summary"), ctx.point)
        else:
            return
        table = scenario_magazine(stocks, ctx.scenario)
        ctx.add("magazine", table, f"{ctx.base}/magazine.csv")
    ctx.add("runs_dry", runs_dry(table))


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


def write_document(doc: Document, stage: Path, title: str) -> None:
    from stockpile.experiment.output import write_atomic

    write_atomic(stage / "report.md", doc.markdown())
    write_atomic(stage / "report.html", doc.html(stage, title))


def make_report(folder: str | Path, force: bool = False, point: int | None = None,
                deadline: int | None = None, csv_style: str | None = None) -> Path:
    """Write FOLDER/report/ (or nothing, if anything fails); return its path."""
    folder = Path(folder)
    results = load_results(folder)
    style = style_named(csv_style or folder_style(results.manifest))
    out = folder / REPORT_DIR
    with staged_folder(out, force) as stage:
        if results.kind == "batch":
            from stockpile.analysis.batch import build_batch

            doc, title = build_batch(results, stage, point, deadline)
        else:
            title = f"{results.name}: can the goal be met?"
            doc = build(context(results, REPORT_DIR, "", point, deadline), stage, title)
        write_document(doc, stage, title)
        restyle_folder(stage, style)
        restyle_folder(stage / "tables", style)
    return out
