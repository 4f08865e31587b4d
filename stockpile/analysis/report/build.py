"""The report of one run or sweep folder: headline, one-page summary, findings, appendix.

report.md opens with the answer in numbers (``headline``), then what holds Europe back and
what would change the answer on one page, then the findings section by section; sources,
assumptions and provenance are in appendix.md, linked from the report.
"""

from __future__ import annotations

from pathlib import Path

from stockpile.analysis.report import burden, cautions, story
from stockpile.analysis.report.appendix import LINK, write_appendix
from stockpile.analysis.report.document import Document
from stockpile.analysis.report.folder import Context, add_views
from stockpile.analysis.report.headline import NO_LEVERS, SUMMARY_WORDS, fit, headline, words
from stockpile.analysis.report.narrative import Narrator, Sentence, facts_table
from stockpile.analysis.report.sections import figures, uninformative_odds, validation_section
from stockpile.analysis.report.views import IDLE_REASONS
from stockpile.analysis.report.workbook import write_workbook
from stockpile.analysis.results import lever_columns
from stockpile.experiment.output import write_csv


def sentences(ctx: Context, n: Narrator) -> dict[str, list[Sentence]]:
    """Every section's sentences; "held" and "change" are the one-page summary's candidates."""
    f, p, key, names = ctx.files, ctx.point, ctx.key, ctx.names
    levers = lever_columns(ctx.results)
    summary = ctx.get("summary")
    said = {"summary": [*story.focus(n, f, p, levers, ctx.deadlines[0], summary, names.input),
                        *story.goal_verdicts(n, f, p, ctx.deadlines),
                        *story.target(n, f, p, key, ctx.metric,
                                      (ctx.scenario.get("time") or {}).get("start", ""),
                                      (ctx.scenario.get("goal") or {}).get("baseline")
                                      is not None),
                        *story.first_reached(n, f, p, ctx.deadlines[-1])],
            "held": story.fielded(n, f, p, key, ctx.metric),
            "change": story.across_points(n, f, levers, key, summary, names.input)}
    said["missiles"] = []
    if ctx.get("stocks") is not None:
        said["missiles"] = story.stocks(n, f["stocks"], ctx.get("stocks"), p, key)
    if ctx.get("runs_dry") is not None:
        said["depth"] = story.dry(n, f["runs_dry"], ctx.get("runs_dry"), names.system)
    if ctx.get("layers") is not None:
        end = (ctx.scenario.get("time") or {}).get("end", "")
        said["layers"] = story.layers(n, f["layers"], ctx.get("layers"), p,
                                      ctx.deadlines[-1], end)
        if ctx.get("layer_weights") is not None:
            said["layers"] += story.layer_weights(n, f["layer_weights"],
                                                  ctx.get("layer_weights"))
    if ctx.get("idle_money") is not None:
        said["money"] = story.idle_money(n, f["idle_money"], ctx.get("idle_money"), p,
                                         IDLE_REASONS)
    if ctx.get("contribution") is not None:
        said["countries"] = story.contributors(n, f, ctx.get("contribution"), p, key,
                                               ctx.metric, name=names.country)
    if ctx.get("burden_ranked") is not None:
        deadline, which = burden_deadline(ctx)
        said.setdefault("countries", []).extend(burden.carriers(
            n, f["burden_ranked"], ctx.get("burden_ranked"), p, deadline, which,
            name=names.country))
    if ctx.get("binding") is not None:
        years = sorted(ctx.get("binding")["year"])
        said["held"] += story.constraints(n, f, ctx.get("binding"), p,
                                          [years[0], key, ctx.deadlines[-1]])
    if ctx.get("lines") is not None:
        lines = story.lines(n, f, ctx.get("lines"), p, names.line)
        said["held"] += [s for s in lines if s.text.startswith(story.CAPPED)]
        said["lines"] = [s for s in lines if not s.text.startswith(story.CAPPED)]
    if ctx.get("sensitivity") is not None:
        table, noise = ctx.get("sensitivity"), ctx.get("sensitivity_noise")
        drivers = [s for d in dict.fromkeys([key, *ctx.deadlines])
                   for s in [*story.drivers(n, f, table, d, label=names.input),
                             *cautions.salib_noise(n, f, noise, d, names.input)]]
        said["change"] += drivers[:1]
        said["drivers"] = drivers[1:]  # every other deadline's drivers in their section
    if ctx.get("discovery") is not None:
        found = {d: story.conditions(n, f, ctx.get("discovery"), d) for d in ctx.deadlines}
        said["change"] += found.get(key, [])
        said["discovery"] = [s for d in ctx.deadlines if d != key for s in found[d]]
    return said


def burden_deadline(ctx: Context) -> tuple[int, str]:
    """The deadline "who carries the load" ranks at, and how it was chosen, in words."""
    if ctx.asked is not None:
        return ctx.asked, "the deadline asked for with --deadline"
    return ctx.deadlines[-1], "the last deadline"


