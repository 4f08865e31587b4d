"""Pieces of the report that are not sentences: its figures, sources and colophon."""

from __future__ import annotations

from pathlib import Path

from stockpile.analysis.report import plots
from stockpile.analysis.report.document import Document
from stockpile.analysis.report.folder import Context
from stockpile.analysis.report.labels import input_label, input_value
from stockpile.analysis.report.sources import (
    assumptions,
    provenance,
    retirements,
    uncertain_inputs,
)
from stockpile.analysis.results import Results, lever_columns
from stockpile.analysis.sensitivity import headline

MAX_BAR_GROUPS = 6
METHOD_AXES = {"spearman": "Spearman rank correlation with capability ÷ baseline (± 95%)",
               "sobol ST": "total-order Sobol index of capability ÷ baseline (± 95% conf.)",
               "morris mu_star": "Morris μ* of capability ÷ baseline (± 95% conf.)"}


def point_titles(results: Results) -> dict[int, str]:
    """'point 3: GBAD share of equipment spending 12%' for each design point."""
    points = results.tables.get("points")
    levers = lever_columns(results)
    if points is None or not levers:
        return {}
    return {int(row["point"]): f"point {int(row['point'])}: " + ", ".join(
        f"{input_label(k)} {input_value(k, float(row[k]))}" for k in levers[:3])
        for _, row in points.iterrows()}


def _summary_figures(ctx: Context, folder: Path) -> list[tuple[str, str]]:
    """The chance of meeting the goal (not for a single run: it would say nothing) and fans."""
    summary = ctx.get("summary")
    runs = int(summary["runs"].max())
    titles = point_titles(ctx.results) or {
        ctx.point: "one run" if runs == 1 else f"all {runs:,} runs"}
    levers = lever_columns(ctx.results)
    out = []
    if runs > 1:
        if summary["point"].nunique() > MAX_BAR_GROUPS and levers:
            plots.p_met_by_lever_chart(summary, levers, ctx.key, folder / "p_met.png")
        else:
            table = summary.assign(group=summary["point"].map(
                lambda p: titles.get(int(p), f"point {int(p)}")))
            plots.p_met_chart(table, folder / "p_met.png")
        out.append(("plots/p_met.png", "Probability of meeting the goal by each deadline, "
                    f"with 95% Wilson intervals ({ctx.files['summary']}: p_met, ci_low, "
                    "ci_high)."))
    fan = ctx.get("fan")
    if fan is not None and len(fan):
        points = ctx.get("points")
        lever = points.set_index("point")[levers[0]] if levers and points is not None else None
        plots.fan_chart(fan, titles, ctx.multiplier, ctx.deadlines, folder / "fan.png", lever)
        out.append(("plots/fan.png", "Capability as a multiple of the baseline over time: "
                    "median run and the spread of runs; dashed red: the goal "
                    f"({ctx.files['fan']})."))
    return out


def figures(ctx: Context, folder: Path) -> dict[str, list[tuple[str, str]]]:
    """Draw every chart the tables allow; section -> [(file, caption)]."""
    folder.mkdir(parents=True, exist_ok=True)
    found = {"summary": _summary_figures(ctx, folder)}
    point = ctx.point
    if ctx.get("contribution") is not None and len(ctx.get("contribution")):
        goal = ctx.get("goal")
        target = float(goal["target"].iloc[0]) if goal is not None and len(goal) else 0.0
        plots.countries_chart(ctx.get("contribution"), target, ctx.deadlines, ctx.metric,
                              folder / "countries.png")
        found["countries"] = [("plots/countries.png", "Mean weighted capability by country "
                               f"(point {point}; {ctx.files['contribution']}), the target dashed.")]
    constraints = ctx.get("constraints_summary")
    if constraints is not None and len(constraints):
        plots.binding_chart(constraints[constraints["point"] == point], ctx.deadlines,
                            folder / "binding.png")
        found["constraints"] = [("plots/binding.png", "Share of countries held back by each "
                                 "constraint, month by month "
                                 f"({ctx.files['constraints_summary']}).")]
    production = ctx.get("production_summary")
    if production is not None and len(production):
        plots.lines_chart(production[production["point"] == point], ctx.deadlines,
                          folder / "lines.png")
        found["lines"] = [("plots/lines.png", "Capacity, starts for Europe and European "
                           "backlog of the busiest production lines "
                           f"({ctx.files['production_summary']}).")]
    magazine = ctx.get("magazine")
    if magazine is not None and len(magazine):
        plots.magazine_chart(magazine, ctx.deadlines, folder / "magazine.png")
        found["depth"] = [("plots/magazine.png", "Days of fire Europe's interceptor stocks "
                           "sustain, by layer, at the stated fire rate "
                           f"({ctx.files['magazine']}).")]
    tornado = _tornado(ctx, folder)
    if tornado:
        found["drivers"] = [tornado]
    return found


