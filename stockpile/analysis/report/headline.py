"""The report's opening: a headline with the answer in numbers, then a one-page summary.

The headline is the sentence a reader quotes ("Fivefold not reached by 2035 in any of 200
runs; median 4.3×; ..."); the summary says what holds Europe back and what would change the
answer, in at most ``SUMMARY_WORDS`` words, by picking sentences the findings would
otherwise say (they are moved, not repeated).
"""

from __future__ import annotations

import math

from stockpile.analysis.report.labels import month, number, percent, ratio
from stockpile.analysis.report.narrative import Narrator, Sentence

Files = dict[str, str]
SUMMARY_WORDS = 400
MULTIPLES = {2: "Twofold", 3: "Threefold", 4: "Fourfold", 5: "Fivefold", 6: "Sixfold",
             8: "Eightfold", 10: "Tenfold"}
NO_LEVERS = ("This folder varies no lever and samples no input that moves the answer, so it "
             "cannot say what would change it: a sweep over the levers (--grid, --lhs or "
             "--design sobol with --param) would.")


def goal_words(multiplier: float) -> str:
    """5 -> 'Fivefold'; 5.5 -> 'The 5.5× goal'."""
    if float(multiplier).is_integer() and int(multiplier) in MULTIPLES:
        return MULTIPLES[int(multiplier)]
    return f"The {float(multiplier):g}× goal"


def _year(value: object) -> str:
    return str(value)[:4] if isinstance(value, str) and value else "never"


def _blank(value: object) -> bool:
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))


def headline(n: Narrator, files: Files, point: int, deadline: int,
             multiplier: float) -> Sentence:
    """The answer at the last deadline: how often, how far, and when it is reached."""
    summary, goal = files["summary"], goal_words(multiplier)
    where = {"point": point, "deadline": deadline}
    row = n.row(summary, **where)
    if int(row["runs"]) == 1:
        return _single(n, files, point, deadline, goal)
    runs = n.cite(summary, "runs", number, **where)
    share = float(row["p_met"])
    if share in (0.0, 1.0):
        verdict = n.cite(summary, "p_met", lambda v: "not reached" if v == 0 else "reached",
                         **where)
        verdict += f" by {deadline} in {'any' if share == 0 else 'all'} of {runs} runs"
    else:
        p = n.cite(summary, "p_met", percent, **where)
        verdict = f"reached by {deadline} in {p} of {runs} runs"
    mid = n.cite(summary, "ratio_p50", ratio, **where)
    return n.say(f"{goal} {verdict}; median {mid}; {_when(n, summary, row, where)}")


def _when(n: Narrator, summary: str, row, where: dict) -> str:
    """'reached around 2038 (2037–2040)', or how many runs never reach it in the horizon."""
    if not _blank(row["first_met_p50"]):
        mid = n.cite(summary, "first_met_p50", _year, **where)
        low_ok, high_ok = not _blank(row["first_met_p5"]), not _blank(row["first_met_p95"])
        if low_ok and high_ok:
            low = n.cite(summary, "first_met_p5", _year, **where)
            high = n.cite(summary, "first_met_p95", _year, **where)
            span = f" ({low}–{high})" if low != high else ""
            return f"reached around {mid}{span}."
        return f"reached around {mid} in half the runs."
    never = n.cite(summary, "never_met", number, **where)
    runs = n.cite(summary, "runs", number, **where)
    if not _blank(row["first_met_p5"]):
        early = n.cite(summary, "first_met_p5", _year, **where)
        return (f"{never} of {runs} runs never reach it within the horizon (the fastest 5% "
                f"by {early}).")
    return f"{never} of {runs} runs never reach it within the horizon."


def _single(n: Narrator, files: Files, point: int, deadline: int, goal: str) -> Sentence:
    where = {"point": point, "run": 0, "deadline": deadline}
    met = n.cite(files["runs"], "met", lambda v: "reached" if v else "not reached", **where)
    value = n.cite(files["runs"], "ratio", ratio, **where)
    when = n.cite(files["runs"], "first_met", lambda v: month(v) if v else "never", **where)
    reached = ("never reached within the horizon" if when == "never"
               else f"first reached in {when}")
    return n.say(f"{goal} {met} by {deadline} in this run: {value} the baseline; {reached}.")


def words(text: str) -> int:
    """Words as a reader counts them: whitespace-separated, Markdown markup aside."""
    return sum(1 for w in text.split() if any(c.isalnum() for c in w))


def fit(sentences: list[Sentence], budget: int) -> list[Sentence]:
    """The sentences, in order, that fit in ``budget`` words."""
    kept, used = [], 0
    for sentence in sentences:
        if used + words(sentence.text) <= budget:
            kept.append(sentence)
            used += words(sentence.text)
    return kept
