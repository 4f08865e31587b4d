"""What a count of met runs can tell: exact binomial tests behind goal-seek's precision.

Goal-seek compares shares of runs that meet the goal: at one lever value against the
required probability P, and at two values against each other. These are counts of
Bernoulli outcomes, so the tests here are exact (``scipy.stats.binomtest``), not normal
approximations that fail at the 20-run, near-0%-or-100% estimates goal-seek lives on:

- ``side``: is p below P, above P, or not distinguishable from it? Two one-sided exact
  binomial tests, each at half of 1 − level, so the two ends of an interval built from
  them hold together with probability ≥ level.
- ``paired_p_value``: do two lever values differ? Run r has the same seed at both, so the
  runs are pairs and only the discordant ones (met at one value, not at the other) carry
  information: under "no difference" each discordant pair goes either way with chance ½
  (exact McNemar test = binomial test on the discordant pairs). Without per-run outcomes
  the pairs are unknown and ``unpaired_p_value`` uses Fisher's exact test on the two
  counts, which ignores the pairing and so errs on the side of "not distinguishable".
- ``resolvable_span`` and ``runs_to_halve``: how close to P a share can be and still be
  told apart from it with n runs, and how many runs halve that distance.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from scipy.stats import binom, binomtest, fisher_exact

LEVEL = 0.95
MAX_RUNS = 1_000_000  # runs_to_halve looks no further


def side(met: int, runs: int, prob: float, level: float = LEVEL) -> str:
    """'below', 'above' or 'unsure': where the share meeting the goal lies against P."""
    alpha = (1 - level) / 2
    below, above = side_p_values(met, runs, prob)
    return "below" if below < alpha else "above" if above < alpha else "unsure"


@lru_cache(maxsize=4096)  # goal-seek asks again for every value after each step
def side_p_values(met: int, runs: int, prob: float) -> tuple[float, float]:
    """The one-sided exact p-values of "p < P" and "p > P" (small: the runs show it)."""
    below = binomtest(int(met), int(runs), prob, alternative="less").pvalue
    above = binomtest(int(met), int(runs), prob, alternative="greater").pvalue
    return float(below), float(above)


def discordant(a: Sequence[bool], b: Sequence[bool]) -> tuple[int, int]:
    """Runs met at a but not at b, and at b but not at a (the same seeds at both)."""
    first, second = np.asarray(a, dtype=bool), np.asarray(b, dtype=bool)
    if first.shape != second.shape:
        raise ValueError("paired outcomes need the same runs at both values")
    return int((first & ~second).sum()), int((~first & second).sum())


def paired_p_value(a: Sequence[bool], b: Sequence[bool]) -> float:
    """Exact McNemar test: the chance of discordant pairs this lopsided if p(a) = p(b)."""
    only_a, only_b = discordant(a, b)
    return _mcnemar(only_a, only_a + only_b)


@lru_cache(maxsize=4096)
def _mcnemar(only_a: int, pairs: int) -> float:
    return float(binomtest(only_a, pairs, 0.5).pvalue) if pairs else 1.0


def unpaired_p_value(met_a: int, runs_a: int, met_b: int, runs_b: int) -> float:
    """Fisher's exact test on two counts, for evaluations without per-run outcomes."""
    table = [[met_a, runs_a - met_a], [met_b, runs_b - met_b]]
    return float(fisher_exact(table).pvalue)


def _critical(runs: np.ndarray, prob: float, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Per n: the most runs met that still shows p < P, the fewest that show p > P.

    ``side`` calls a count k below P when binom.cdf(k) < alpha and above when
    binom.sf(k − 1) < alpha; binom.ppf inverts these (−1 or n + 1: no count can).
    """
    alpha = (1 - level) / 2
    low = binom.ppf(alpha, runs, prob) - 1
    high = binom.ppf(1 - alpha, runs, prob) + 1
    return low, high


def resolvable_span(runs: int | np.ndarray, prob: float,
                    level: float = LEVEL) -> float | np.ndarray:
    """The gap in p between the nearest shares shown below and above P, with n runs.

    Where p rises steadily with the lever near the answer, goal-seek's interval is this
    gap divided by the slope, so it narrows exactly as this does. inf: n runs cannot show
    one of the two sides (p > 95% needs at least 72 runs, p > 100% none).
    """
    n = np.asarray(runs, dtype=float)
    low, high = _critical(n, prob, level)
    span = np.where((low >= 0) & (high <= n), (high - low) / n, np.inf)
    return float(span) if span.ndim == 0 else span


@lru_cache(maxsize=256)
def runs_to_halve(runs: int, prob: float, level: float = LEVEL) -> int | None:
    """Runs per value that halve the interval (or first resolve both sides of P).

    The half-width of a binomial estimate shrinks as 1/√n, so about four times the runs;
    counted exactly here because at 20 runs the steps between counts matter. None when
    no number of runs can show p on both sides (P = 100%).
    """
    if prob >= 1:
        return None
    now = resolvable_span(runs, prob, level)
    start, size = int(runs) + 1, 8 * int(runs) + 64
    while start <= MAX_RUNS:
        block = np.arange(start, min(start + size, MAX_RUNS + 1))
        span = resolvable_span(block, prob, level)
        hits = np.flatnonzero(span <= now / 2 if math.isfinite(now) else np.isfinite(span))
        if len(hits):
            return int(block[hits[0]])
        start, size = start + size, size * 2
    return None
