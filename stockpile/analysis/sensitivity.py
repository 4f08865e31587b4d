"""Which inputs drive meeting the goal: SALib indices for SALib designs, rank correlation else.

A sweep made with ``--design sobol|morris`` stores SALib's problem in its manifest
(``design.spec.problem``); its points are SALib's sample in order, so SALib.analyze runs on each
point's mean outcome across runs. Any other sweep (LHS, grid, or plain Monte Carlo over the
scenario's distributions) is ranked by Spearman's rank correlation between each sampled input
in runs.csv and the capability ratio (or the met flag) at a deadline: monotone effects
show, no linearity is assumed, and it needs no extra runs.

sensitivity.csv columns: deadline, outcome, input, method, index, conf, p_value, rank,
beyond_noise. ``conf`` is the half-width of a 95% interval: SALib's own S1_conf, ST_conf or
mu_star_conf (bootstrap) for its rows, Fisher's z interval for Spearman's ρ.
``beyond_noise`` says whether the effect stands out from sampling noise (``beyond_noise``
below); the report ranks and names only those rows, and warns (``salib_warnings``) where a
SALib design had too few base samples for its indices to mean anything.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from stockpile.analysis.results import Results, input_columns, lever_columns

COLUMNS = ["deadline", "outcome", "input", "method", "index", "conf", "p_value", "rank",
           "beyond_noise"]
SALIB_SEED = 1  # bootstrap intervals are reproducible (SALib ignores a seed of 0: `if seed:`)
GROUP = ["deadline", "outcome", "method"]


def _ranked(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=COLUMNS[:-2])
    if frame.empty:
        return pd.DataFrame(columns=COLUMNS)
    frame["rank"] = (frame.groupby(["deadline", "outcome", "method"])["index"]
                     .transform(lambda s: s.abs().rank(ascending=False, method="min"))
                     .astype(int))
    frame["beyond_noise"] = beyond_noise(frame)
    return frame.sort_values(["deadline", "outcome", "method", "rank"], kind="stable",
                             ignore_index=True)


def paired(frame: pd.DataFrame, column: str, outcome: str, levers: list[str]) -> pd.DataFrame:
    """The (x, y) pairs to correlate, one per independent draw of the input.

    Under common random numbers run r draws the same uncertain inputs at every design
    point, so pooling all rows would count one draw once per point and overstate the
    evidence. A lever is compared across points (x: its value, y: the point's mean
    outcome); an input drawn per run across runs (y: the run's outcome less its point's
    mean, averaged over points); anything else row by row.
    """
    if column in levers:
        return frame.groupby("point").agg(x=(column, "first"), y=(outcome, "mean"))
    if frame.groupby("run")[column].nunique().max() == 1:
        residual = frame[outcome] - frame.groupby("point")[outcome].transform("mean")
        slim = pd.DataFrame({"run": frame["run"], "x": frame[column], "y": residual})
        return slim.groupby("run").agg(x=("x", "first"), y=("y", "mean"))
    return pd.DataFrame({"x": frame[column], "y": frame[outcome]})


def spearman(runs: pd.DataFrame, deadline: int, levers: list[str] | None = None
             ) -> pd.DataFrame:
    """Rank correlation of each input with the ratio and with met, at one deadline."""
    frame = runs[runs["deadline"] == deadline].assign(met=lambda f: f["met"].astype(float))
    rows = []
    for outcome in ("ratio", "met"):
        if frame[outcome].nunique() < 2:
            continue
        for column in input_columns(frame):
            pairs = paired(frame, column, outcome, levers or []).dropna()
            if len(pairs) < 4 or pairs["x"].nunique() < 2 or pairs["y"].nunique() < 2:
                continue
            test = stats.spearmanr(pairs["x"], pairs["y"])
            rho = float(test.statistic)
            rows.append({"deadline": deadline, "outcome": outcome, "input": column,
                         "method": "spearman", "index": rho,
                         "conf": _fisher_half_width(rho, len(pairs)),
                         "p_value": float(test.pvalue)})
    return _ranked(rows)


def _fisher_half_width(rho: float, n: int) -> float:
    """Half the width of a 95% interval of a correlation (Fisher z; Spearman-adjusted)."""
    if n <= 3 or not np.isfinite(rho) or abs(rho) >= 1:
        return float("nan")
    se = np.sqrt((1 + rho**2 / 2) / (n - 3))
    z = np.arctanh(rho)
    return float((np.tanh(z + 1.96 * se) - np.tanh(z - 1.96 * se)) / 2)


def point_outcomes(results: Results, deadline: int) -> pd.DataFrame:
    """Per point, in point order: mean ratio and share met at the deadline."""
    runs = results.tables.get("runs")
    if runs is not None and len(runs):
        rows = runs[runs["deadline"] == deadline]
        grouped = rows.groupby("point", sort=True)
        return pd.DataFrame({"ratio": grouped["ratio"].mean(),
                             "met": grouped["met"].mean()}).reset_index()
    summary = results.tables["summary"]
    rows = summary[summary["deadline"] == deadline].sort_values("point")
    return pd.DataFrame({"point": rows["point"], "ratio": rows["ratio_p50"],
                         "met": rows["p_met"]}).reset_index(drop=True)


def salib_design(manifest: dict) -> dict | None:
    """A SALib design's settings from a manifest: kind sobol or morris, problem, levels.

    The sweep stores a design as {kind, levers, points, spec}; SALib designs keep their
    problem in spec (see stockpile.experiment.salib_design).
    """
    design = manifest.get("design")
    if not isinstance(design, dict) or design.get("kind") not in ("sobol", "morris"):
        return None
    spec = {**design, **(design.get("spec") or {})}
    return spec if isinstance(spec.get("problem"), dict) else None


def salib(results: Results, deadline: int) -> pd.DataFrame:
    """Sobol S1/ST or Morris mu*/sigma of each lever on the points' mean outcomes."""
    design = salib_design(results.manifest)
    if design is None or "points" not in results.tables:
        return pd.DataFrame(columns=COLUMNS)
    problem = design["problem"]
    outcomes = point_outcomes(results, deadline)
    points = results.tables["points"].sort_values("point")
    if len(outcomes) != len(points) or outcomes[["ratio", "met"]].isna().any().any():
        warnings.warn("SALib analysis skipped: some design points have no finished runs",
                      stacklevel=2)
        return pd.DataFrame(columns=COLUMNS)
    rows = []
    for outcome in ("ratio", "met"):
        y = outcomes[outcome].to_numpy(dtype=float)
        if np.ptp(y) == 0:
            continue
        if design["kind"] == "sobol":
            rows.extend(_sobol_rows(problem, y, deadline, outcome))
        else:
            x = points[problem["names"]].to_numpy(dtype=float)
            rows.extend(_morris_rows(problem, x, y, deadline, outcome,
                                     int(design.get("num_levels", 4))))
    return _ranked(rows)


