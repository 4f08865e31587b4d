"""burden.csv of a sweep: who carries the load, as a median and a 90% interval over runs.

Reads finished tables only: burden_runs.csv (one row per point, run, deadline and goal
member, written in point order) and points.csv. Each numeric column gets its median and
its 5th and 95th percentiles over the point's runs (numpy's linear quantile, as summary.csv's
ratios: runs that agree give exactly their shared value). The month a country first reached
its own multiple is summarised as summary.csv's first_met: runs that never did count as
later than the horizon, and a quantile that falls among them is blank.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from stockpile.analysis.summary import by_point, month_number, month_text, with_levers
from stockpile.experiment.csvstyle import read_csv
from stockpile.experiment.tally import Tally
from stockpile.model.records import BurdenRow

KEYS = ["point", "deadline", "country"]
DATE = "own_first_met_date"
MEASURES = [c for c in BurdenRow._fields if c not in ("deadline", "country", DATE)]
PERCENTS = (5, 50, 95)
ROWS_PER_READ = 50_000  # burden_runs.csv rows parsed at once (a bound on the parser's memory)


def quantile_date(percent: int) -> str:
    """own_first_met_p50_date: a month column's name ends in _date, as everywhere."""
    return f"own_first_met_p{percent}_date"


#: the sweep's burden.csv after ``point`` (and the design's lever columns)
SUMMARY_COLUMNS = ["deadline", "country", "runs",
                   *(f"{m}_p{p}" for m in MEASURES for p in PERCENTS),
                   *(quantile_date(p) for p in PERCENTS), "own_never_met_share"]


def summarise_burden(runs: pd.DataFrame, points: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per point, deadline and member (in the order the runs list them): runs, quantiles of
    every numeric column, quantiles of the own first-met month and the share never met.

    ``runs`` has burden_runs.csv's columns (or a run's burden.csv); ``points`` adds levers.
    All groups at once (a sweep of many points has thousands): numpy's linear quantile as
    ``Tally`` computes it, blanks left out, and a column blank in every run stays blank.
    """
    group = runs.groupby(KEYS, sort=False).ngroup().to_numpy(np.int64)
    first = runs.drop_duplicates(KEYS)
    n = np.bincount(group, minlength=len(first))
    frame = pd.DataFrame({"point": first["point"].to_numpy(np.int64),
                          "deadline": first["deadline"].to_numpy(np.int64),
                          "country": first["country"].to_numpy(object), "runs": n})
    for measure in MEASURES:
        values = runs[measure].to_numpy(np.float64)
        known = ~np.isnan(values)
        stats = Tally.of(group[known], values[known]).stats([p / 100 for p in PERCENTS])
        for p in PERCENTS:
            column = np.full(len(first), np.nan)
            column[stats["key"]] = stats[f"p{p}"]
            frame[f"{measure}_p{p}"] = column
    months = month_number(runs[DATE])
    order = np.lexsort((months, group))
    starts = np.cumsum(n) - n
    for p in PERCENTS:
        at = starts + inverted_cdf(n, p / 100)
        frame[quantile_date(p)] = [month_text(m) for m in months[order][at]]
    frame["own_never_met_share"] = np.bincount(group, weights=np.isinf(months),
                                               minlength=len(first)) / n
    return with_levers(frame[["point", *SUMMARY_COLUMNS]], points, SUMMARY_COLUMNS)


def inverted_cdf(n: np.ndarray, q: float) -> np.ndarray:
    """The rank numpy's ``method="inverted_cdf"`` takes among ``n`` sorted values: the
    smallest whose share of values at or below it reaches ``q`` (as summary.csv's months)."""
    index = n * q - 1
    previous = np.floor(index)
    rank = np.where(index - previous == 0, previous, previous + 1).astype(np.int64)
    return np.clip(rank, 0, n - 1)


def summarise_burden_folder(folder: Path) -> pd.DataFrame:
    """The sweep's burden.csv from its burden_runs.csv.

    Exact quantiles need every run's value, so the file is read once per deadline and one
    point at a time: memory holds one point's runs at one deadline, not the whole file
    (measured on the baseline's 30 members: 50 MB at 1,000 runs, 190 MB at 10,000).
    """
    folder = Path(folder)
    points = read_csv(folder / "points.csv") if (folder / "points.csv").exists() else None
    path = folder / "burden_runs.csv"
    if not path.exists():
        return pd.DataFrame(columns=["point", *SUMMARY_COLUMNS])
    deadlines = list(dict.fromkeys(
        d for block in read_csv(path, usecols=["deadline"], chunksize=ROWS_PER_READ)
        for d in block["deadline"].unique().tolist()))
    parts = [summarise_burden(rows)
             for deadline in deadlines
             for rows in by_point(path, (*KEYS, DATE, *MEASURES), {"country", DATE},
                                  set(MEASURES), ROWS_PER_READ, keep=_at(deadline))]
    if not parts:
        return pd.DataFrame(columns=["point", *SUMMARY_COLUMNS])
    frame = pd.concat(parts, ignore_index=True)
    order = frame["deadline"].map({d: i for i, d in enumerate(deadlines)})
    frame = (frame.assign(order=order).sort_values(["point", "order"], kind="stable")
             .drop(columns="order").reset_index(drop=True))
    return with_levers(frame, points, SUMMARY_COLUMNS)


def _at(deadline: int) -> Callable[[pd.DataFrame], pd.DataFrame]:
    """A block's rows at one deadline."""
    return lambda block: block[block["deadline"] == deadline]
