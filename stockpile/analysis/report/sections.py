"""Pieces of the report that are not sentences: its charts, and the validation section."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from stockpile.analysis.report import plots
from stockpile.analysis.report.document import Document
from stockpile.analysis.report.folder import Context
from stockpile.analysis.report.labels import input_label, input_value
from stockpile.analysis.results import Results, lever_columns
from stockpile.analysis.sensitivity import clear_effects, headline

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


def uninformative_odds(summary: pd.DataFrame) -> str | None:
    """A sentence in place of a P(met) chart whose bars are all 0% or all 100%."""
    if (summary["p_met"] == 0).all():
        return ("The goal is met in none of the runs by any deadline, so there is no chart "
                "of the odds (each deadline's interval is in the table below and in "
                "summary.csv).")
    if (summary["p_met"] == 1).all():
        return ("The goal is met in every run by every deadline, so there is no chart of "
                "the odds (each deadline's interval is in summary.csv).")
    return None


def _summary_figures(ctx: Context, folder: Path) -> dict[str, list[tuple[str, str]]]:
    """The chance of meeting the goal (not for a single run, nor when every bar would read
    0% or 100%: it would say nothing) and the fan of capability over time."""
    summary = ctx.get("summary")
    runs = int(summary["runs"].max())
    titles = point_titles(ctx.results) or {
        ctx.point: "one run" if runs == 1 else f"all {runs:,} runs"}
    levers = lever_columns(ctx.results)
    out: dict[str, list[tuple[str, str]]] = {}
    if runs > 1 and uninformative_odds(summary) is None:
        if summary["point"].nunique() > MAX_BAR_GROUPS and levers:
            plots.p_met_by_lever_chart(summary, levers, ctx.key, folder / "p_met.png")
        else:
            table = summary.assign(group=summary["point"].map(
                lambda p: titles.get(int(p), f"point {int(p)}")))
            plots.p_met_chart(table, folder / "p_met.png")
        out["summary"] = [("plots/p_met.png", "Probability of meeting the goal by each "
                           f"deadline, with 95% Wilson intervals ({ctx.files['summary']}: "
                           "p_met, ci_low, ci_high).")]
    fan = ctx.get("fan")
    if fan is not None and len(fan):
        points = ctx.get("points")
        lever = points.set_index("point")[levers[0]] if levers and points is not None else None
        plots.fan_chart(fan, titles, ctx.multiplier, ctx.deadlines, folder / "fan.png", lever)
        out["fan"] = [("plots/fan.png", "Capability as a multiple of the baseline over time: "
                       "median run and the spread of runs; dashed red: the goal "
                       f"({ctx.files['fan']}).")]
    return out


def figures(ctx: Context, folder: Path) -> dict[str, list[tuple[str, str]]]:
    """Draw every chart the tables allow; section -> [(file, caption)]."""
    folder.mkdir(parents=True, exist_ok=True)
    found = _summary_figures(ctx, folder)
    names = ctx.names
    point = ctx.point
    if ctx.get("contribution") is not None and len(ctx.get("contribution")):
        goal = ctx.get("goal")
        target = float(goal["target"].iloc[0]) if goal is not None and len(goal) else 0.0
        plots.countries_chart(ctx.get("contribution"), target, ctx.deadlines, ctx.metric,
                              folder / "countries.png", name=names.country)
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
                          folder / "lines.png", name=names.line)
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
        shown = clear_effects(rows)
        if len(shown):
            plots.tornado_chart(shown, f"Inputs ranked by influence on capability at the end "
                                f"of {deadline}", METHOD_AXES[method], folder / "tornado.png",
                                label=ctx.names.input)
            left = len(rows) - len(shown)
            noise = (f"; {left} input{'s' if left > 1 else ''} whose effect is within "
                     "sampling noise left out (beyond_noise)" if left else "")
            return ("plots/tornado.png", f"Sensitivity of the capability ratio at {deadline} "
                    f"to each sampled input ({method}; {ctx.files['sensitivity']}{noise}).")
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
