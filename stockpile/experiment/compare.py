"""One scenario under two procurement modes, on common random numbers, and the difference.

Run r has the seed ``run_seed(root, r)`` in both modes, so both see the same sampled inputs,
stoppages and conflict (every random source is drawn from its own named stream): the runs
are pairs, and the difference between modes is estimated on the pairs. Per deadline the
probability of meeting the goal differs by ``p_second − p_first`` (e.g. joint − national),
with Newcombe's (1998, method 10) 95% interval for a difference of paired proportions, which
stays inside [−1, 1] and is sensible for the 0 and 1 proportions that policy goals produce.
The median first-met month is the month by which half of a mode's runs had met the target
(the lower median of the first-met months, runs that never met counting as later than any
month), blank when more than half never met within the horizon.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.stats
from tqdm import tqdm

from stockpile.api import DEFAULT_SEED, simulate
from stockpile.experiment.csvstyle import restyle_folder, style_named
from stockpile.experiment.output import (
    manifest,
    now_iso,
    scenario_hash,
    staged_folder,
    write_csv,
    write_json,
)
from stockpile.experiment.seeds import run_seed
from stockpile.experiment.tables import runs_table
from stockpile.model.calendar import parse_month
from stockpile.scenario import load_scenario
from stockpile.scenario.schema import Scenario

MODES = ("national", "joint")
CONFIDENCE = 0.95

#: compare.csv, one row per deadline (<mode> is each compared mode; differences are 2nd − 1st);
#: runs.csv is the run table of ``records.COLUMNS`` with a first column ``mode``
COLUMNS: dict[str, str] = {
    "deadline": "deadline year; judged at the close of December",
    "runs": "paired runs per mode (run r has the same seed in both)",
    "p_met_<mode>": "share of the mode's runs meeting the goal by the deadline",
    "diff": "p_met of the second mode − p_met of the first",
    "ci_low": "95% interval of diff for paired proportions (Newcombe 1998, method 10); "
              "blank for --deterministic",
    "ci_high": "upper end of that interval",
    "median_first_met_<mode>": "month by which half the mode's runs had met the target "
                               "(blank: more than half never did in the horizon)",
    "median_first_met_diff_months": "second mode's median first-met month − the first's",
    "never_met_<mode>": "runs of the mode that never met the target in the horizon",
    "mean_ratio_<mode>": "mean over runs of the goal metric at the deadline / baseline",
    "ratio_diff": "mean paired difference of that ratio, second mode − first",
    "ratio_ci_low": "95% paired t interval of ratio_diff (blank for --deterministic)",
    "ratio_ci_high": "upper end of that interval",
}


@dataclass
class Comparison:
    """Both modes' runs (runs.csv, with a ``mode`` column) and the per-deadline differences."""

    modes: tuple[str, str]
    scenarios: dict[str, Scenario]
    runs: pd.DataFrame
    table: pd.DataFrame
    seed: int
    deterministic: bool
    started: str = ""
    finished: str = ""


def parse_modes(text: str) -> tuple[str, str]:
    """``national,joint`` -> two distinct known modes, in the order given (diff = 2nd − 1st)."""
    modes = tuple(m.strip() for m in text.split(",") if m.strip())
    unknown = [m for m in modes if m not in MODES]
    if unknown:
        raise ValueError(f"unknown mode '{unknown[0]}' (one of {', '.join(MODES)})")
    if len(modes) != 2 or modes[0] == modes[1]:
        raise ValueError("give two different modes, e.g. national,joint")
    return modes[0], modes[1]


def mode_scenarios(config: Path, overrides: Sequence[str],
                   modes: Sequence[str]) -> dict[str, Scenario]:
    """The scenario once per mode: the user's overrides, then ``procurement.mode``."""
    return {mode: load_scenario(config, [*overrides, f"procurement.mode={mode}"])
            for mode in modes}


def run_modes(scenarios: dict[str, Scenario], runs: int, root: int, deterministic: bool,
              progress: bool = False) -> pd.DataFrame:
    """Every run of every mode as runs.csv rows; run r has the same seed in each mode."""
    frames = []
    count = 1 if deterministic else runs
    with tqdm(total=count * len(scenarios), desc="compare", unit="run", disable=not progress,
              file=sys.stderr, leave=False) as bar:
        for run in range(count):
            seed = run_seed(root, run)
            for mode, scenario in scenarios.items():
                try:
                    output = simulate(scenario, seed=seed, deterministic=deterministic)
                except Exception as exc:
                    raise RuntimeError(
                        f"{mode} run {run} (seed {seed}) failed: {exc}; rerun it alone with "
                        f"`stockpile run CONFIG --seed {seed} --set procurement.mode={mode}`"
                    ) from exc
                frame = runs_table(output, point=0, run=run)
                frame.insert(0, "mode", mode)
                frames.append(frame)
                bar.update()
    return pd.concat(frames, ignore_index=True)


