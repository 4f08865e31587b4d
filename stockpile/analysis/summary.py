"""summary.csv: per point and deadline, how often the goal is met, and when it is reached.

Reads finished tables only (runs.csv and points.csv). The interval on the share of runs
meeting the goal is Wilson's (from scipy), which stays inside [0, 1] and keeps its
coverage at shares near 0 or 1, where most policy questions live. Runs that never reach
the target count as later than the horizon: a time-to-goal quantile that falls among
them is left empty (a date column holds dates only), and they are not dropped (dropping
them would make hopeless policies look fast); ``never_met_share`` says how many there are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import binomtest

from stockpile.experiment.csvstyle import read_csv
from stockpile.scenario.schema import LAYERS

PERCENTS = (5, 25, 50, 75, 95)
CONFIDENCE = 0.95
BASE_COLUMNS = ["deadline", "runs", "met", "p_met", "ci_low", "ci_high",
                *(f"ratio_p{p}" for p in PERCENTS), *(f"first_met_p{p}" for p in PERCENTS),
                "never_met", "never_met_share", "fielded_p_met", "fielded_ratio_p50"]
READ_COLUMNS = ["point", "deadline", "ratio", "met", "first_met", "fielded_ratio",
                "fielded_met"]
#: layers_summary.csv: summary.csv's verdict columns for each layer on its own baseline
LAYER_COLUMNS = ["deadline", "layer", "runs", "met", "p_met", "ci_low", "ci_high",
                 *(f"ratio_p{p}" for p in PERCENTS), *(f"first_met_p{p}" for p in PERCENTS),
                 "never_met", "never_met_share"]
LAYER_READ = [f"{kind}_{layer}" for layer in LAYERS for kind in ("ratio", "met", "first_met")]


def wilson(met: int, runs: int, level: float = CONFIDENCE) -> tuple[float, float]:
    """Wilson score interval for a share of runs; (nan, nan) when there are no runs."""
    if runs <= 0:
        return (float("nan"), float("nan"))
    interval = binomtest(int(met), int(runs)).proportion_ci(confidence_level=level,
                                                            method="wilson")
    return float(interval.low), float(interval.high)


def month_number(dates: pd.Series) -> np.ndarray:
    """``YYYY-MM`` -> months since year 0; blank (never) -> +inf."""
    text = dates.fillna("").astype(str)
    never = text.str.len() == 0
    numbers = np.full(len(text), np.inf)
    if (~never).any():
        parts = text[~never].str.split("-", n=1, expand=True).astype(int)
        numbers[~never.to_numpy()] = (parts[0] * 12 + parts[1] - 1).to_numpy()
    return numbers


def month_text(number: float) -> str:
    """Months since year 0 as ``YYYY-MM``; never (+inf) as empty."""
    if not np.isfinite(number):
        return ""
    whole = int(number)
    return f"{whole // 12:04d}-{whole % 12 + 1:02d}"


def _one(deadline: int, rows: pd.DataFrame) -> dict:
    """One summary row from the runs of one point at one deadline."""
    n = len(rows)
    met = int(rows["met"].astype(bool).sum())
    low, high = wilson(met, n)
    ratios = rows["ratio"].to_numpy(np.float64)
    finite = ratios[np.isfinite(ratios)]
    months = month_number(rows["first_met"])
    row = {"deadline": int(deadline), "runs": n, "met": met,
           "p_met": met / n if n else float("nan"), "ci_low": low, "ci_high": high}
    for p in PERCENTS:
        row[f"ratio_p{p}"] = float(np.quantile(finite, p / 100)) if len(finite) else np.nan
    for p in PERCENTS:
        row[f"first_met_p{p}"] = (month_text(np.quantile(months, p / 100,
                                                          method="inverted_cdf"))
                                  if n else "")
    row["never_met"] = int(np.isinf(months).sum())
    row["never_met_share"] = row["never_met"] / n if n else float("nan")
    # the same verdict on fielded fire units, which does not hang on interceptor stocks
    if "fielded_met" in rows and n:
        row["fielded_p_met"] = float(rows["fielded_met"].astype(bool).mean())
        fielded = rows["fielded_ratio"].to_numpy(np.float64)
        fielded = fielded[np.isfinite(fielded)]
        row["fielded_ratio_p50"] = float(np.median(fielded)) if len(fielded) else np.nan
    return row


def summarise(runs: pd.DataFrame, points: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per point and deadline: runs, met, p_met, Wilson interval, ratio and time quantiles.

    ``runs`` has runs.csv's columns; ``points`` (points.csv) adds the lever columns.
    """
    rows = [{"point": int(point), **_one(deadline, group)}
            for (point, deadline), group in runs.groupby(["point", "deadline"], sort=True)]
    return with_levers(pd.DataFrame(rows, columns=["point", *BASE_COLUMNS]), points)


