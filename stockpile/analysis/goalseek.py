"""Goal-seek: the smallest lever value that meets the goal by a deadline with probability ≥ P.

The search is a coarse scan to bracket the answer, then bisection, on Monte Carlo
estimates of p(value), the share of runs meeting the goal. It never simulates itself: it
calls an ``evaluate(value)`` that returns how many of how many runs met the goal
(stockpile.experiment.evaluate runs them with common random numbers, so p(value) moves
only because the lever moved and the bisection does not chase noise between values).
p need not be monotone in the lever (money beyond what industry can absorb can even
delay the goal); the scan guards against that and the answer says when it saw it.

Direction: for a lever where more is better (a budget share) the answer is the smallest
value with p ≥ P; where more is worse (a lead time; ``decreasing``) it is the largest.
Without a stated direction it is read from the range ends: the end with the higher p is
the good one.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from stockpile.analysis.summary import wilson

MAX_STEPS = 40


@dataclass(frozen=True)
class Evaluation:
    """Runs at one lever value and how many met the goal by the deadline."""

    value: float
    met: int
    runs: int
    ratio: float = math.nan  # median capability ÷ baseline at the deadline

    @property
    def p(self) -> float:
        return self.met / self.runs if self.runs else math.nan

    @property
    def interval(self) -> tuple[float, float]:
        return wilson(self.met, self.runs)


@dataclass
class SeekResult:
    """The answer (or why there is none), its bracket, and every evaluation made."""

    prob: float
    decreasing: bool
    status: str  # "found", "whole range" (the worst end already suffices) or "none"
    answer: float | None
    bracket: tuple[float, float]
    evaluations: list[Evaluation] = field(default_factory=list)

    def at(self, value: float | None) -> Evaluation | None:
        return next((e for e in self.evaluations if e.value == value), None)

    @property
    def failing_side(self) -> Evaluation | None:
        """The evaluation at the bracket's other end (p < P), if one was made."""
        if self.status != "found":
            return None
        other = self.bracket[1] if self.answer == self.bracket[0] else self.bracket[0]
        return self.at(other)


def _midpoint(a: float, b: float, integer: bool) -> float | None:
    """The next value to try between a and b, or None when they are adjacent."""
    if integer:
        mid = (int(a) + int(b)) // 2
        return None if mid in (int(a), int(b)) else float(mid)
    return (a + b) / 2


def scan_values(low: float, high: float, count: int, integer: bool) -> list[float]:
    """Evenly spaced values from low to high (whole numbers for an integer lever)."""
    values = [low + (high - low) * i / (count - 1) for i in range(count)]
    if integer:
        values = sorted({float(round(v)) for v in values})
    return values


def _bisect(evaluate: Callable[[float], Evaluation], meets: float, fails: float, prob: float,
            tol: float, integer: bool, seen: list[Evaluation]) -> tuple[float, float]:
    """Narrow [fails, meets] (either order) until it is tol wide; return the two ends."""
    for _ in range(MAX_STEPS):
        if abs(meets - fails) <= tol:
            break
        mid = _midpoint(fails, meets, integer)
        if mid is None:
            break
        seen.append(evaluate(mid))
        if seen[-1].p >= prob:
            meets = mid
        else:
            fails = mid
    return meets, fails


def seek(evaluate: Callable[[float], Evaluation], low: float, high: float, prob: float,
         decreasing: bool | None = None, tol: float | None = None, integer: bool = False,
         scan: int = 5) -> SeekResult:
    """Bracket on a coarse scan of [low, high], then bisect until narrower than ``tol``.

    The scan (``scan`` evenly spaced values, ends included) finds the first value from the
    bad end that meets P, so a response that turns down again far along the range (more
    money into a saturated industry) does not mislead the bisection. ``tol`` defaults to
    1% of the range (1 for integer levers).
    """
    if not low < high:
        raise ValueError(f"the range must have low < high (got {low}:{high})")
    tol = (1.0 if integer else (high - low) / 100) if tol is None else tol
    seen = [evaluate(v) for v in scan_values(low, high, max(2, scan), integer)]
    if decreasing is None:
        decreasing = seen[0].p > seen[-1].p
    order = seen[::-1] if decreasing else seen  # from the bad end towards the good one
    first = next((i for i, e in enumerate(order) if e.p >= prob), None)
    if first is None:
        return SeekResult(prob, decreasing, "none", None, (low, high), seen)
    if first == 0:
        return SeekResult(prob, decreasing, "whole range", order[0].value, (low, high), seen)
    meets, fails = _bisect(evaluate, order[first].value, order[first - 1].value, prob, tol,
                           integer, seen)
    return SeekResult(prob, decreasing, "found", meets, (min(meets, fails), max(meets, fails)),
                      seen)


def turns_down(result: SeekResult) -> Evaluation | None:
    """A value beyond the answer, towards the good end, that fails again (non-monotone p)."""
    if result.answer is None:
        return None
    beyond = [e for e in result.evaluations
              if (e.value < result.answer if result.decreasing else e.value > result.answer)]
    return next((e for e in sorted(beyond, key=lambda e: e.value, reverse=result.decreasing)
                 if e.p < result.prob), None)


def short(value: float) -> str:
    """4 significant digits: enough to act on, few enough to read."""
    return f"{value:.4g}"


def describe(result: SeekResult, lever: str, deadline: int,
             fmt: Callable[[float], str] = short) -> list[str]:
    """The answer in plain words, with its bracket and the Wilson interval of p there."""
    want = f"p ≥ {result.prob:.0%} of meeting the goal by the end of {deadline}"
    word = "largest" if result.decreasing else "smallest"
    low, high = result.bracket
    if result.status == "none":
        best = max(result.evaluations, key=lambda e: (e.p, e.ratio))
        return [f"No value of {lever} in {fmt(low)}..{fmt(high)} gives {want}.",
                f"  best value tried, {fmt(best.value)}: {_runs(best)}"]
    if result.status == "whole range":
        at = result.at(result.answer)
        return [f"Every value of {lever} in {fmt(low)}..{fmt(high)} gives {want}: even "
                f"{fmt(result.answer)} does ({_runs(at)}). Widen --range to find the edge."]
    at, other = result.at(result.answer), result.failing_side
    lines = [f"{lever} = {fmt(result.answer)}: the {word} value with {want}",
             f"  the edge lies between {fmt(low)} and {fmt(high)}",
             f"  at {fmt(result.answer)}: {_runs(at)}"]
    if other is not None:
        lines.append(f"  at {fmt(other.value)}: {_runs(other)}")
    dip = turns_down(result)
    if dip is not None:
        lines.append(f"  note: p is not monotone in {lever}: at {fmt(dip.value)} it falls to "
                     f"{dip.p:.0%} again")
    if at.runs > 1 and at.interval[0] < result.prob:
        lines.append(f"  note: the 95% interval at the answer reaches below {result.prob:.0%}; "
                     "more --runs would narrow it")
    return lines


def _runs(e: Evaluation) -> str:
    ratio = f"; capability {e.ratio:.2f}× the baseline" if math.isfinite(e.ratio) else ""
    if e.runs == 1:
        return ("met in the run" if e.met else "not met in the run") + ratio
    low, high = e.interval
    median = "; median run at" + ratio.removeprefix("; capability") if ratio else ""
    return (f"met in {e.met} of {e.runs} runs ({e.p:.0%}, 95% interval {low:.0%}–{high:.0%})"
            f"{median}")
