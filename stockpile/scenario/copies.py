"""``--set lines.NEW.like=LINE`` and ``--set plans.ISO.like=ISO``: a second production line,
or another country's plan, from the command line without writing every field.

Copies are made before every other ``--set``, whatever the order on the command line, so
``--set lines.NEW.FIELD=VALUE`` changes the copy, not the source. What a copy takes:

- every field of its source as loaded, distributions included: the uncertainty table's
  rows for the source reach the copy (listed under the copy's own key), each drawn on the
  copy's own stream, so the two lines' draws are independent;
- the source's provenance, marked ``copy of lines.LINE via --set: <source text>``, so that
  no figure appears without its source;
- nothing else keyed by the source's name: capacity steps are the source plant's own
  announced ramp (copying them would count one announcement twice), and checkpoints are
  facts about the source.

A line copy must have a new name (refusing keeps an existing line's data from vanishing
under a typo); a plan copy replaces the rows the country had (a plan belongs to a country
that exists). A copy of a copy made by the same command is refused: it would copy the
source before the other ``--set`` changed it, which nobody expects.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from stockpile.scenario.errors import Problem, ScenarioError, did_you_mean

LIKE = "like"
#: tables whose entries may be copied -> what an entry is called in messages
KINDS = {"lines": "line", "plans": "plan"}
USAGE = "like= copies a line or a plan only (lines.NEW.like=LINE, plans.ISO.like=ISO)"


@dataclasses.dataclass(frozen=True)
class Copy:
    """One ``like=``: the entry ``table.name`` made as a copy of ``table.source``."""

    table: str
    name: str
    source: str

    @property
    def key(self) -> str:
        return f"{self.table}.{self.name}.{LIKE}"


def is_like(text: str) -> bool:
    """Whether a ``--set`` asks for a copy (its key ends in ``.like``)."""
    key = text.partition("=")[0].strip()
    return key.split(".")[-1] == LIKE and "=" in text


def make(data: dict, overrides: Iterable[str], note: Callable[[Any, tuple[str, ...]], None]
         ) -> list[Copy]:
    """Make every copy the overrides ask for in ``data``; ``note(value, path)`` records where
    the new entries came from. Raises ``ScenarioError`` naming each bad ``like=``."""
    copies, problems = _parse([text for text in overrides if is_like(text)])
    made = {(c.table, c.name) for c in copies}
    seen: set[tuple[str, str]] = set()
    for item in copies:
        why = _refusal(data, item, made, seen)
        seen.add((item.table, item.name))
        if why:
            problems.append(Problem("--set", item.key, why))
    if problems:
        raise ScenarioError(problems)
    for item in copies:
        entry = copy.deepcopy(data[item.table][item.source])
        data[item.table][item.name] = entry
        note(entry, (item.table, item.name))
    return copies


def _parse(texts: Sequence[str]) -> tuple[list[Copy], list[Problem]]:
    """The ``like=`` overrides as copies, and a problem for each one in the wrong place."""
    copies, problems = [], []
    for text in texts:
        key, _, raw = text.partition("=")
        parts = key.strip().split(".")
        if len(parts) != 3 or parts[0] not in KINDS:
            problems.append(Problem("--set", key.strip(), USAGE))
        elif not raw.strip():
            problems.append(Problem("--set", key.strip(),
                                    f"expected the name of the {KINDS[parts[0]]} to copy"))
        else:
            copies.append(Copy(parts[0], parts[1], raw.strip()))
    return copies, problems


def _refusal(data: dict, item: Copy, made: set[tuple[str, str]],
             seen: set[tuple[str, str]]) -> str | None:
    """Why a copy cannot be made, or None."""
    kind, entries = KINDS[item.table], data.get(item.table) or {}
    if (item.table, item.name) in seen:
        return f"given twice (one like= per {kind})"
    if item.name == item.source:
        return f"a {kind} cannot copy itself"
    if (item.table, item.source) in made:
        return (f"'{item.source}' is itself a copy made by --set (copy from what "
                f"'{item.source}' copies: a copy of a copy is not made)")
    if item.source not in entries:
        return f"no {kind} '{item.source}' to copy ({_choices(item.source, entries, kind)})"
    if item.table == "lines" and item.name in entries:
        return (f"line '{item.name}' exists already (like= makes a new line: give it a new "
                "name, or --set the fields of the existing one)")
    if item.table == "plans":
        countries = data.get("countries") or {}
        if item.name not in countries:
            hint = did_you_mean(item.name, countries)
            return f"unknown country '{item.name}'" + (f" ({hint})" if hint else "")
    return None


def _choices(word: str, names: Iterable[str], kind: str, shown: int = 12) -> str:
    """A close match, else the names there are (at most ``shown`` of them)."""
    names = sorted(str(n) for n in names)
    hint = did_you_mean(word, names)
    if hint:
        return hint
    more = f", ... ({len(names)} in all)" if len(names) > shown else ""
    return f"{kind}s: {', '.join(names[:shown])}{more}" if names else f"no {kind}s at all"


def provenance(rows: list[dict], copies: Sequence[Copy]) -> list[dict]:
    """The provenance rows with each copy's source rows added under the copy's key (a new
    list: the scenario a sweep copies from keeps its own)."""
    result = list(rows)
    for item in copies:
        result = [row for row in result if not _under(row, item.table, item.name)]
        found = [row for row in rows if _under(row, item.table, item.source)]
        where = f"copy of {item.table}.{item.source} via --set"
        result += [{**row, "key": item.name + row["key"][len(item.source):],
                    "source": f"{where}: {row.get('source', '')}"} for row in found] or \
            [{"table": item.table, "key": item.name, "source": where}]
    return result


def _under(row: dict, table: str, name: str) -> bool:
    """Whether a provenance row is about entry ``name`` of ``table`` (a plan has one row per
    system, keyed ``ISO.system``)."""
    key = str(row.get("key", ""))
    return row.get("table") == table and (key == name or key.startswith(f"{name}."))


def uncertainty(applied: list, copies: Sequence[Copy]) -> list:
    """The uncertainty table's distributions with each copy's own listed under its key
    (``uncertainty.Applied`` items, renamed; a replaced plan's rows dropped)."""
    result = list(applied)
    for item in copies:
        old, new = f"{item.table}.{item.source}.", f"{item.table}.{item.name}."
        result = [a for a in result if not a.key.startswith(new)]
        result += [dataclasses.replace(a, key=new + a.key[len(old):])
                   for a in applied if a.key.startswith(old)]
    return result


def hint(parent: Sequence[str], name: str) -> str:
    """What to type for a new entry of a table that copies make (``lines.NEW``)."""
    if list(parent) == ["lines"]:
        return f"a new line is a copy: lines.{name}.like=LINE"
    return ""