def summarise_layers(runs: pd.DataFrame, points: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per point, deadline and layer: how often the layer reached the multiple of its own
    baseline, and when (runs whose layer never did count as later than the horizon).

    A layer without a baseline (no ratio in any run: nothing of it at the start) has no
    verdict and no row.
    """
    rows = []
    for layer in LAYERS:
        if f"ratio_{layer}" not in runs or runs[f"ratio_{layer}"].isna().all():
            continue
        own = runs[["point", "deadline", f"ratio_{layer}", f"met_{layer}",
                    f"first_met_{layer}"]].set_axis(
            ["point", "deadline", "ratio", "met", "first_met"], axis=1)
        rows += [{"point": int(point), "layer": layer, **_one(deadline, group)}
                 for (point, deadline), group in own.groupby(["point", "deadline"], sort=True)]
    frame = pd.DataFrame(rows, columns=["point", *LAYER_COLUMNS])
    frame = frame.sort_values(["point", "deadline", "layer"],
                              key=lambda c: c.map(LAYERS.index) if c.name == "layer" else c,
                              kind="stable", ignore_index=True)
    return with_levers(frame, points, LAYER_COLUMNS)


def with_levers(frame: pd.DataFrame, points: pd.DataFrame | None,
                 columns: list[str] = BASE_COLUMNS) -> pd.DataFrame:
    """Lever columns (from points.csv) between ``point`` and ``deadline``."""
    if points is None or len(points.columns) <= 1:
        return frame
    levers = [c for c in points.columns if c != "point"]
    return frame.merge(points, on="point", how="left")[["point", *levers, *columns]]


def _runs_by_point(path: Path, rows_per_read: int = 200_000,
                   columns: tuple[str, ...] = tuple(READ_COLUMNS)) -> Iterator[pd.DataFrame]:
    """runs.csv one point at a time (it is written in point order): memory per point."""
    texts = {c for c in columns if c.startswith("first_met")}
    return by_point(path, columns, texts, {c for c in columns if "ratio" in c}, rows_per_read)


def by_point(path: Path, columns: tuple[str, ...], texts: set[str], blanks: set[str],
             rows_per_read: int = 200_000,
             keep: Callable[[pd.DataFrame], pd.DataFrame] | None = None
             ) -> Iterator[pd.DataFrame]:
    """A table written in point order, one point at a time: memory per point. ``texts``
    are read as text (blank: ''), ``blanks`` as numbers with blank as NaN; ``keep`` picks
    the rows to hold as they are read."""
    held: list[pd.DataFrame] = []
    reader = read_csv(path, usecols=lambda c: c in columns, chunksize=rows_per_read,
                      dtype={c: str for c in texts}, keep_default_na=False,
                      na_values={c: [""] for c in blanks})
    for block in reader:
        if keep is not None:
            block = keep(block)
        for point, part in block.groupby("point", sort=False):
            if held and held[0]["point"].iloc[0] != point:
                yield pd.concat(held)
                held = []
            held.append(part)
    if held:
        yield pd.concat(held)


def summarise_folder(folder: Path) -> pd.DataFrame:
    """summary.csv's frame from a finished sweep folder's runs.csv and points.csv."""
    points_path = Path(folder) / "points.csv"
    points = read_csv(points_path) if points_path.exists() else None
    parts = [summarise(rows) for rows in _runs_by_point(Path(folder) / "runs.csv")]
    if not parts:
        return summarise(pd.DataFrame(columns=READ_COLUMNS), points)
    return with_levers(pd.concat(parts, ignore_index=True), points)


def summarise_layers_folder(folder: Path) -> pd.DataFrame:
    """layers_summary.csv's frame from a finished sweep folder's runs.csv and points.csv."""
    points_path = Path(folder) / "points.csv"
    points = read_csv(points_path) if points_path.exists() else None
    columns = ("point", "deadline", *LAYER_READ)
    parts = [summarise_layers(rows) for rows in _runs_by_point(Path(folder) / "runs.csv",
                                                              columns=columns)]
    if not parts:
        return pd.DataFrame(columns=["point", *LAYER_COLUMNS])
    return with_levers(pd.concat(parts, ignore_index=True), points, LAYER_COLUMNS)


def summary_text(summary: pd.DataFrame, limit: int = 40) -> str:
    """The summary as a terminal table: share meeting the goal, its interval, median times."""
    levers = [c for c in summary.columns if c not in {"point", *BASE_COLUMNS}]
    header = ["point", *(_short(c) for c in levers), "deadline", "runs", "p_met", "95% CI",
              "ratio p50", "first met p50"]
    table = [header]
    for values in summary.head(limit).to_dict("records"):
        table.append([str(values["point"]), *(_cell(values[c]) for c in levers),
                      str(values["deadline"]), str(values["runs"]), _cell(values["p_met"]),
                      f"{_cell(values['ci_low'])}–{_cell(values['ci_high'])}",
                      _cell(values["ratio_p50"]), str(values["first_met_p50"] or "never")])
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    lines = ["  ".join(cell.rjust(w) for cell, w in zip(r, widths, strict=True)) for r in table]
    if len(summary) > limit:
        lines.append(f"... {len(summary) - limit} more rows in summary.csv")
    return "\n".join(lines)


def _short(column: str) -> str:
    return column.rsplit(".", 1)[-1]


def _cell(value: object) -> str:
    if isinstance(value, float | np.floating):
        return "n/a" if np.isnan(value) else f"{value:.3g}" if abs(value) >= 10 \
            else f"{value:.2f}"
    return str(value)
