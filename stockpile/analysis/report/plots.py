"""The report's charts: PNG files drawn headless from summary tables.

Figures are built on ``matplotlib.figure.Figure`` (the Agg canvas, no pyplot state), so a
report renders the same on a server, in CI or in a notebook. Every time axis marks the
deadlines; every value axis says its unit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from stockpile.analysis.derive import BINDING_SHARES, BINDINGS
from stockpile.analysis.report.labels import deadline_date, input_label, is_share, month_dates

DPI = 120
BLUE = "#1f5fa8"
GOAL_RED = "#c0392b"
BINDING_COLOURS = {"money": "#e1a21b", "capacity": "#c0392b", "components": "#7b4ea3",
                   "none": "#d5d8dc"}
BINDING_WORDS = {"money": "money", "capacity": "production capacity",
                 "components": "components (sub-tier)", "none": "nothing binds"}
MAX_PANELS = 12


def _save(fig: Figure, path: Path) -> Path:
    fig.savefig(path, dpi=DPI, bbox_inches="tight", facecolor="white")
    return path


def mark_deadlines(ax, deadlines: Sequence[int]) -> None:
    """A dotted line and the year at the close of each deadline year."""
    for year in deadlines:
        when = deadline_date(year)
        ax.axvline(when, color="#555555", linestyle=":", linewidth=1)
        ax.annotate(f"end {year}", (when, 0.02), xycoords=("data", "axes fraction"),
                    xytext=(-2, 0), textcoords="offset points", fontsize=7, ha="right",
                    va="bottom", rotation=90, color="#555555")


def _ratio_axes(ax, multiplier: float, deadlines: Sequence[int], title: str,
                legend: str) -> None:
    """The goal line, deadlines and labels every capability-ratio chart shares."""
    ax.axhline(multiplier, color=GOAL_RED, linestyle="--", label=f"goal: {multiplier:g}× baseline")
    mark_deadlines(ax, deadlines)
    ax.set_ylim(bottom=0)
    ax.set_ylabel("capability ÷ baseline (×)")
    ax.set_xlabel("date (month end)")
    ax.set_title(title)
    ax.legend(loc=legend, fontsize=8)
    ax.grid(axis="y", alpha=0.3)


def _fan_panel(ax, fan: pd.DataFrame, multiplier: float, deadlines: Sequence[int]) -> None:
    when = month_dates(fan["date"])
    ax.fill_between(when, fan["ratio_p5"], fan["ratio_p95"], color=BLUE, alpha=0.15,
                    linewidth=0, label="90% of runs (p5–p95)")
    ax.fill_between(when, fan["ratio_p25"], fan["ratio_p75"], color=BLUE, alpha=0.35,
                    linewidth=0, label="middle half (p25–p75)")
    ax.plot(when, fan["ratio_p50"], color=BLUE, linewidth=2, label="median run")
    ax.axhline(multiplier, color=GOAL_RED, linestyle="--", linewidth=1.5,
               label=f"goal: {multiplier:g}× baseline")
    mark_deadlines(ax, deadlines)
    ax.set_ylim(0, max(multiplier * 1.15, float(fan["ratio_p95"].max()) * 1.05))
    ax.grid(axis="y", alpha=0.3)


def fan_chart(fan: pd.DataFrame, titles: dict[int, str], multiplier: float,
              deadlines: Sequence[int], path: Path, lever: pd.Series | None = None) -> Path:
    """Capability ÷ baseline over time: one fan per point (up to four), else medians.

    ``lever`` (point -> value, named by its config path) colours the medians.
    """
    points = sorted(fan["point"].unique())
    if len(points) > 4:
        return _medians_chart(fan, multiplier, deadlines, path, lever)
    cols = min(len(points), 2)
    rows = (len(points) + cols - 1) // cols
    fig = Figure(figsize=(9 if cols == 1 else 12, 4.8 * rows))
    axes = np.atleast_1d(fig.subplots(rows, cols, sharey=True, squeeze=False)).ravel()
    for ax, point in zip(axes, points, strict=False):
        _fan_panel(ax, fan[fan["point"] == point], multiplier, deadlines)
        ax.set_title(titles.get(point, f"point {point}"), fontsize=10)
        ax.set_ylabel("capability ÷ baseline (×)")
        ax.set_xlabel("date (month end)")
    for ax in axes[len(points):]:
        ax.set_visible(False)
    axes[0].legend(loc="upper left", fontsize=8)
    fig.suptitle("Collective GBAD capability relative to the baseline", fontsize=12)
    return _save(fig, path)


def _medians_chart(fan: pd.DataFrame, multiplier: float, deadlines: Sequence[int],
                   path: Path, lever: pd.Series | None) -> Path:
    fig = Figure(figsize=(9.5, 5))
    ax = fig.subplots()
    colour = None
    if lever is not None and lever.nunique() > 1:
        from matplotlib import colormaps
        from matplotlib.cm import ScalarMappable
        from matplotlib.colors import Normalize

        norm = Normalize(float(lever.min()), float(lever.max()))
        mappable = ScalarMappable(norm, colormaps["viridis"])
        colour = {int(p): mappable.to_rgba(float(v)) for p, v in lever.items()}
        bar = fig.colorbar(mappable, ax=ax, pad=0.02)
        bar.set_label(input_label(str(lever.name)))
        if is_share(str(lever.name)):
            bar.formatter = PercentFormatter(1.0)
    for point, group in fan.groupby("point"):
        ax.plot(month_dates(group["date"]), group["ratio_p50"], linewidth=1.2,
                color=colour[int(point)] if colour else BLUE, alpha=0.9 if colour else 0.35)
    ax.plot([], [], color="#777777", label=f"median run of each of {fan['point'].nunique()}"
            " design points")
    _ratio_axes(ax, multiplier, deadlines,
                "Collective GBAD capability relative to the baseline", "lower right")
    return _save(fig, path)


def p_met_chart(table: pd.DataFrame, path: Path, group_title: str = "design point") -> Path:
    """Probability of meeting the goal by each deadline, bars with 95% Wilson intervals.

    ``table`` has columns group (a label), deadline, p_met, ci_low, ci_high, runs.
    """
    groups = list(dict.fromkeys(table["group"]))
    deadlines = sorted(table["deadline"].unique())
    width = 0.8 / len(groups)
    fig = Figure(figsize=(max(7.0, 1.6 * len(deadlines) * max(1, len(groups) / 2)), 4.8))
    ax = fig.subplots()
    for i, group in enumerate(groups):
        rows = table[table["group"] == group].set_index("deadline").reindex(deadlines)
        x = np.arange(len(deadlines)) + (i - (len(groups) - 1) / 2) * width
        p = rows["p_met"].to_numpy(dtype=float) * 100
        err = np.vstack([p - rows["ci_low"].to_numpy(dtype=float) * 100,
                         rows["ci_high"].to_numpy(dtype=float) * 100 - p])
        ax.bar(x, p, width * 0.9, label=str(group), alpha=0.85)
        ax.errorbar(x, p, yerr=np.clip(err, 0, None), fmt="none", ecolor="#222222", capsize=3,
                    linewidth=1)
        tops = rows["ci_high"].to_numpy(dtype=float) * 100
        for xi, pi, top in zip(x, p, tops, strict=True):
            if np.isfinite(pi):  # above the interval bar, so the two never overlap
                ax.annotate(f"{pi:.0f}%", (xi, max(pi, top)), xytext=(0, 3),
                            textcoords="offset points", ha="center", fontsize=8)
    ax.set_xticks(np.arange(len(deadlines)), [f"by end of {d}" for d in deadlines])
    ax.set_ylim(0, 108)
    ax.set_ylabel("probability the goal is met (%)")
    ax.set_xlabel("deadline")
    runs = int(table["runs"].max())
    ax.set_title(f"Chance of meeting the goal ({runs:,} runs per {group_title}; bars: 95% "
                 "Wilson interval)", fontsize=10)
    if len(groups) > 1:
        ax.legend(title=group_title, fontsize=8, loc="upper left")
    ax.grid(axis="y", alpha=0.3)
    return _save(fig, path)


def p_met_by_lever_chart(summary: pd.DataFrame, levers: Sequence[str], deadline: int,
                         path: Path) -> Path:
    """Many design points: p_met at one deadline against each lever, with intervals."""
    rows = summary[summary["deadline"] == deadline]
    levers = list(levers)[:4]
    fig = Figure(figsize=(4.5 * len(levers), 4.2))
    axes = np.atleast_1d(fig.subplots(1, len(levers), sharey=True))
    for ax, lever in zip(axes, levers, strict=True):
        p = rows["p_met"] * 100
        err = np.vstack([p - rows["ci_low"] * 100, rows["ci_high"] * 100 - p])
        ax.errorbar(rows[lever], p, yerr=np.clip(err, 0, None), fmt="o", color=BLUE,
                    ecolor="#999999", markersize=4, capsize=2)
        ax.set_xlabel(input_label(lever))
        if is_share(lever):
            ax.xaxis.set_major_formatter(PercentFormatter(1.0))
        ax.grid(alpha=0.3)
    axes[0].set_ylabel(f"probability the goal is met by end of {deadline} (%)")
    axes[0].set_ylim(-3, 103)
    fig.suptitle(f"Chance of meeting the goal by {deadline}, by design point (95% intervals)",
                 fontsize=11)
    return _save(fig, path)


def countries_chart(contribution: pd.DataFrame, target: float, deadlines: Sequence[int],
                    metric: str, path: Path, top: int = 8,
                    name: Callable[[str], str] = str) -> Path:
    """Who carries the load: stacked mean weighted metric by country, the rest as 'others'."""
    wide = contribution.pivot_table(index="date", columns="country", values="value",
                                    aggfunc="sum").fillna(0.0)
    order = wide.iloc[-1].sort_values(ascending=False).index
    keep = list(order[:top])
    stacked = wide[keep].copy()
    if len(order) > top:
        stacked[f"{len(order) - top} others"] = wide[list(order[top:])].sum(axis=1)
    fig = Figure(figsize=(9, 5))
    ax = fig.subplots()
    when = month_dates(pd.Series(stacked.index))
    colours = [f"C{i}" for i in range(len(stacked.columns) - 1)] + ["#bbbbbb"]
    labels = [name(c) if c in wide.columns else c for c in stacked.columns]
    ax.stackplot(when, stacked.T.to_numpy(), labels=labels,
                 colors=colours[:len(stacked.columns)], alpha=0.85)
    ax.axhline(target, color=GOAL_RED, linestyle="--", label=f"target ({target:,.0f})")
    mark_deadlines(ax, deadlines)
    ax.set_ylabel(f"weighted {metric.replace('_', ' ')} (mean of runs)")
    ax.set_xlabel("date (month end)")
    ax.set_title("Contribution of each country to the collective goal")
    ax.legend(loc="upper left", fontsize=8, ncol=2)
    ax.grid(axis="y", alpha=0.3)
    return _save(fig, path)


def binding_chart(constraints_summary: pd.DataFrame, deadlines: Sequence[int],
                  path: Path) -> Path:
    """What holds countries back each month: shares of country-months, stacked."""
    shares = constraints_summary.groupby("date", sort=True)[BINDING_SHARES].mean() * 100
    fig = Figure(figsize=(9, 4.5))
    ax = fig.subplots()
    ax.stackplot(month_dates(pd.Series(shares.index)), shares.T.to_numpy(),
                 labels=[BINDING_WORDS[b] for b in BINDINGS],
                 colors=[BINDING_COLOURS[b] for b in BINDINGS], alpha=0.9)
    mark_deadlines(ax, deadlines)
    ax.set_ylim(0, 100)
    ax.set_ylabel("share of countries (%, all runs)")
    ax.set_xlabel("date (month end)")
    ax.set_title("The binding constraint: what stops countries buying or receiving more")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=4, fontsize=8)
    return _save(fig, path)


def lines_chart(production_summary: pd.DataFrame, deadlines: Sequence[int], path: Path,
                name: Callable[[str], str] = str) -> Path:
    """Capacity against demand per production line (the busiest lines), small multiples."""
    frame = production_summary
    peak = frame.groupby("line")["backlog_mean"].max().sort_values(ascending=False)
    lines = list(peak.index[:MAX_PANELS])
    cols = 3 if len(lines) > 4 else max(1, len(lines))
    rows = (len(lines) + cols - 1) // cols
    fig = Figure(figsize=(4.2 * cols, 2.9 * rows))
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False)).ravel()
    for ax, line in zip(axes, lines, strict=False):
        _line_panel(ax, frame[frame["line"] == line].sort_values("date"), name(line), deadlines)
    for ax in axes[len(lines):]:
        ax.set_visible(False)
    handles, labels = axes[0].get_legend_handles_labels()
    twin = [a for a in fig.axes if a not in axes]
    if twin:
        more = twin[0].get_legend_handles_labels()
        handles, labels = handles + more[0], labels + more[1]
    fig.legend(handles, labels, loc="lower center", ncol=4, fontsize=8,
               bbox_to_anchor=(0.5, -0.02))
    fig.suptitle("Production lines: capacity and starts (units/month, left) against the "
                 "European backlog (units, right)", fontsize=11)
    fig.tight_layout(rect=(0, 0.04, 1, 0.97))
    return _save(fig, path)


def _line_panel(ax, group: pd.DataFrame, line: str, deadlines: Sequence[int]) -> None:
    when = month_dates(group["date"])
    ax.plot(when, group["capacity_mean"], color="#222222", linewidth=1.5,
            label="capacity, all customers")
    if "europe_capacity_mean" in group:
        ax.plot(when, group["europe_capacity_mean"], color=BLUE, linestyle="--",
                linewidth=1.2, label="capacity open to Europe")
    ax.fill_between(when, 0, group["started_mean"], color=BLUE, alpha=0.3, linewidth=0,
                    label="started for Europe")
    ax.set_ylim(bottom=0)
    ax.set_title(line, fontsize=9)
    ax.tick_params(labelsize=7)
    for year in deadlines:
        ax.axvline(deadline_date(year), color="#888888", linestyle=":", linewidth=0.8)
    twin = ax.twinx()
    twin.plot(when, group["backlog_mean"], color="#e67e22", linewidth=1.2, label="European backlog")
    twin.set_ylim(bottom=0)
    twin.tick_params(labelsize=7, colors="#e67e22")


def tornado_chart(table: pd.DataFrame, title: str, xlabel: str, path: Path,
                  top: int = 10, label: Callable[[str], str] = input_label) -> Path:
    """Inputs ranked by influence; ``table`` has input, index and optional conf columns."""
    rows = table.reindex(table["index"].abs().sort_values(ascending=False).index).head(top)
    rows = rows.iloc[::-1]
    fig = Figure(figsize=(8.5, max(2.6, 0.45 * len(rows) + 1.6)))  # one bar is still legible
    ax = fig.subplots()
    colours = [BLUE if v >= 0 else GOAL_RED for v in rows["index"]]
    conf = rows["conf"].to_numpy(dtype=float) if "conf" in rows else None
    ax.barh([label(i) for i in rows["input"]], rows["index"], color=colours,
            xerr=None if conf is None or np.isnan(conf).all() else np.nan_to_num(conf),
            ecolor="#444444", capsize=3)
    ax.axvline(0, color="#222222", linewidth=0.8)
    ax.set_xlabel(xlabel)
    ax.set_title(title, fontsize=10)
    ax.grid(axis="x", alpha=0.3)
    return _save(fig, path)


def configs_fan_chart(fans: dict[str, pd.DataFrame], multiplier: float,
                      deadlines: Sequence[int], path: Path) -> Path:
    """A batch: each scenario's median capability path, with its middle half shaded."""
    fig = Figure(figsize=(9.5, 5))
    ax = fig.subplots()
    for i, (name, fan) in enumerate(fans.items()):
        when = month_dates(fan["date"])
        ax.fill_between(when, fan["ratio_p25"], fan["ratio_p75"], color=f"C{i}", alpha=0.2,
                        linewidth=0)
        ax.plot(when, fan["ratio_p50"], color=f"C{i}", linewidth=2, label=name)
    _ratio_axes(ax, multiplier, deadlines,
                "Scenarios compared: median run and middle half of runs", "upper left")
    return _save(fig, path)


