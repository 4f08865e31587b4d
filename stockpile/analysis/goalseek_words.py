"""Goal-seek's answer in words, and goalseek.csv: what was tried and what each test said.

Kept apart from the search (stockpile.analysis.goalseek, whose docstring says what the
interval the runs support is) so that the wording can change without touching the search.
The best estimate is rounded to the precision its interval supports, and the interval's
ends outwards, so that "0.3031" is not read as meaningful when 20 runs cannot tell 0.28
from 0.34.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from stockpile.analysis import precision

if TYPE_CHECKING:
    from stockpile.analysis.goalseek import Evaluation, SeekResult


#: goalseek.csv's columns after ``lever``, and what each means
COLUMNS = {
    "step": "order in which the value was tried (1 = first of the scan)",
    "lever_value": "value of the lever in this evaluation",
    "runs": "runs at this value (run r has the same seed at every value)",
    "met": "runs meeting the goal by the deadline",
    "p_met": "share of runs meeting the goal",
    "ci_low": "Wilson 95% interval of p_met, lower end",
    "ci_high": "Wilson 95% interval of p_met, upper end",
    "p_below": "exact one-sided binomial p-value of 'p < P' (blank: deterministic)",
    "p_above": "exact one-sided binomial p-value of 'p > P' (blank: deterministic)",
    "side": "below, above or unsure: p against P at 95% (each side tested at 2.5%)",
    "gained_vs_answer": "runs met here but not at the answer (paired by seed)",
    "lost_vs_answer": "runs met at the answer but not here",
    "paired_p": "exact McNemar p-value of the difference from the answer (blank: "
                "deterministic)",
    "role": "answer, bracket (the best estimate's other end), interval end (of the "
            "interval the runs support), or blank",
}


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


def _step(width: float) -> float | None:
    """The rounding step an interval ``width`` wide supports (0.06 wide: 0.01)."""
    if not width > 0 or not math.isfinite(width):
        return None
    return 10.0 ** math.floor(math.log10(width / 2))


def rounded(value: float, width: float, how: Callable[[float], float] = round) -> str:
    """A value to the precision an interval ``width`` wide supports (0.3031 in 0.28–0.34:
    0.30); ``how`` math.floor or math.ceil rounds an interval's ends outwards."""
    step = _step(width)
    if step is None:
        return short(value)
    return f"{how(round(value / step, 9)) * step:.{max(0, -math.floor(math.log10(step)))}f}"


def describe(result: SeekResult, lever: str, deadline: int,
             fmt: Callable[[float], str] = short) -> list[str]:
    """The answer in plain words: the best estimate, the interval the runs support and
    the runs that would narrow it, and p with its Wilson interval at the values that
    decide it."""
    want = f"p ≥ {result.prob:.0%} of meeting the goal by the end of {deadline}"
    low, high = result.bracket
    if result.status == "none":
        best = max(result.evaluations, key=lambda e: (e.p, e.ratio))
        return [f"No value of {lever} in {fmt(low)}..{fmt(high)} gives {want}.",
                f"  best value tried, {fmt(best.value)}: {_runs(best)}",
                *_unsure(best, result, "rule out that it does")]
    if result.status == "whole range":
        at = result.at(result.answer)
        return [f"Every value of {lever} in {fmt(low)}..{fmt(high)} gives {want}: even "
                f"{fmt(result.answer)} does ({_runs(at)}). Widen --range to find the edge.",
                *_unsure(at, result, "show that it does")]
    word = "largest" if result.decreasing else "smallest"
    if result.exact:
        lines = [f"{lever} = {fmt(result.answer)}: the {word} value with {want}",
                 f"  the edge lies between {fmt(low)} and {fmt(high)}"]
    else:
        width = result.supported[1] - result.supported[0]
        lines = [f"{lever} ≈ {rounded(result.answer, width)}: the {word} value with {want} "
                 "(best estimate)", *_interval(result, fmt)]
    words = {"answer": "best estimate", "bracket": f"nearest value below {result.prob:.0%}",
             "interval end": "interval end"}
    for value, roles in _roles(result).items():
        named = "" if result.exact else f" ({', '.join(words[r] for r in roles)})"
        lines.append(f"  at {fmt(value)}{named}: {_runs(result.at(value))}")
    dip = turns_down(result)
    if dip is not None:
        lines.append(f"  note: p is not monotone in {lever}: at {fmt(dip.value)} it falls to "
                     f"{dip.p:.0%} again")
    return lines


