"""Goal-seek: the smallest lever value that meets the goal by a deadline with probability ≥ P,
and the interval of values that the runs can actually tell apart from that edge.

The search is a coarse scan to bracket the answer, then bisection, on Monte Carlo
estimates of p(value), the share of runs meeting the goal. It never simulates itself: it
calls an ``evaluate(value)`` that returns how many of how many runs met the goal, and which
(stockpile.experiment.evaluate runs them with common random numbers: run r has the same
seed at every value, so p(value) moves only because the lever moved).
p need not be monotone in the lever (money beyond what industry can absorb can even
delay the goal); the scan guards against that and the answer says when it saw it.

Direction: for a lever where more is better (a budget share) the answer is the smallest
value with p ≥ P; where more is worse (a lead time; ``decreasing``) it is the largest.
Without a stated direction it is read from the range ends: the end with the higher p is
the good one.

How sure the answer is. Near the edge N runs cannot tell p from P, and bisecting there
chases noise (20 runs once gave "between 0.3 and 0.3031"). So the result keeps apart:

- the best estimate (``answer``): the value tried nearest the edge whose share of runs
  meeting the goal is ≥ P, and ``bracket``, it and the nearest value whose share is < P;
- the interval the runs support, ``supported`` = [a, b] (in the lever's direction): a is
  the value tried nearest the edge whose p the runs show to be below P, b the nearest whose
  p they show to be above P, each by an exact one-sided binomial test at 2.5%
  (stockpile.analysis.precision.side). Where p rises with the lever, the edge (p = P) lies
  between a and b with probability ≥ 95%. Testing many values does not add up errors:
  under common random numbers a run that meets the goal at one value nearly always meets
  it at better ones too (goalseek.csv's gained_vs_answer and lost_vs_answer show whether
  it does), so the tests along the search are wrong together, only when the run sample as
  a whole is off by more than its 2.5% on that side. If no value tried is shown on a side,
  that end is the range's end and ``ends_shown`` says so (the edge may lie beyond it).
- when to stop. Three gaps between neighbouring values tried can still narrow something:
  the bracket, a and the next value in, the next value in and b. The widest is bisected
  while its two ends are distinguishable and it is wider than ``tol`` (an upper bound on
  precision, as before). Distinguishable: an exact McNemar test at 95% on the runs whose
  verdicts differ between the two values (the runs are pairs, same seed at both, so only
  discordant runs carry information; precision.paired_p_value). Between two values the
  runs cannot tell apart, a midpoint would only say which one the noise favoured.

Runs needed (``runs_to_halve``). Where p rises steadily near the edge, the interval is the
distance in p between the nearest shares N runs can show below and above P (5 and 15 of 20
runs at P = 50%), divided by the slope of p. That distance shrinks with the binomial
standard error, √(P(1 − P)/N): about four times the runs halve the interval, counted
exactly from the binomial quantiles (precision.runs_to_halve). The discordance rate between
neighbouring values does not limit the interval: common random numbers make nearby values
differ in few runs, so it sets where bisection stops (finer, as 1/N), not how wide the
interval is.

Deterministic mode (one run at central values, no noise: ``Evaluation.exact``) keeps
plain bisection to ``tol``: every value is plainly below or above P, and the interval is
the bracket.

The answer in words (``describe``) and goalseek.csv (``evaluation_rows``, one row per value
tried, columns in ``COLUMNS``) are in stockpile.analysis.goalseek_words.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from stockpile.analysis import precision
from stockpile.analysis.goalseek_words import COLUMNS, describe, evaluation_rows, short, turns_down
from stockpile.analysis.summary import wilson

__all__ = ["COLUMNS", "Evaluation", "SeekResult", "describe", "evaluation_rows", "scan_values",
           "seek", "short", "turns_down"]

MAX_STEPS = 40
LEVEL = precision.LEVEL


@dataclass(frozen=True)
class Evaluation:
    """Runs at one lever value, how many met the goal by the deadline, and which.

    ``outcomes`` (run r's verdict, in run order) lets two values be compared run by run;
    ``exact`` marks an evaluation without sampling noise (a deterministic run).
    """

    value: float
    met: int
    runs: int
    ratio: float = math.nan  # median capability ÷ baseline at the deadline
    outcomes: tuple[bool, ...] | None = field(default=None, repr=False)
    exact: bool = False

    def __post_init__(self) -> None:
        if self.outcomes is not None and (len(self.outcomes) != self.runs
                                          or sum(self.outcomes) != self.met):
            raise ValueError("outcomes must list each run's verdict: len = runs, sum = met")

    @property
    def p(self) -> float:
        return self.met / self.runs if self.runs else math.nan

    @property
    def interval(self) -> tuple[float, float]:
        return wilson(self.met, self.runs)

    def side(self, prob: float, level: float = LEVEL) -> str:
        """'below', 'above' or 'unsure': p against P, as far as the runs can tell."""
        if self.exact:
            return "below" if self.p < prob else "above"
        return precision.side(self.met, self.runs, prob, level)

    def paired_p(self, other: Evaluation) -> float:
        """The chance of a difference this large from ``other`` if p were the same at both.

        Paired by seed when both carry per-run outcomes (exact McNemar), else Fisher's exact
        test on the counts, which ignores the pairing and so says "distinguishable" less
        often.
        """
        if self.exact and other.exact:
            return 1.0 if self.p == other.p else 0.0
        if self.outcomes is not None and other.outcomes is not None \
                and self.runs == other.runs:
            return precision.paired_p_value(self.outcomes, other.outcomes)
        return precision.unpaired_p_value(self.met, self.runs, other.met, other.runs)

    def distinguishable(self, other: Evaluation, level: float = LEVEL) -> bool:
        """Whether the runs tell this value's p from ``other``'s apart at ``level``."""
        return self.paired_p(other) < 1 - level


@dataclass
class SeekResult:
    """The answer (or why there is none), its bracket, the interval the runs support, and
    every evaluation made."""

    prob: float
    decreasing: bool
    status: str  # "found", "whole range" (the worst end already suffices) or "none"
    answer: float | None
    bracket: tuple[float, float]
    evaluations: list[Evaluation] = field(default_factory=list)
    supported: tuple[float, float] | None = None  # (low, high); None unless found
    ends_shown: tuple[bool, bool] = (True, True)  # (low, high): shown by a test, not range end
    runs_to_halve: int | None = None  # runs per value that would halve ``supported``
    level: float = LEVEL

    def at(self, value: float | None) -> Evaluation | None:
        return next((e for e in self.evaluations if e.value == value), None)

    @property
    def exact(self) -> bool:
        return all(e.exact for e in self.evaluations)

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


@dataclass
class _Search:
    """The state of one search: what was tried, and the best estimate's bracket."""

    seen: list[Evaluation]
    fails: Evaluation
    meets: Evaluation
    prob: float
    decreasing: bool
    level: float

    def key(self, e: Evaluation) -> float:
        """Position from the bad end of the range towards the good one."""
        return -e.value if self.decreasing else e.value

    def ends(self) -> tuple[Evaluation | None, Evaluation | None]:
        """a and b: the values nearest the edge shown below and above P (None: none)."""
        below = [e for e in self.seen if self.key(e) <= self.key(self.fails)
                 and e.side(self.prob, self.level) == "below"]
        above = [e for e in self.seen if self.key(e) >= self.key(self.meets)
                 and e.side(self.prob, self.level) == "above"]
        return (max(below, key=self.key) if below else None,
                min(above, key=self.key) if above else None)

    def gaps(self) -> list[tuple[Evaluation, Evaluation]]:
        """The bracket, and the gap between each shown end and the next value in."""
        found = [(self.fails, self.meets)]
        a, b = self.ends()
        if a is not None and a.value != self.fails.value:
            found.append((a, min((e for e in self.seen if self.key(e) > self.key(a)),
                                 key=self.key)))
        if b is not None and b.value != self.meets.value:
            found.append((max((e for e in self.seen if self.key(e) < self.key(b)),
                              key=self.key), b))
        return found

    def take(self, found: Evaluation) -> None:
        """Record an evaluation; inside the bracket it moves one of its ends."""
        self.seen.append(found)
        if min(self.key(self.fails), self.key(self.meets)) < self.key(found) \
                < max(self.key(self.fails), self.key(self.meets)):
            if found.p >= self.prob:
                self.meets = found
            else:
                self.fails = found


def _next_value(search: _Search, tol: float, integer: bool) -> float | None:
    """The midpoint of the widest gap still worth bisecting, or None: stop."""
    options = []
    for low, high in search.gaps():
        width = abs(high.value - low.value)
        if width <= tol or not low.distinguishable(high, search.level):
            continue
        mid = _midpoint(low.value, high.value, integer)
        if mid is not None:
            options.append((width, mid))
    return max(options)[1] if options else None


def seek(evaluate: Callable[[float], Evaluation], low: float, high: float, prob: float,
         decreasing: bool | None = None, tol: float | None = None, integer: bool = False,
         scan: int = 5, level: float = LEVEL) -> SeekResult:
    """Bracket on a coarse scan of [low, high], then bisect while the runs can tell the ends
    of a gap apart and it is wider than ``tol``.

    The scan (``scan`` evenly spaced values, ends included) finds the first value from the
    bad end that meets P, so a response that turns down again far along the range (more
    money into a saturated industry) does not mislead the bisection. ``tol`` defaults to
    1% of the range (1 for integer levers). The module docstring says what the interval
    the runs support is and when the search stops.
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
        return SeekResult(prob, decreasing, "none", None, (low, high), seen, level=level)
    if first == 0:
        return SeekResult(prob, decreasing, "whole range", order[0].value, (low, high), seen,
                          level=level)
    search = _Search(seen, order[first - 1], order[first], prob, decreasing, level)
    for _ in range(MAX_STEPS):
        value = _next_value(search, tol, integer)
        if value is None:
            break
        search.take(evaluate(value))
    return _found(search, low, high)


def _found(search: _Search, low: float, high: float) -> SeekResult:
    """The result of a search that found the edge: answer, bracket, supported interval."""
    meets, fails = search.meets.value, search.fails.value
    a, b = search.ends()
    bad, good = (high, low) if search.decreasing else (low, high)
    ends = (a.value if a else bad, b.value if b else good)
    shown = (a is not None, b is not None)
    if search.decreasing:
        ends, shown = ends[::-1], shown[::-1]
    exact = all(e.exact for e in search.seen)
    more = None if exact else precision.runs_to_halve(search.meets.runs, search.prob,
                                                      search.level)
    return SeekResult(search.prob, search.decreasing, "found", meets,
                      (min(meets, fails), max(meets, fails)), search.seen,
                      (ends[0], ends[1]), (shown[0], shown[1]), more, search.level)
