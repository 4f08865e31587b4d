"""Two scenarios on common random numbers, and their paired difference.

The two sides are either two procurement modes of one config (``--modes``, e.g. national
against joint) or any two scenarios: two config files, or one config and the same with
``--set-b`` overrides. Run r has the seed ``run_seed(root, r)`` on both sides, so both see
the same sampled inputs, stoppages and conflict wherever the scenarios share them (every
random source is drawn from its own named stream): the runs are pairs, and the difference is
estimated on the pairs. Per deadline the probability of meeting the goal differs by
``p_b − p_a`` (second side − first), with Newcombe's (1998, method 10) 95% interval for a
difference of paired proportions, which stays inside [−1, 1] and is sensible for the 0 and 1
proportions that policy goals produce. The first-met month differs run by run; its median
paired difference carries a distribution-free 95% interval from the order statistics (a
pair where one side never met in the horizon counts as a difference beyond any finite one;
pairs where neither met say nothing and are left out). Where a difference comes from is
told by the paired mean differences, by each deadline, of what the goal's members received
(fire units and interceptors delivered), gave away (donated), fired, and of their money.
The median first-met month of a side is the month by which half its runs had met the
target (the lower median, runs that never met counting as later than any month), blank
when more than half never met within the horizon.
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

from stockpile.analysis.summary import month_number, month_text
from stockpile.api import DEFAULT_SEED, RunOutput, simulate
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
from stockpile.scenario import load_scenario
from stockpile.scenario.resolve import goal_members
from stockpile.scenario.schema import Scenario

MODES = ("national", "joint")
CONFIDENCE = 0.95

#: what the goal's members received, gave and fired by each deadline (timeseries flows,
#: summed over their holdings to the deadline) and their money (runs.csv): the measures
#: whose paired differences say where a difference in the goal comes from
SOURCES: dict[str, str] = {
    "fire_units_delivered": "fire units delivered to the goal's members by the deadline",
    "interceptors_delivered": "interceptors delivered to the goal's members by the deadline",
    "fire_units_donated": "fire units the members gave away (donations) by the deadline",
    "interceptors_donated": "interceptors the members gave away by the deadline",
    "interceptors_fired": "interceptors the members fired (training and conflict) by the "
                          "deadline",
    "credited_eur_m": "the members' GBAD money credited by the deadline, EUR m",
    "idle_eur_m": "the members' GBAD money idle at the deadline (free or lapsed), EUR m",
}
_FLOWS = {"fire_units_delivered": "fire_units_delivered", "interceptors_delivered": "delivered",
          "fire_units_donated": "fire_units_donated", "interceptors_donated": "donated",
          "interceptors_fired": "consumed"}

#: compare.csv, one row per deadline (<side> is each compared side, a mode or a scenario's
#: label; differences are 2nd − 1st); runs.csv is the run table of ``records.COLUMNS`` with
#: a first column ``scenario`` and the ``SOURCES`` measures
COLUMNS: dict[str, str] = {
    "deadline": "deadline year; judged at the close of December",
    "runs": "paired runs per side (run r has the same seed on both)",
    "p_met_<side>": "share of the side's runs meeting the goal by the deadline",
    "diff": "p_met of the second side − p_met of the first",
    "ci_low": "95% interval of diff for paired proportions (Newcombe 1998, method 10); "
              "blank for --deterministic",
    "ci_high": "upper end of that interval",
    "median_first_met_<side>": "month by which half the side's runs had met the target "
                               "(blank: more than half never did in the horizon)",
    "median_first_met_diff_months": "second side's median first-met month − the first's",
    "first_met_diff_months": "median over paired runs of (second side's first-met month − "
                             "the first's), months; pairs where neither met are left out, a "
                             "pair where one never met counts beyond any finite difference "
                             "(blank: the median is such a pair)",
    "first_met_diff_low": "distribution-free 95% interval of that median (order statistics; "
                          "blank: unbounded or --deterministic)",
    "first_met_diff_high": "upper end of that interval",
    "first_met_pairs": "paired runs where at least one side met the target in the horizon",
    "never_met_<side>": "runs of the side that never met the target in the horizon",
    "mean_ratio_<side>": "mean over runs of the goal metric at the deadline / baseline",
    "ratio_diff": "mean paired difference of that ratio, second side − first",
    "ratio_ci_low": "95% paired t interval of ratio_diff (blank for --deterministic)",
    "ratio_ci_high": "upper end of that interval",
    **{f"{name}_diff": f"mean paired difference, second side − first: {text}"
       for name, text in SOURCES.items()},
}


@dataclass
class Comparison:
    """Both sides' runs (runs.csv, with a ``scenario`` column) and the per-deadline
    differences; ``by`` says what differs: ``modes`` or ``scenarios``."""

    sides: tuple[str, str]
    scenarios: dict[str, Scenario]
    runs: pd.DataFrame
    table: pd.DataFrame
    seed: int
    deterministic: bool
    by: str = "modes"
    started: str = ""
    finished: str = ""
    countries: pd.DataFrame | None = None  # compare_countries.csv
    country_runs: pd.DataFrame | None = None  # burden_runs.csv, both sides


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


def scenario_pair(first: Path, second: Path | None, overrides: Sequence[str],
                  overrides_b: Sequence[str]) -> dict[str, Scenario]:
    """Two scenarios: ``first``, and ``second`` (default: ``first`` again) with
    ``overrides_b`` on top; ``overrides`` apply to both. Each is labelled by its name, or
    ``a`` and ``b`` when the names are the same."""
    a = load_scenario(first, list(overrides))
    b = load_scenario(second or first, [*overrides, *overrides_b])
    labels = (a.name, b.name) if a.name != b.name else ("a", "b")
    return dict(zip(labels, (a, b), strict=True))


def flow_measures(output: RunOutput, members: Sequence[str],
                  deadlines: Sequence[int]) -> pd.DataFrame:
    """Per deadline, what the members received, gave and fired in one run (the ``SOURCES``
    that are not already in the run table), rows in the goal table's order."""
    stocks = output.timeseries
    stocks = stocks[stocks["country"].isin(members)]
    flows = stocks[list(_FLOWS.values())].to_numpy(dtype=float)
    dates = stocks["date"].to_numpy()
    rows = []
    for deadline in deadlines:
        upto = flows[dates <= f"{int(deadline)}-12"].sum(axis=0)
        rows.append(dict(zip(_FLOWS, upto, strict=True)))
    return pd.DataFrame(rows, columns=list(_FLOWS))