def _interval(result: SeekResult, fmt: Callable[[float], str]) -> list[str]:
    """The interval the runs support, why it is no narrower, and what would narrow it."""
    low, high = result.supported
    runs = result.at(result.answer).runs
    head = (f"  the edge lies between {rounded(low, high - low, math.floor)} and "
            f"{rounded(high, high - low, math.ceil)} ({result.level:.0%})")
    if all(result.ends_shown):
        more = (f"; about {_nice(result.runs_to_halve)} runs per value would halve it"
                if result.runs_to_halve else "")
        return [f"{head}: {runs} runs per value cannot separate values closer than this"
                f"{more}"]
    missing = []
    for end, shown, below in ((low, result.ends_shown[0], not result.decreasing),
                              (high, result.ends_shown[1], result.decreasing)):
        if not shown:
            sign = "<" if below else ">"
            missing.append(f"even at {fmt(end)}, the end of --range, {runs} runs per value "
                           f"cannot show p {sign} {result.prob:.0%}")
    span = precision.resolvable_span(runs, result.prob, result.level)
    if result.runs_to_halve is None:
        advice = f"no number of runs can show p > {result.prob:.0%}: ask for a lower --prob"
    elif math.isinf(span):
        advice = f"that takes at least {result.runs_to_halve} runs per value"
    else:
        advice = "widen --range or add --runs"
    return [f"{head}:", f"    {'; '.join(missing)} ({advice})"]


def _roles(result: SeekResult) -> dict[float, list[str]]:
    """The values the answer rests on, in value order, each with its roles."""
    roles: dict[float, list[str]] = {}
    if result.status != "found":
        return roles
    roles.setdefault(result.answer, []).append("answer")
    if result.failing_side is not None:
        roles.setdefault(result.failing_side.value, []).append("bracket")
    if not result.exact:
        for end, shown in zip(result.supported, result.ends_shown, strict=True):
            if shown:
                roles.setdefault(end, []).append("interval end")
    return dict(sorted(roles.items()))


def _unsure(e: Evaluation, result: SeekResult, what: str) -> list[str]:
    """A caution when the runs at the value a verdict rests on cannot tell p from P."""
    if e.exact or e.side(result.prob, result.level) != "unsure":
        return []
    return [f"  note: {e.runs} runs per value cannot {what} (p against {result.prob:.0%} at "
            f"{result.level:.0%}); more --runs would tell"]


def _nice(runs: int) -> str:
    """Runs rounded up to two significant digits: a suggestion, not a measurement."""
    step = 10 ** max(0, len(str(runs)) - 2)
    return f"{-(-runs // step) * step:,}"


def _runs(e: Evaluation) -> str:
    ratio = f"; capability {e.ratio:.2f}× the baseline" if math.isfinite(e.ratio) else ""
    if e.runs == 1:
        return ("met in the run" if e.met else "not met in the run") + ratio
    low, high = e.interval
    median = "; median run at" + ratio.removeprefix("; capability") if ratio else ""
    return (f"met in {e.met} of {e.runs} runs ({e.p:.0%}, 95% interval {low:.0%}–{high:.0%})"
            f"{median}")


def evaluation_rows(result: SeekResult) -> list[dict]:
    """goalseek.csv's rows (``COLUMNS``): each value tried, in order, with the tests the
    search made on it."""
    answer = result.at(result.answer)
    roles = {value: "; ".join(names) for value, names in _roles(result).items()}
    rows = []
    for step, e in enumerate(result.evaluations, start=1):
        below, above = ((math.nan, math.nan) if e.exact
                        else precision.side_p_values(e.met, e.runs, result.prob))
        gained, lost = _discordant(e, answer)
        rows.append({"step": step, "lever_value": e.value, "runs": e.runs, "met": e.met,
                     "p_met": e.p, "ci_low": e.interval[0], "ci_high": e.interval[1],
                     "p_below": below, "p_above": above,
                     "side": e.side(result.prob, result.level),
                     "gained_vs_answer": gained, "lost_vs_answer": lost,
                     "paired_p": (math.nan if answer is None or e.exact
                                  else e.paired_p(answer)),
                     "role": roles.get(e.value, "")})
    return rows


def _discordant(e: Evaluation, answer: Evaluation | None) -> tuple[float, float]:
    """Runs met at e but not at the answer, and the reverse (nan without per-run outcomes)."""
    if answer is None or e.outcomes is None or answer.outcomes is None \
            or e.runs != answer.runs:
        return math.nan, math.nan
    return precision.discordant(e.outcomes, answer.outcomes)
