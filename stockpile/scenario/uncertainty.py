"""The uncertainty table: every weak input's distribution, with the source of its range.

A scenario may name a CSV (``uncertainty: data/uncertainty.csv``) with one row per input
or family of inputs: ``input`` is a dotted key (``*`` stands for every entry of a mapping:
``lines.*.expansion_lead_months``), ``dist`` is ``triang``, ``uniform`` or ``randint``,
``low``/``mode``/``high`` give its range, in the input's units or, with ``relative`` true, as
multiples of the value the data give (0.5, 1, 1.5 for ±50%; an input the data leave
blank or at zero has nothing to scale and stays as it is). ``basis`` says where the range
comes from (the sources' own low and high, or a stated rule), and ``source`` and
``confidence`` are kept as in every data file.

The rows are applied after the tables are read and before ``--set``, so a ``--set`` still
fixes an input; an input a scenario file already gives as a distribution keeps it (the
author chose it). ``uncertainty: null`` in a scenario that extends another drops the table.
``stockpile.scenario.uncertainty_page`` renders the table as docs/uncertainty.md.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from stockpile.scenario.errors import Problem, ScenarioError

COLUMNS = ("input", "dist", "low", "mode", "high", "relative", "basis", "source", "confidence")
REQUIRED = ("input", "dist", "low", "high", "basis", "source")
DISTS = ("triang", "uniform", "randint")


@dataclass(frozen=True)
class Row:
    """One row of the table, as read."""

    row: int  # as a spreadsheet counts (the header is row 1)
    input: str
    dist: str
    low: float
    mode: float | None
    high: float
    relative: bool
    basis: str
    source: str
    confidence: str


@dataclass(frozen=True)
class Applied:
    """A distribution the table gave one input of the scenario."""

    key: str
    spec: dict[str, Any]
    low: float  # the range in the input's units
    mode: float | None
    high: float
    row: Row


def read(path: Path, shown: str) -> list[Row]:
    """The table's rows; a bad cell is a one-line problem naming the file and row."""
    if not path.is_file():
        raise ScenarioError([Problem(shown, "uncertainty", f"file not found: {path}")])
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise ScenarioError([Problem(shown, "", f"cannot read CSV: {exc}".splitlines()[0])]) \
            from None
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise ScenarioError([Problem(shown, "", f"missing column(s) {', '.join(missing)} "
                                     f"(needed: {', '.join(REQUIRED)})")])
    rows, problems = [], []
    for index, record in enumerate(frame.to_dict("records")):
        number = index + 2
        try:
            rows.append(_row(number, {k: str(v).strip() for k, v in record.items()}))
        except ValueError as exc:
            problems.append(Problem(shown, f"row {number}", str(exc)))
    if problems:
        raise ScenarioError(problems)
    return rows


def _row(number: int, cells: dict[str, str]) -> Row:
    if not cells["input"]:
        raise ValueError("empty input (a dotted key, e.g. lines.*.expansion_lead_months)")
    if cells["dist"] not in DISTS:
        raise ValueError(f"dist '{cells['dist']}' is not allowed ({', '.join(DISTS)})")
    low, high = _number(cells, "low"), _number(cells, "high")
    mode = _number(cells, "mode") if cells.get("mode") else None
    if not low <= high:
        raise ValueError(f"low {low:g} above high {high:g}")
    if mode is not None and not low <= mode <= high:
        raise ValueError(f"mode {mode:g} outside low..high ({low:g}..{high:g})")
    if cells["dist"] == "triang" and mode is None:
        raise ValueError("a triang row needs a mode")
    relative = cells.get("relative", "").lower()
    if relative not in ("", "true", "false"):
        raise ValueError(f"relative '{cells['relative']}' is not allowed (true, false or blank)")
    if not cells["source"] or not cells["basis"]:
        raise ValueError("every row needs its basis and source")
    return Row(number, cells["input"], cells["dist"], low, mode, high, relative == "true",
               cells["basis"], cells["source"], cells.get("confidence", ""))


def _number(cells: dict[str, str], column: str) -> float:
    try:
        return float(cells[column])
    except (KeyError, ValueError):
        raise ValueError(f"{column} '{cells.get(column, '')}' is not a number") from None


def expand(data: Any, parts: list[str], prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every existing key path the pattern names (``*`` and shell patterns match entries)."""
    if not parts:
        yield prefix
        return
    if data is not None and not isinstance(data, dict):
        return
    head, rest = parts[0], parts[1:]
    if any(ch in head for ch in "*?["):  # a pattern matches the entries that exist
        names = sorted(k for k in (data or {}) if fnmatch.fnmatchcase(str(k), head))
    else:  # a plain key may be new (goal.layer_weights.short_range): the schema vets it
        names = [head]
    for name in names:
        yield from expand((data or {}).get(name), rest, (*prefix, str(name)))


def apply(data: dict, rows: list[Row], shown: str) -> list[Applied]:
    """Set each row's distribution on the inputs it names; return what was set."""
    applied: list[Applied] = []
    problems = []
    for row in rows:
        paths = list(expand(data, row.input.split(".")))
        if not paths:
            problems.append(Problem(shown, f"row {row.row}",
                                    f"input '{row.input}' names nothing in the scenario"))
            continue
        for path in paths:
            parent = _parent(data, path, make=not row.relative)
            if parent is None:  # a relative row scales only what the data give
                continue
            value = parent.get(path[-1])
            if isinstance(value, dict):  # a distribution the author chose: it stays
                continue
            if row.relative:
                if value is None:  # nothing to scale: it stays as is (a replay's 2022
                    continue  # holdings lack some of today's rows)
                if isinstance(value, bool) or not isinstance(value, int | float):
                    problems.append(Problem(shown, f"row {row.row}", f"{'.'.join(path)}: a "
                                            f"relative range needs a number, not {value!r}"))
                    continue
                base = float(value)
                if base == 0:
                    continue
                low, high = sorted((row.low * base, row.high * base))
                mode = row.mode * base if row.mode is not None else None
            else:
                low, high, mode = row.low, row.high, row.mode
            if row.dist == "randint":  # whole numbers: the ends drawn, as the page shows them
                low, high = round(low), round(high)
                mode = round(mode) if mode is not None else None
            spec = _spec(row.dist, low, mode, high)
            parent[path[-1]] = spec
            applied.append(Applied(".".join(path), spec, low, mode, high, row))
    if problems:
        raise ScenarioError(problems)
    return applied


def _parent(data: dict, path: tuple[str, ...], make: bool) -> dict | None:
    """The mapping that holds the input at ``path``; missing mappings on the way are made
    when ``make`` (an absolute row may add an input), else there is none (a relative row on
    a holding a replay's 2022 data lack must not create it)."""
    parent = data
    for part in path[:-1]:
        if not isinstance(parent.get(part), dict):
            if not make:
                return None
            parent[part] = {}
        parent = parent[part]
    return parent


def _spec(dist: str, low: float, mode: float | None, high: float) -> dict[str, Any]:
    """The ``{dist: ...}`` mapping scipy.stats reads, from a low, mode and high."""
    width = high - low
    if dist == "randint":  # scipy's high is exclusive: the table's is the last value drawn
        return {"dist": "randint", "low": round(low), "high": round(high) + 1}
    if dist == "uniform":
        return {"dist": "uniform", "loc": low, "scale": width}
    c = (mode - low) / width if width > 0 and mode is not None else 0.5
    return {"dist": "triang", "c": round(c, 6), "loc": low, "scale": width}