#: derived from a per-run table that is in the workbook already: kept as CSV only
LONG_DERIVED = {"timeseries_summary", "constraints_summary", "production_summary"}
SECTIONS = {
    "summary": "What the numbers say",
    "layers": "Layer by layer",
    "missiles": "Launchers or missiles: the verdict without the stock guess",
    "depth": "Depth: days of fire",
    "countries": "Who carries the load",
    "money": "Money left idle, and why",
    "constraints": "What holds countries back",
    "lines": "Production lines",
    "drivers": "What matters most",
    "discovery": "Under which conditions the goal is met",
}
#: where a summary sentence that does not fit on the page goes back to
HOME = {"held": "constraints", "change": "drivers"}
#: tables shown whole in a section, beside its sentences
SECTION_TABLES = {"layers": ("layers", "layer_weights"), "missiles": ("verdicts", "stocks"),
                  "money": ("idle_money",)}
#: said in a section whose main sentence the summary took
MOVED = {"missiles": "The verdict on fielded fire units is in the summary above; the table "
                     "gives it for every deadline beside the goal metric's."}


def build(ctx: Context, stage: Path, title: str) -> Document:
    """Tables, plots and the documents for one results folder, written under ``stage``."""
    add_views(ctx)
    narrator = Narrator(ctx.tables)
    top = headline(narrator, ctx.files, ctx.point, ctx.deadlines[-1], ctx.multiplier)
    said = sentences(ctx, narrator)
    plots = figures(ctx, stage / "plots")
    doc = Document()
    doc.heading(top.text, 1)
    several = ctx.get("summary")["point"].nunique() > 1
    focus = f"Focus: design point {ctx.point}. " if several else ""
    doc.para(f"Scenario: {ctx.results.name}. {focus}The deadline discussed most is {ctx.key}. "
             "Every figure in the sentences below is listed with its file, column and row "
             "in facts.csv; sources and assumptions are in the appendix.")
    doc.links([LINK])
    _summary_page(doc, said, plots)
    _findings(doc, ctx, said, plots)
    validation_section(doc, ctx, stage / "plots")
    doc.links([LINK])
    write_appendix(ctx.results, stage, title)
    _write_tables(ctx, stage, narrator.sentences)
    return doc


def _summary_page(doc: Document, said: dict[str, list[Sentence]],
                  plots: dict[str, list[tuple[str, str]]]) -> None:
    """What holds Europe back and what would change the answer: one page, one chart."""
    chart = plots.pop("fan", [])[:1]
    budget = SUMMARY_WORDS - 40 - sum(words(caption) for _, caption in chart)
    if not said["change"]:
        budget -= words(NO_LEVERS)
    kept = fit(said["held"] + said["change"], budget)
    for part in ("held", "change"):  # what does not fit stays with the findings
        said.setdefault(HOME[part], []).extend(s for s in said[part] if s not in kept)
    doc.heading("In short: what holds Europe back, and what would change the answer")
    doc.heading("What holds Europe back", 3)
    for sentence in [s for s in said["held"] if s in kept] or []:
        doc.para(sentence.text)
    doc.heading("What would change the answer", 3)
    for sentence in [s for s in said["change"] if s in kept]:
        doc.para(sentence.text)
    if not said["change"]:
        doc.para(NO_LEVERS)
    for file, caption in chart:
        doc.image(file, caption)


def _findings(doc: Document, ctx: Context, said: dict[str, list[Sentence]],
              plots: dict[str, list[tuple[str, str]]]) -> None:
    """The sections, each with its sentences, charts and tables."""
    if ctx.get("fan") is None:
        doc.para("This folder has no per-month tables (a sweep run with --timeseries none), "
                 "so there are no charts over time, by country, constraint or line.")
    odds = uninformative_odds(ctx.get("summary"))
    for section, heading in SECTIONS.items():
        if not said.get(section) and section not in plots and section not in SECTION_TABLES:
            continue
        doc.heading(heading)
        for sentence in said.get(section, []):
            doc.para(sentence.text)
        if section == "summary" and odds and int(ctx.get("summary")["runs"].max()) > 1:
            doc.para(odds)
        if section in MOVED and ctx.get("verdicts") is not None:
            doc.para(MOVED[section])
        for file, caption in plots.get(section, []):
            doc.image(file, caption)
        for name in SECTION_TABLES.get(section, ()):
            if ctx.get(name) is not None:
                doc.table(ctx.get(name).drop(columns="point"))
        if section == "countries" and ctx.get("burden_ranked") is not None:
            deadline, which = burden_deadline(ctx)
            burden.show(doc, ctx.get("burden_ranked"), ctx.files["burden_ranked"], deadline,
                        which, ctx.multiplier, ctx.metric, name=ctx.names.country)


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