def _sobol_rows(problem: dict, y: np.ndarray, deadline: int, outcome: str) -> list[dict]:
    from SALib.analyze import sobol

    result = sobol.analyze(problem, y, calc_second_order=False, seed=SALIB_SEED)
    return [{"deadline": deadline, "outcome": outcome, "input": name, "method": f"sobol {key}",
             "index": float(result[key][i]), "conf": float(result[f"{key}_conf"][i]),
             "p_value": float("nan")}
            for key in ("ST", "S1") for i, name in enumerate(problem["names"])]


def _morris_rows(problem: dict, x: np.ndarray, y: np.ndarray, deadline: int, outcome: str,
                 levels: int) -> list[dict]:
    from SALib.analyze import morris

    result = morris.analyze(problem, x, y, num_levels=levels, seed=SALIB_SEED)
    rows = []
    for i, name in enumerate(problem["names"]):
        base = {"deadline": deadline, "outcome": outcome, "input": name}
        rows.append({**base, "method": "morris mu_star", "index": float(result["mu_star"][i]),
                     "conf": float(result["mu_star_conf"][i]), "p_value": float("nan")})
        rows.append({**base, "method": "morris sigma", "index": float(result["sigma"][i]),
                     "conf": float("nan"), "p_value": float("nan")})
    return rows


def sensitivity(results: Results, deadlines: list[int]) -> pd.DataFrame:
    """Every applicable method at every deadline, one tidy table."""
    frames = []
    runs = results.tables.get("runs")
    for deadline in deadlines:
        frames.append(salib(results, deadline))
        if runs is not None and len(runs):
            frames.append(spearman(runs, deadline, lever_columns(results)))
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)


def salib_samples(results: Results) -> int | None:
    """The base samples (Sobol) or trajectories (Morris) of a SALib sweep, else None."""
    design = salib_design(results.manifest)
    if design is None:
        return None
    if design.get("samples"):
        return int(design["samples"])
    extra = 2 if design["kind"] == "sobol" else 1  # points per sample beyond the levers
    points = results.tables.get("points")
    size = len(points) if points is not None else len(design.get("points") or [])
    return size // (len(design["problem"]["names"]) + extra) or None


#: sensitivity_noise.csv: one row per deadline and outcome whose SALib indices noise swamps
NOISE_COLUMNS = ["deadline", "outcome", "kind", "indices", "wide_indices", "widest_method",
                 "widest_input", "first_above_total", "samples", "samples_needed"]