def _tornado(ctx: Context, folder: Path) -> tuple[str, str] | None:
    table = ctx.get("sensitivity")
    if table is None or not len(table):
        return None
    for deadline in dict.fromkeys([ctx.key, *ctx.deadlines]):
        method, rows = headline(table, deadline)
        if len(rows):
            plots.tornado_chart(rows, f"Inputs ranked by influence on capability at the end of "
                                f"{deadline}", METHOD_AXES[method], folder / "tornado.png")
            return ("plots/tornado.png", f"Sensitivity of the capability ratio at {deadline} "
                    f"to each sampled input ({method}; {ctx.files['sensitivity']}).")
    return None


def validation_section(doc: Document, ctx: Context, folder: Path) -> None:
    """The checkpoints: the public record, the modelled value, and whether it is within."""
    from stockpile.analysis.validation import score

    table = ctx.get("validation")
    if table is None or not len(table):
        return
    within, applicable, total = score(table)
    doc.heading("How the model reproduces the past")
    doc.para(f"{within} of the {applicable} checkpoints that apply to this run are within "
             f"tolerance ({total} listed; a blank 'within' marks a checkpoint about a contract "
             f"this run does not hold). Table: {ctx.files['validation']}; what each measure "
             "counts and why checkpoints are missed: docs/validation.md.")
    folder.mkdir(parents=True, exist_ok=True)
    if applicable:
        plots.validation_chart(table, folder / "validation.png")
        doc.image("plots/validation.png", "Each checkpoint's modelled value against the "
                  "public one, in tolerance widths: inside the band is within tolerance.")
    shown = table[["checkpoint", "date", "public", "modelled", "tolerance", "within"]]
    doc.table(shown.assign(within=shown["within"].map(
        {True: "yes", False: "NO", "": "n/a"}).fillna("n/a")))


def sources_section(doc: Document, results: Results) -> None:
    """Uncertain inputs, rows marked as assumptions, and every table row's source."""
    doc.heading("Data sources and assumptions")
    scenario = results.manifest.get("scenario") or {}
    uncertain = uncertain_inputs(scenario)
    if uncertain:
        doc.para("Inputs drawn afresh in every run (scipy.stats distributions):")
        doc.bullets([f"{input_label(path)} ({path}): {dist}" for path, dist in uncertain])
    retiring = retirements(scenario)
    if len(retiring):
        doc.para("Legacy fire units retire during the horizon, which lowers capability on "
                 "those dates; the baseline counts them, so the target is a multiple of what "
                 "was there at the start, not of what remains:")
        doc.table(retiring)
    rows, note = provenance(results.manifest, results.folder)
    doc.para(f"Sources of the table rows: {note}.")
    if not len(rows):
        return
    marked = assumptions(rows)
    doc.heading("Rows resting on assumptions", 3)
    doc.para(f"{len(marked)} of {len(rows)} table rows are marked 'assumption' in their "
             "confidence column: their figures have no public source and are the analyst's "
             "judgement.")
    doc.table(marked[["table", "key", "confidence", "assumed"]])
    doc.heading("All sources", 3)
    doc.table(rows[["table", "key", "confidence", "source"]])


def about_section(doc: Document, results: Results) -> None:
    """Where the folder came from, enough to reproduce it."""
    manifest = results.manifest
    doc.heading("About this report")
    design = manifest.get("design")
    items = [f"Results folder: {results.folder} ({results.kind})",
             f"Scenario: {results.name} ({manifest.get('scenario_file', 'unknown file')}, "
             f"hash {str(manifest.get('scenario_hash', ''))[:12]})",
             f"Command: {manifest.get('command', 'unknown')}",
             f"Root seed: {manifest.get('seed', 'unknown')}; runs per point: "
             f"{manifest.get('runs', 'unknown')}"
             + ("; deterministic (central values, no random events)"
                if manifest.get("deterministic") else ""),
             f"Design: {_design_words(design)}",
             f"Made: {manifest.get('started', '?')} to {manifest.get('finished', '?')}",
             "Files: report.md and report.html (this text), results.xlsx (every table, with a "
             "README sheet defining each column), plots/*.png, facts.csv (the source cell of "
             "every quoted figure), sensitivity.csv and discovery.csv where the folder has "
             "sampled inputs, tables/*.csv (the report's own tables)."]
    versions = manifest.get("versions") or {}
    if versions:
        items.append("Versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    doc.bullets(items)


def _design_words(design: object) -> str:
    if not isinstance(design, dict):
        return str(design or "unknown")
    shown = {k: v for k, v in design.items() if k != "problem"}
    return ", ".join(f"{k}={v}" for k, v in shown.items()) or "single point"