def _wilson(successes: int, n: int) -> tuple[float, float]:
    ci = scipy.stats.binomtest(successes, n).proportion_ci(CONFIDENCE, method="wilson")
    return float(ci.low), float(ci.high)


def paired_difference(first: Sequence[bool], second: Sequence[bool]) -> tuple[float, float, float]:
    """``p_second − p_first`` and Newcombe's method-10 interval for paired proportions.

    The square-and-add interval of Newcombe (Statist. Med. 1998, 17:2635-50) combines the
    Wilson intervals of both proportions with their estimated correlation (continuity
    corrected, as in Fagerland, Lydersen & Laake 2017, ch. 8).
    """
    x = np.asarray(second, dtype=bool)  # Newcombe's first proportion (rows)
    y = np.asarray(first, dtype=bool)  # second proportion (columns)
    n = len(x)
    a, b = int(np.sum(x & y)), int(np.sum(x & ~y))
    c, d = int(np.sum(~x & y)), int(np.sum(~x & ~y))
    p1, p2 = (a + b) / n, (a + c) / n
    l1, u1 = _wilson(a + b, n)
    l2, u2 = _wilson(a + c, n)
    margins = (a + b) * (c + d) * (a + c) * (b + d)
    cross = a * d - b * c
    if margins == 0 or 0 <= cross <= n / 2:
        phi = 0.0
    else:
        phi = (cross - n / 2 if cross > n / 2 else cross) / math.sqrt(margins)
    diff = p1 - p2
    low = diff - math.sqrt(max(0.0, (p1 - l1) ** 2 + (u2 - p2) ** 2
                                - 2 * phi * (p1 - l1) * (u2 - p2)))
    high = diff + math.sqrt(max(0.0, (p2 - l2) ** 2 + (u1 - p1) ** 2
                                 - 2 * phi * (p2 - l2) * (u1 - p1)))
    return diff, max(-1.0, low), min(1.0, high)


def paired_mean_difference(first: Sequence[float],
                           second: Sequence[float]) -> tuple[float, float, float]:
    """Mean of ``second − first`` over paired runs, with the paired t 95% interval."""
    x, y = np.asarray(second, dtype=float), np.asarray(first, dtype=float)
    diff = float(np.mean(x - y))
    if len(x) < 2:
        return diff, math.nan, math.nan
    if np.ptp(x - y) == 0:
        return diff, diff, diff  # every pair differs by the same amount
    ci = scipy.stats.ttest_rel(x, y).confidence_interval(CONFIDENCE)
    return diff, float(ci.low), float(ci.high)


def _month_number(date: object) -> float:
    """``YYYY-MM`` as a month count; blank (never met) as infinity."""
    if not isinstance(date, str) or not date:
        return math.inf
    year, month = parse_month(date)
    return year * 12 + month - 1


def median_month(first_met: Sequence[object]) -> float:
    """The month by which half the runs had met the target (lower median; inf: never)."""
    months = sorted(_month_number(d) for d in first_met)
    return months[math.ceil(len(months) / 2) - 1] if months else math.inf


def _month_text(number: float) -> str:
    if math.isinf(number):
        return ""
    number = int(number)
    return f"{number // 12:04d}-{number % 12 + 1:02d}"


def difference_table(runs: pd.DataFrame, modes: tuple[str, str],
                     deterministic: bool = False) -> pd.DataFrame:
    """compare.csv: one row per deadline, the columns of ``COLUMNS`` in that order."""
    first, second = modes
    firsts = {m: runs[runs["mode"] == m].drop_duplicates("run").set_index("run")["first_met"]
              for m in modes}
    medians = {m: median_month(firsts[m].tolist()) for m in modes}
    gap = medians[second] - medians[first]
    rows = []
    for deadline, group in runs.groupby("deadline", sort=True):
        met = group.pivot(index="run", columns="mode", values="met").astype(bool)
        diff, low, high = paired_difference(met[first].to_numpy(), met[second].to_numpy())
        if deterministic:
            low = high = math.nan  # one run per mode is not a sample
        row: dict[str, object] = {"deadline": int(deadline), "runs": len(met)}
        row.update({f"p_met_{m}": float(met[m].mean()) for m in modes})
        row.update({"diff": diff, "ci_low": low, "ci_high": high})
        row.update({f"median_first_met_{m}": _month_text(medians[m]) for m in modes})
        row["median_first_met_diff_months"] = gap if math.isfinite(gap) else math.nan
        row.update({f"never_met_{m}": int(sum(math.isinf(_month_number(d))
                                              for d in firsts[m])) for m in modes})
        row.update(_ratio_columns(group, modes, deterministic))
        rows.append(row)
    return pd.DataFrame(rows)