def validation_chart(table: pd.DataFrame, path: Path) -> Path:
    """Each checkpoint's modelled value against the public one, in tolerance widths.

    0 is the public value; the shaded band is the tolerance (±1); a checkpoint with no
    tolerance is drawn in widths of half a unit, so 'one off' shows as 2.
    """
    rows = table[table["within"] != ""].iloc[::-1]
    width = ((rows["high"] - rows["low"]) / 2.0).clip(lower=0.5)
    offset = ((rows["modelled"].astype(float) - rows["public"]) / width).clip(-6, 6)
    fig = Figure(figsize=(7.5, 0.32 * len(rows) + 1.2))
    ax = fig.subplots()
    ax.axvspan(-1, 1, color="#d4efdf", label="within tolerance")
    ax.axvline(0, color="#555555", linewidth=1)
    colours = [BLUE if hit is True else GOAL_RED for hit in rows["within"]]
    ax.scatter(offset, range(len(rows)), color=colours, zorder=3)
    ax.set_yticks(range(len(rows)), rows["checkpoint"], fontsize=7)
    ax.set_xlim(-6.5, 6.5)
    ax.set_xlabel("modelled − public, in tolerance widths (cut at ±6)")
    ax.set_title("The model against the public record")
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    return _save(fig, path)


def magazine_chart(table: pd.DataFrame, deadlines: Sequence[int], path: Path) -> Path:
    """Europe's days of fire by layer, month by month."""
    europe = table[(table["country"] == "Europe") & (table["system"] == "all")]
    fig = Figure(figsize=(8, 4))
    ax = fig.subplots()
    for layer, rows in europe.groupby("layer", sort=True):
        rows = rows.sort_values("date")
        ax.plot(month_dates(rows["date"]), rows["days_of_fire"], label=str(layer)
                .replace("_", " "))
    mark_deadlines(ax, deadlines)
    rate = float(table["rate_per_fu_per_day"].iloc[0]) if len(table) else float("nan")
    ax.set_ylim(bottom=0)
    ax.set_ylabel("days of fire")
    ax.set_xlabel("date (month end)")
    ax.set_title(f"Europe's days of fire by layer at {rate:g} interceptors per fire unit a day")
    ax.legend(loc="upper left", fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    return _save(fig, path)


def frontier_chart(table: pd.DataFrame, prob: float, deadline: int, path: Path) -> Path:
    """Every mix tried (frontier.csv): cost against P(goal met) with its 95% interval, the
    cost-probability frontier as a step line and the required probability."""
    fig = Figure(figsize=(7.5, 4.5))
    ax = fig.subplots()
    cost = table["cost_eur_m"] / 1000.0
    error = [table["p_met"] - table["ci_low"], table["ci_high"] - table["p_met"]]
    ax.errorbar(cost, table["p_met"], yerr=error, fmt="o", color="#888888", ms=4,
                elinewidth=0.8, alpha=0.7, label="mix tried (95% interval)")
    front = table[table["on_frontier"]].sort_values("cost_eur_m")
    ax.step(front["cost_eur_m"] / 1000.0, front["p_met"], where="post", color=BLUE,
            label="frontier")
    best = table[table["cheapest"]]
    if len(best):
        ax.plot(best["cost_eur_m"] / 1000.0, best["p_met"], "*", color=GOAL_RED, ms=14,
                label="cheapest meeting the probability")
    ax.axhline(prob, color=GOAL_RED, linestyle="--", linewidth=1, label=f"required: {prob:g}")
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("cost above the cheapest corner (EUR bn)")
    ax.set_ylabel(f"P(goal met by end {deadline})")
    ax.set_title("Cost against the chance of meeting the goal")
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(alpha=0.3)
    return _save(fig, path)
