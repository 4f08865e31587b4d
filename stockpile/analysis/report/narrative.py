"""What the numbers say, in sentences whose every figure is cited from a CSV.

A ``Narrator`` looks figures up in the tables as they are written to disk and records each
as a ``Fact`` (file, column, row key, value, how it is shown). The report writes these to
report/facts.csv, and ``verify`` re-reads the CSVs to check that every quoted figure is
there: a reader can trace any number in report.md to a cell.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from stockpile.analysis.results import read_table
from stockpile.experiment.output import FORMULA_START

FACT_COLUMNS = ["sentence", "text", "file", "column", "where", "value", "shown"]


@dataclass(frozen=True)
class Fact:
    file: str  # relative to the results folder
    column: str
    where: tuple[tuple[str, object], ...]
    value: object
    shown: str


@dataclass
class Sentence:
    text: str
    facts: list[Fact] = field(default_factory=list)


class Narrator:
    """Cites figures from named tables and collects them per sentence."""

    def __init__(self, tables: dict[str, pd.DataFrame]):
        self.tables = tables
        self._pending: list[Fact] = []
        self.sentences: list[Sentence] = []

    def row(self, file: str, **where: object) -> pd.Series:
        frame = self.tables[file]
        mask = pd.Series(True, index=frame.index)
        for column, value in where.items():
            mask &= frame[column] == value
        found = frame[mask]
        if len(found) != 1:
            raise KeyError(f"{file}: {len(found)} rows where {where}")
        return found.iloc[0]

    def cite(self, file: str, column: str, fmt: Callable[[object], str], **where: object) -> str:
        """The figure at (file, column, where), formatted; remembered for this sentence."""
        value = self.row(file, **where)[column]
        value = value.item() if hasattr(value, "item") else value
        shown = fmt(value)
        self._pending.append(Fact(file, column, tuple(where.items()), value, shown))
        return shown

    def say(self, text: str) -> Sentence:
        sentence = Sentence(text, self._pending)
        self._pending = []
        self.sentences.append(sentence)
        return sentence


def facts_table(sentences: list[Sentence]) -> pd.DataFrame:
    """One row per quoted figure: facts.csv."""
    rows = [{"sentence": i + 1, "text": s.text, "file": f.file, "column": f.column,
             "where": json.dumps(dict(f.where), default=_plain), "value": f.value,
             "shown": f.shown}
            for i, s in enumerate(sentences) for f in s.facts]
    return pd.DataFrame(rows, columns=FACT_COLUMNS)


def _plain(value: object) -> object:
    return value.item() if hasattr(value, "item") else str(value)


def _blank(value: object) -> bool:
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))


def _same(found: object, value: object) -> bool:
    if _blank(found) or _blank(value):
        return _blank(found) and _blank(value)
    if isinstance(value, bool) or isinstance(found, bool):
        return str(found).lower() == str(value).lower()
    try:
        a, b = float(found), float(value)
    except (TypeError, ValueError):
        return str(found) == str(value)
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def _unescaped(text: object) -> str:
    """Undo the CSV writer's formula guard (a leading apostrophe)."""
    text = str(text)
    return text[1:] if text.startswith("'") and text[1:2] in FORMULA_START else text


def verify(folder: str | Path) -> list[str]:
    """Re-read every cited cell from disk; return one line per figure that does not match."""
    folder = Path(folder)
    facts = read_table(folder / "report" / "facts.csv")
    problems, cache = [], {}
    for fact in facts.itertuples(index=False):
        if fact.file not in cache:
            cache[fact.file] = read_table(folder / fact.file)
        frame = cache[fact.file]
        mask = pd.Series(True, index=frame.index)
        for column, value in json.loads(fact.where).items():
            mask &= frame[column].astype(str) == str(value)
        found = frame.loc[mask, fact.column]
        if len(found) != 1 or not _same(found.iloc[0], fact.value):
            problems.append(f"{fact.file}:{fact.column} {fact.where}: "
                            f"quoted {fact.value!r}, table has {list(found)!r}")
        if _unescaped(fact.shown) not in _unescaped(fact.text):
            problems.append(f"sentence {fact.sentence}: {fact.shown!r} not in its text")
    return problems