def _ratio_columns(group: pd.DataFrame, modes: tuple[str, str],
                   deterministic: bool) -> dict[str, float]:
    """How far each mode got (metric / baseline), which tells modes apart even when
    neither meets the goal: mean ratio per mode and the paired difference."""
    ratio = group.pivot(index="run", columns="mode", values="ratio").astype(float)
    first, second = modes
    diff, low, high = paired_mean_difference(ratio[first].to_numpy(), ratio[second].to_numpy())
    if deterministic:
        low = high = math.nan
    columns = {f"mean_ratio_{m}": float(ratio[m].mean()) for m in modes}
    columns.update({"ratio_diff": diff, "ratio_ci_low": low, "ratio_ci_high": high})
    return columns


def run_comparison(scenarios: dict[str, Scenario], runs: int, seed: int | None = None,
                   deterministic: bool = False, progress: bool = False) -> Comparison:
    """Run both modes on common random numbers and tabulate the differences."""
    modes = tuple(scenarios)
    if len(modes) != 2:
        raise ValueError("a comparison needs exactly two modes")
    root = DEFAULT_SEED if seed is None else int(seed)
    started = now_iso()
    table_runs = run_modes(scenarios, runs, root, deterministic, progress)
    table = difference_table(table_runs, modes, deterministic)  # type: ignore[arg-type]
    return Comparison(modes, scenarios, table_runs, table, root,  # type: ignore[arg-type]
                      deterministic, started, now_iso())


def write_comparison(comparison: Comparison, out: Path, force: bool = False) -> None:
    """compare.csv, runs.csv (both modes) and manifest.json, all or nothing."""
    first = comparison.scenarios[comparison.modes[0]]
    runs = int(comparison.runs["run"].nunique())
    details = manifest(
        first, kind="compare", modes=list(comparison.modes), seed=comparison.seed, runs=runs,
        deterministic=comparison.deterministic, design={"points": 1},
        mode_scenario_hashes={m: scenario_hash(s) for m, s in comparison.scenarios.items()},
        started=comparison.started, finished=comparison.finished)
    with staged_folder(out, force) as stage:
        write_csv(comparison.table, stage / "compare.csv")
        write_csv(comparison.runs, stage / "runs.csv")
        restyle_folder(stage, style_named(first.output.csv_style))
        write_json(details, stage / "manifest.json")


def _signed(value: float, digits: int = 2) -> str:
    return "n/a" if math.isnan(value) else f"{value:+.{digits}f}"


def _interval(low: float, high: float) -> str:
    return "n/a" if math.isnan(low) else f"[{low:+.2f}, {high:+.2f}]"


def _block(row: dict, prefix: str, diff: str, low: str, high: str,
           modes: tuple[str, str], widths: list[int]) -> str:
    """One measure of one deadline: both modes, the difference and its interval."""
    cells = [f"{row[prefix + modes[0]]:.2f}", f"{row[prefix + modes[1]]:.2f}",
             _signed(row[diff]), _interval(row[low], row[high])]
    return " ".join(f"{c:>{w}}" for c, w in zip(cells, widths, strict=True))


def comparison_text(comparison: Comparison) -> str:
    """The differences per deadline as a terminal table, then the first-met dates."""
    first, second = comparison.modes
    modes = comparison.modes
    table = comparison.table
    diff = f"{second} − {first}"
    names = [first, second, diff, "95% CI"]
    widths = [max(len(first), 5), max(len(second), 5), len(diff), 16]
    span = sum(widths) + len(widths) - 1
    head = " ".join(f"{n:>{w}}" for n, w in zip(names, widths, strict=True))
    lines = [f"{'':8}  {'P(goal met)':<{span}}  ratio to baseline (mean)",
             f"{'deadline':>8}  {head}  {head}"]
    for row in table.to_dict("records"):
        lines.append(f"{row['deadline']:>8}  "
                     + _block(row, "p_met_", "diff", "ci_low", "ci_high", modes, widths) + "  "
                     + _block(row, "mean_ratio_", "ratio_diff", "ratio_ci_low",
                              "ratio_ci_high", modes, widths))
    if len(table):
        top = table.iloc[0]
        runs = int(top["runs"])
        dates = [f"{m} {top[f'median_first_met_{m}'] or 'not in the horizon'} "
                 f"({int(top[f'never_met_{m}'])}/{runs} runs never)" for m in modes]
        gap = top["median_first_met_diff_months"]
        lines.append("median first met: " + "; ".join(dates))
        lines.append(f"{diff}: " + ("n/a (a median is not in the horizon)"
                                    if math.isnan(gap) else f"{gap:+.0f} months"))
    return "\n".join(lines)