def run_sides(scenarios: dict[str, Scenario], runs: int, root: int, deterministic: bool,
              progress: bool = False, rerun: dict[str, str] | None = None
              ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every run of both sides as runs.csv rows with the ``SOURCES`` measures, and as
    burden rows (per country); run r has the same seed on each side. ``rerun``: per side,
    the command that repeats one run."""
    frames, countries = [], []
    count = 1 if deterministic else runs
    members = {side: goal_members(s) for side, s in scenarios.items()}
    with tqdm(total=count * len(scenarios), desc="compare", unit="run", disable=not progress,
              file=sys.stderr, leave=False) as bar:
        for run in range(count):
            seed = run_seed(root, run)
            for side, scenario in scenarios.items():
                try:
                    output = simulate(scenario, seed=seed, deterministic=deterministic)
                except Exception as exc:
                    again = (rerun or {}).get(side, "stockpile run CONFIG")
                    raise RuntimeError(f"{side} run {run} (seed {seed}) failed: {exc}; rerun "
                                       f"it alone with `{again} --seed {seed}`") from exc
                frame = runs_table(output, point=0, run=run)
                measures = flow_measures(output, members[side], frame["deadline"])
                measures.index = frame.index
                frame = pd.concat([frame, measures], axis=1)
                frame.insert(0, "scenario", side)
                frames.append(frame)
                burden = output.burden[list(COUNTRY_MEASURES)].copy()
                burden.insert(0, "run", run)
                burden.insert(0, "scenario", side)
                countries.append(burden)
                bar.update()
    return pd.concat(frames, ignore_index=True), pd.concat(countries, ignore_index=True)


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


def _month_numbers(dates: Sequence[object]) -> np.ndarray:
    """``YYYY-MM`` as month counts; blank (never met) as infinity."""
    return month_number(pd.Series(list(dates), dtype=object))


def median_month(first_met: Sequence[object]) -> float:
    """The month by which half the runs had met the target (lower median; inf: never)."""
    months = np.sort(_month_numbers(first_met))
    middle = months[math.ceil(len(months) / 2) - 1] if len(months) else math.inf
    return int(middle) if math.isfinite(middle) else math.inf


def difference_table(runs: pd.DataFrame, sides: tuple[str, str],
                     deterministic: bool = False) -> pd.DataFrame:
    """compare.csv: one row per deadline, the columns of ``COLUMNS`` in that order."""
    first, second = sides
    firsts = {m: runs[runs["scenario"] == m].drop_duplicates("run").set_index("run")[
        "first_met"] for m in sides}
    medians = {m: median_month(firsts[m].tolist()) for m in sides}
    never = {m: int(np.isinf(_month_numbers(firsts[m])).sum()) for m in sides}
    gap = medians[second] - medians[first]
    shift = paired_month_difference(firsts[first].tolist(), firsts[second].tolist(),
                                    deterministic)
    rows = []
    for deadline, group in runs.groupby("deadline", sort=True):
        met = group.pivot(index="run", columns="scenario", values="met").astype(bool)
        diff, low, high = paired_difference(met[first].to_numpy(), met[second].to_numpy())
        if deterministic:
            low = high = math.nan  # one run per side is not a sample
        row: dict[str, object] = {"deadline": int(deadline), "runs": len(met)}
        row.update({f"p_met_{m}": float(met[m].mean()) for m in sides})
        row.update({"diff": diff, "ci_low": low, "ci_high": high})
        row.update({f"median_first_met_{m}": month_text(medians[m]) for m in sides})
        row["median_first_met_diff_months"] = gap if math.isfinite(gap) else math.nan
        row.update(shift)
        row.update({f"never_met_{m}": never[m] for m in sides})
        row.update(_ratio_columns(group, sides, deterministic))
        wide = {name: group.pivot(index="run", columns="scenario", values=name).astype(float)
                for name in SOURCES}
        row.update({f"{name}_diff": float((w[second] - w[first]).mean())
                    for name, w in wide.items()})
        rows.append(row)
    return pd.DataFrame(rows)


#: per run, deadline and country (RunOutput.burden): what compare_countries.csv is made of
COUNTRY_MEASURES = ("deadline", "country", "capability", "own_ratio", "own_first_met_date")

#: compare_countries.csv, one row per deadline and goal member (<side> as in COLUMNS)
COUNTRY_COLUMNS: dict[str, str] = {
    "deadline": "deadline year; judged at the close of December",
    "country": "ISO3 code of a goal member",
    "runs": "paired runs per side",
    "p_own_<side>": "share of the side's runs in which the country reached the goal's "
                    "multiple of its own baseline by the deadline (0 with no baseline)",
    "own_diff": "p_own of the second side − p_own of the first",
    "own_ci_low": "95% interval of own_diff for paired proportions (Newcombe 1998, method "
                  "10); blank for --deterministic",
    "own_ci_high": "upper end of that interval",
    "mean_capability_<side>": "mean over runs of the country's part of the goal metric at "
                              "the deadline",
    "capability_diff": "mean paired difference of that capability, second side − first",
    "capability_ci_low": "95% paired t interval of capability_diff (blank for "
                         "--deterministic)",
    "capability_ci_high": "upper end of that interval",
    "own_first_met_diff_months": "median over paired runs of (second side's first month at "
                                 "its own multiple − the first's), months (as "
                                 "first_met_diff_months in compare.csv)",
    "own_first_met_diff_low": "distribution-free 95% interval of that median",
    "own_first_met_diff_high": "upper end of that interval",
}


def country_table(country_runs: pd.DataFrame, sides: tuple[str, str],
                  deterministic: bool = False) -> pd.DataFrame:
    """compare_countries.csv: per deadline and country, each side's chance of the country
    reaching its own multiple, the paired difference and interval, the paired difference
    in capability, and in the first month it reached its own multiple."""
    first, second = sides
    frame = country_runs.assign(
        own_met=[isinstance(d, str) and bool(d) and d <= f"{int(y)}-12"
                 for d, y in zip(country_runs["own_first_met_date"], country_runs["deadline"],
                                 strict=True)])
    rows = []
    for (deadline, country), group in frame.groupby(["deadline", "country"], sort=True):
        wide = {name: group.pivot(index="run", columns="scenario", values=name)
                for name in ("own_met", "capability", "own_first_met_date")}
        met = wide["own_met"].astype(bool)
        diff, low, high = paired_difference(met[first].to_numpy(), met[second].to_numpy())
        capability = wide["capability"].astype(float)
        c_diff, c_low, c_high = paired_mean_difference(capability[first].to_numpy(),
                                                       capability[second].to_numpy())
        if deterministic:
            low = high = c_low = c_high = math.nan
        shift = paired_month_difference(wide["own_first_met_date"][first].tolist(),
                                        wide["own_first_met_date"][second].tolist(),
                                        deterministic)
        row: dict[str, object] = {"deadline": int(deadline), "country": country,
                                  "runs": len(met)}
        row.update({f"p_own_{m}": float(met[m].mean()) for m in sides})
        row.update({"own_diff": diff, "own_ci_low": low, "own_ci_high": high})
        row.update({f"mean_capability_{m}": float(capability[m].mean()) for m in sides})
        row.update({"capability_diff": c_diff, "capability_ci_low": c_low,
                    "capability_ci_high": c_high,
                    "own_first_met_diff_months": shift["first_met_diff_months"],
                    "own_first_met_diff_low": shift["first_met_diff_low"],
                    "own_first_met_diff_high": shift["first_met_diff_high"]})
        rows.append(row)
    return pd.DataFrame(rows)


def paired_month_difference(first: Sequence[object], second: Sequence[object],
                            deterministic: bool = False) -> dict[str, float]:
    """The median over pairs of (second's first-met month − first's) with its 95% interval
    from the order statistics (``median_interval``); pairs where neither side met are left
    out, one that only one side met is ±infinity (reported blank)."""
    a, b = _month_numbers(first), _month_numbers(second)
    either = np.isfinite(a) | np.isfinite(b)
    diffs = sorted((b[either] - a[either]).tolist())
    if not diffs:
        low = high = median = math.nan
    else:
        median = float(np.median(diffs)) if math.isfinite(diffs[0] - diffs[-1]) else \
            diffs[(len(diffs) - 1) // 2]  # a pair beyond the horizon: the lower median
        low, high = (math.nan, math.nan) if deterministic else median_interval(diffs)
    finite = {"first_met_diff_months": median, "first_met_diff_low": low,
              "first_met_diff_high": high}
    return {**{k: v if math.isfinite(v) else math.nan for k, v in finite.items()},
            "first_met_pairs": len(diffs)}


def median_interval(values: Sequence[float]) -> tuple[float, float]:
    """Distribution-free interval for a median: the order statistics (k, n − k + 1) with k
    the largest rank such that Binomial(n, 1/2) puts at most (1 − CONFIDENCE)/2 below k
    (Conover, Practical Nonparametric Statistics, 3rd ed., 3.2); (nan, nan) when n is too
    small for any such pair (n < 6 at 95%)."""
    ordered = sorted(values)
    n = len(ordered)
    k = int(scipy.stats.binom.ppf((1 - CONFIDENCE) / 2, n, 0.5))
    # ppf gives the smallest k with P(X <= k) >= alpha/2; the order statistic below it keeps
    # the coverage at least CONFIDENCE
    if k < 1:
        return math.nan, math.nan
    return float(ordered[k - 1]), float(ordered[n - k])


def _ratio_columns(group: pd.DataFrame, sides: tuple[str, str],
                   deterministic: bool) -> dict[str, float]:
    """How far each side got (metric / baseline), which tells sides apart even when
    neither meets the goal: mean ratio per side and the paired difference."""
    ratio = group.pivot(index="run", columns="scenario", values="ratio").astype(float)
    first, second = sides
    diff, low, high = paired_mean_difference(ratio[first].to_numpy(), ratio[second].to_numpy())
    if deterministic:
        low = high = math.nan
    columns = {f"mean_ratio_{m}": float(ratio[m].mean()) for m in sides}
    columns.update({"ratio_diff": diff, "ratio_ci_low": low, "ratio_ci_high": high})
    return columns


def run_comparison(scenarios: dict[str, Scenario], runs: int, seed: int | None = None,
                   deterministic: bool = False, progress: bool = False, by: str = "modes",
                   rerun: dict[str, str] | None = None) -> Comparison:
    """Run both sides on common random numbers and tabulate the differences."""
    sides = tuple(scenarios)
    if len(sides) != 2:
        raise ValueError("a comparison needs exactly two sides")
    root = DEFAULT_SEED if seed is None else int(seed)
    started = now_iso()
    table_runs, country_runs = run_sides(scenarios, runs, root, deterministic, progress, rerun)
    table = difference_table(table_runs, sides, deterministic)  # type: ignore[arg-type]
    countries = country_table(country_runs, sides, deterministic)  # type: ignore[arg-type]
    return Comparison(sides, scenarios, table_runs, table, root,  # type: ignore[arg-type]
                      deterministic, by, started, now_iso(), countries, country_runs)


def write_comparison(comparison: Comparison, out: Path, force: bool = False) -> None:
    """compare.csv, runs.csv (both sides) and manifest.json, all or nothing."""
    first = comparison.scenarios[comparison.sides[0]]
    runs = int(comparison.runs["run"].nunique())
    details = manifest(
        first, kind="compare", by=comparison.by, sides=list(comparison.sides),
        seed=comparison.seed, runs=runs, deterministic=comparison.deterministic,
        design={"points": 1},
        side_scenario_hashes={m: scenario_hash(s) for m, s in comparison.scenarios.items()},
        started=comparison.started, finished=comparison.finished)
    with staged_folder(out, force) as stage:
        write_csv(comparison.table, stage / "compare.csv")
        write_csv(comparison.runs, stage / "runs.csv")
        if comparison.countries is not None:
            write_csv(comparison.countries, stage / "compare_countries.csv")
            write_csv(comparison.country_runs, stage / "burden_runs.csv")
        restyle_folder(stage, style_named(first.output.csv_style))
        write_json(details, stage / "manifest.json")


def _signed(value: float, digits: int = 2) -> str:
    return "n/a" if math.isnan(value) else f"{value:+.{digits}f}"


def _interval(low: float, high: float) -> str:
    return "n/a" if math.isnan(low) else f"[{low:+.2f}, {high:+.2f}]"


def _block(row: dict, prefix: str, diff: str, low: str, high: str,
           sides: tuple[str, str], widths: list[int]) -> str:
    """One measure of one deadline: both sides, the difference and its interval."""
    cells = [f"{row[prefix + sides[0]]:.2f}", f"{row[prefix + sides[1]]:.2f}",
             _signed(row[diff]), _interval(row[low], row[high])]
    return " ".join(f"{c:>{w}}" for c, w in zip(cells, widths, strict=True))


def _months_text(value: float) -> str:
    return "beyond the horizon" if math.isnan(value) else f"{value:+.0f}"


def _shift_text(row: dict, diff: str) -> str:
    """The paired first-met difference, or why there is none."""
    pairs = int(row["first_met_pairs"])
    if not pairs:
        return f"{diff}, run by run: neither side met the target in the horizon"
    said = f"{diff}, run by run: median {_months_text(row['first_met_diff_months'])} months"
    if not math.isnan(row["first_met_diff_low"]):
        said += (f", 95% interval [{_months_text(row['first_met_diff_low'])}, "
                 f"{_months_text(row['first_met_diff_high'])}]")
    elif pairs < 6 and row["runs"] > 1:
        said += " (too few pairs for an interval)"
    return said + f" ({pairs} pairs where at least one side met it)"


def sources_text(row: dict) -> str:
    """Where a deadline's difference comes from: the paired mean differences of what the
    members received, gave, fired and spent."""
    parts = [f"fire units delivered {row['fire_units_delivered_diff']:+,.0f}",
             f"interceptors delivered {row['interceptors_delivered_diff']:+,.0f}",
             f"donated {row['fire_units_donated_diff']:+,.0f} fire units and "
             f"{row['interceptors_donated_diff']:+,.0f} interceptors",
             f"fired {row['interceptors_fired_diff']:+,.0f}",
             f"GBAD money {row['credited_eur_m_diff']:+,.0f} EUR m "
             f"(idle {row['idle_eur_m_diff']:+,.0f})"]
    return f"  by {row['deadline']}: " + "; ".join(parts)


def comparison_text(comparison: Comparison) -> str:
    """The differences per deadline as a terminal table, then the first-met dates and where
    the difference comes from."""
    first, second = sides = comparison.sides
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
                     + _block(row, "p_met_", "diff", "ci_low", "ci_high", sides, widths) + "  "
                     + _block(row, "mean_ratio_", "ratio_diff", "ratio_ci_low",
                              "ratio_ci_high", sides, widths))
    if len(table):
        top = table.iloc[0].to_dict()
        runs = int(top["runs"])
        dates = [f"{m} {top[f'median_first_met_{m}'] or 'not in the horizon'} "
                 f"({int(top[f'never_met_{m}'])}/{runs} runs never)" for m in sides]
        gap = top["median_first_met_diff_months"]
        lines.append("median first met: " + "; ".join(dates))
        lines.append(f"{diff}: " + ("n/a (a median is not in the horizon)"
                                    if math.isnan(gap) else f"{gap:+.0f} months"))
        lines.append(_shift_text(top, diff))
        lines.append(f"where it comes from ({diff}, mean over paired runs, goal members):")
        lines.extend(sources_text(row) for row in table.to_dict("records"))
    if comparison.countries is not None and len(comparison.countries):
        lines.extend(countries_text(comparison.countries, diff))
    return "\n".join(lines)


def countries_text(countries: pd.DataFrame, diff: str, shown: int = 5) -> list[str]:
    """The countries whose capability moves most at the last deadline (compare_countries.csv
    has them all)."""
    last = countries[countries["deadline"] == countries["deadline"].max()]
    moved = last.reindex(last["capability_diff"].abs().sort_values(ascending=False).index)
    moved = moved[moved["capability_diff"].abs() > 1e-9].head(shown)
    if not len(moved):
        return [f"by country at {int(last['deadline'].max())}: no member's capability moves"]
    lines = [f"by country at {int(last['deadline'].max())} ({diff}, weighted capability, "
             "mean over paired runs; all members in compare_countries.csv):"]
    for row in moved.to_dict("records"):
        spread = "" if math.isnan(row["capability_ci_low"]) else \
            f" [{row['capability_ci_low']:+.2f}, {row['capability_ci_high']:+.2f}]"
        lines.append(f"  {row['country']}: {row['capability_diff']:+.2f}{spread}; "
                     f"P(own multiple) {_signed(row['own_diff'])}")
    return lines
