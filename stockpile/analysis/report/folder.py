"""One results folder read for the report: its tables by file, focus point and deadline, views.

Missing summary tables are derived from per-run ones (and written under report/tables/);
every table the sentences cite is registered here under a logical name and a file path, so
facts.csv can point at the cell each figure comes from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from stockpile.analysis.derive import complete
from stockpile.analysis.discovery import discovery
from stockpile.analysis.magazine import mean_stocks, runs_dry, scenario_magazine
from stockpile.analysis.report.burden import burden_view
from stockpile.analysis.report.labels import input_value
from stockpile.analysis.report.names import Names
from stockpile.analysis.report.views import (
    binding_by_year,
    contribution,
    goal_view,
    idle_money_view,
    layer_view,
    layer_weight_view,
    line_view,
    stock_view,
    verdict_view,
)
from stockpile.analysis.results import Results, input_columns, lever_columns
from stockpile.analysis.sensitivity import salib_samples, salib_warnings, sensitivity
from stockpile.analysis.validation import folder_validation
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
    asked: int | None = None  # the deadline given with --deadline, if any

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

    @cached_property
    def names(self) -> Names:
        """Human names of the scenario's systems, lines and countries."""
        return Names.of(self.scenario)

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
    ctx.asked = deadline
    return ctx


def _listed(values) -> str:
    return ", ".join(str(v) for v in sorted(set(values)))


def add_views(ctx: Context) -> None:
    """The report's condensed tables and its analyses, each with its own CSV."""
    runs = ctx.get("runs")
    if runs is not None and len(runs):
        ctx.add("goal", goal_view(runs, ctx.point))
        idle = idle_money_view(runs, ctx.point)
        if idle is not None:
            ctx.add("idle_money", idle)
        weights = layer_weight_view(runs, ctx.point, ctx.key)
        if weights is not None:
            ctx.add("layer_weights", weights)
        by_stock = stock_view(runs, ctx.point)
        if by_stock is not None:
            ctx.add("stocks", by_stock)
        if input_columns(runs):
            ctx.add("sensitivity", sensitivity(ctx.results, ctx.deadlines),
                    f"{ctx.base}/sensitivity.csv")
            noise = salib_warnings(ctx.get("sensitivity"), salib_samples(ctx.results))
            if len(noise):
                ctx.add("sensitivity_noise", noise, f"{ctx.base}/sensitivity_noise.csv")
            ctx.add("discovery", discovery(runs, ctx.deadlines, lever_columns(ctx.results),
                                              label=ctx.names.input, value=input_value),
                    f"{ctx.base}/discovery.csv")
    verdicts = verdict_view(ctx.get("summary"), ctx.point)
    if verdicts is not None:
        ctx.add("verdicts", verdicts)
    by_layer = layer_view(ctx.get("layers_summary"), ctx.point)
    if by_layer is not None:
        ctx.add("layers", by_layer)
    _add_magazine(ctx)
    if ctx.get("timeseries_summary") is not None:
        ctx.add("contribution", contribution(ctx.get("timeseries_summary"), ctx.scenario,
                                             ctx.point))
    if ctx.get("burden") is not None and len(ctx.get("burden")):
        ranked = burden_view(ctx.get("burden"), ctx.point, ctx.asked or ctx.deadlines[-1])
        if ranked is not None:
            ctx.add("burden_ranked", ranked)
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