def salib_warnings(table: pd.DataFrame, samples: int | None,
                   floor: float = 0.1) -> pd.DataFrame:
    """Per deadline and outcome, the SALib indices that sampling noise swamps.

    An index is unresolved when its 95% interval is wider than the index and than
    ``floor`` × the largest total index (or μ*) there: an input measured precisely at about
    nothing is an answer, not noise, and Sobol indices are shares of one variance.
    Sobol's first-order index can never truly exceed the total; S1 − ST beyond
    √(S1_conf² + ST_conf²) says the estimates are off. SALib's intervals narrow as 1/√N,
    so the samples needed scale by (conf ÷ target)², and are at least four times as many
    (halving the intervals; all that can be said when only S1 > ST is seen).
    """
    salib_rows = table[table["method"].str.startswith(("sobol", "morris"))
                       & table["method"].ne("morris sigma")]
    found = []
    for (deadline, outcome), rows in salib_rows.groupby(["deadline", "outcome"], sort=True):
        top = rows.loc[rows["method"].isin(["sobol ST", "morris mu_star"]), "index"]
        target = np.maximum(rows["index"].abs(), floor * top.abs().max())
        excess = rows["conf"] / target
        wide = rows[rows["conf"] > target]
        inverted = _first_above_total(rows)
        if not len(wide) and not inverted:
            continue
        kind = rows["method"].iloc[0].split()[0]
        widest = rows.loc[excess[wide.index].idxmax()] if len(wide) else None
        found.append({"deadline": int(deadline), "outcome": outcome, "kind": kind,
                      "indices": len(rows), "wide_indices": len(wide),
                      "widest_method": "" if widest is None else widest["method"],
                      "widest_input": "" if widest is None else widest["input"],
                      "first_above_total": "; ".join(inverted), "samples": samples,
                      "samples_needed": _needed(samples, max([4.0, *excess[wide.index] ** 2]),
                                                kind)})
    return pd.DataFrame(found, columns=NOISE_COLUMNS)


def _first_above_total(rows: pd.DataFrame) -> list[str]:
    """Inputs whose first-order Sobol index exceeds the total beyond their intervals."""
    first = rows[rows["method"] == "sobol S1"]
    total = rows[rows["method"] == "sobol ST"]
    both = first.merge(total, on="input", suffixes=("_s1", "_st"))
    gap = both["index_s1"] - both["index_st"]
    return list(both.loc[gap > np.hypot(both["conf_s1"], both["conf_st"]), "input"])


def _needed(samples: int | None, factor: float, kind: str) -> int | None:
    """``factor`` times the samples; a power of two for Sobol (SALib warns otherwise)."""
    if not samples:
        return None
    if kind == "sobol":
        return int(2 ** np.ceil(np.log2(samples * factor)))
    return int(np.ceil(samples * factor))


def beyond_noise(rows: pd.DataFrame, level: float = 0.05) -> pd.Series:
    """Per row, whether the effect stands out from sampling noise (None: no interval).

    Spearman: p-value below ``level`` divided by the number of inputs tested for that
    deadline and outcome (Bonferroni: the 95% interval, widened for testing many inputs at
    once, excludes 0), so six noise inputs do not yield a "driver" one sweep in four.
    SALib indices: larger than their 95% bootstrap half-width (the interval excludes 0);
    Morris σ has no interval.
    """
    tested = rows.groupby(GROUP)["input"].transform("nunique").clip(lower=1)
    spearman_rows = rows["method"] == "spearman"
    clear = np.where(spearman_rows, rows["p_value"] < level / tested,
                     rows["index"].abs() > rows["conf"])
    return pd.Series(np.where(rows["conf"].isna() & ~spearman_rows, None, clear),
                     index=rows.index, dtype=object)


def clear_effects(rows: pd.DataFrame, level: float = 0.05) -> pd.DataFrame:
    """Rows whose effect stands out from sampling noise (their ``beyond_noise``)."""
    flags = rows["beyond_noise"] if "beyond_noise" in rows else beyond_noise(rows, level)
    return rows[flags.eq(True)]


def headline(table: pd.DataFrame, deadline: int) -> tuple[str, pd.DataFrame]:
    """The method to show for a deadline (SALib ST, mu*, else Spearman) and its ratio rows."""
    rows = table[(table["deadline"] == deadline) & (table["outcome"] == "ratio")]
    for method in ("sobol ST", "morris mu_star", "spearman"):
        chosen = rows[rows["method"] == method]
        if len(chosen):
            return method, chosen
    return "", rows.iloc[0:0]
