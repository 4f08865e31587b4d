"""Reading scenario files: YAML with ``extend:``, CSV tables, ``--set`` overrides.

Every problem is collected as a ``Problem`` naming the file (and CSV row) it
came from, so the CLI can print one line each and exit 2.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import UnionType
from typing import Any, Union, get_args, get_origin

import pandas as pd
import yaml
from pydantic import BaseModel, ValidationError

from stockpile.scenario import copies, uncertainty, yaml_input
from stockpile.scenario.cells import text_columns
from stockpile.scenario.checks import check_references
from stockpile.scenario.distributions import Dist
from stockpile.scenario.errors import (
    Problem,
    ScenarioError,
    did_you_mean,
    problems_from_validation,
)
from stockpile.scenario.schema import Scenario

#: table name -> key columns (inventories are keyed by country, then system)
TABLES: dict[str, tuple[str, ...]] = {
    "countries": ("country",),
    "systems": ("system",),
    "products": ("product",),
    "lines": ("line",),
    "inventories": ("country", "system"),
    "contracts": ("contract",),
    "capacity_steps": ("line", "date"),
    "transfers": ("transfer",),
    "funds": ("country", "date"),
    "plans": ("country", "system"),
    "checkpoints": ("checkpoint",),
}
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "countries": (),
    "systems": ("combat_load",),
    "products": ("kind",),
    "lines": ("product", "capacity_per_month", "ceiling_per_month"),
    "inventories": (),
    "contracts": ("product", "buyers", "signed"),
    "capacity_steps": ("capacity_per_month",),
    "transfers": ("giver", "receiver", "system", "date"),
    "funds": ("equipment_eur_m",),
    "plans": ("weight", "announced"),
    "checkpoints": ("date", "measure", "value"),
}
#: columns kept for the report, never given to the model
PROVENANCE_COLUMNS = ("source", "confidence", "notes")
PAIR_COLUMNS = {"components", "plan", "buyers"}


class _Origins:
    """Which file (and CSV row) each key path came from, for error messages."""

    def __init__(self) -> None:
        self.paths: dict[tuple[str, ...], str] = {}

    def record(self, data: Any, where: str, prefix: tuple[str, ...] = (),
               overwrite: bool = True) -> None:
        """Note ``where`` for every path in ``data``; ``overwrite=False`` keeps earlier notes,
        so a YAML per-row override is still blamed on the YAML file, not the CSV row."""
        if overwrite or prefix not in self.paths:
            self.paths[prefix] = where
        if isinstance(data, dict):
            for key, value in data.items():
                self.record(value, where, (*prefix, str(key)), overwrite)

    def forget(self, prefix: tuple[str, ...]) -> None:
        """Drop the notes under ``prefix`` (a section a later file replaced)."""
        n = len(prefix)
        for path in [p for p in self.paths if p[:n] == prefix]:
            del self.paths[path]

    def locate(self, loc: Sequence[Any]) -> tuple[str, str]:
        parts = tuple(str(p) for p in loc)
        for end in range(len(parts), -1, -1):
            if parts[:end] in self.paths:
                return self.paths[parts[:end]], ".".join(parts)
        return self.paths.get((), "?"), ".".join(parts)


def _read_yaml(path: Path, shown: str) -> dict:
    if not path.is_file():
        raise ScenarioError([Problem(shown, "", "file not found")])
    try:
        data = yaml_input.load(path.read_text(encoding="utf-8"))
    except yaml_input.TooLarge as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}" if mark else exc.path
        raise ScenarioError([Problem(shown, where, str(exc.problem))]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f"line {mark.line + 1}" if mark else ""
        raise ScenarioError([Problem(shown, line, f"YAML syntax error: {exc.problem}")]) from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ScenarioError([Problem(shown, "", f"cannot read YAML: {exc}")]) from None
    if data is None:
        raise ScenarioError([Problem(shown, "", "file is empty (a scenario is a YAML mapping)")])
    if not isinstance(data, dict):
        raise ScenarioError([Problem(
            shown, "", f"top level is a {type(data).__name__}, not a mapping of keys")])
    return data


def deep_merge(base: dict, override: dict) -> dict:
    """Child values win; mappings merge key by key; lists are replaced whole."""
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _show(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _load_with_extends(path: Path, origins: _Origins, chain: tuple[Path, ...] = ()) -> dict:
    path = path.resolve()
    shown = _show(path)
    if path in chain:
        cycle = " -> ".join(_show(p) for p in (*chain, path))
        raise ScenarioError([Problem(shown, "extend", f"cyclic extend: {cycle}")])
    data = _read_yaml(path, shown)
    for table in TABLES:
        spec = data.get(table)
        if isinstance(spec, str):
            spec = data[table] = {"table": spec}
        if isinstance(spec, dict) and isinstance(spec.get("table"), str):
            spec["table"] = str((path.parent / spec["table"]).resolve())
    if isinstance(data.get("uncertainty"), str):
        data["uncertainty"] = str((path.parent / data["uncertainty"]).resolve())
    parents = data.pop("extend", None)
    merged: dict = {}
    if parents is not None:
        if isinstance(parents, str):
            parents = [parents]
        if not isinstance(parents, list) or not all(isinstance(p, str) for p in parents):
            raise ScenarioError([Problem(shown, "extend",
                                         "expected a file name or a list of them")])
        for parent in parents:
            parent_path = path.parent / parent
            if not parent_path.is_file():
                raise ScenarioError([Problem(shown, "extend", f"file not found: {parent}")])
            merged = deep_merge(merged, _load_with_extends(parent_path, origins, (*chain, path)))
    for table in TABLES:
        if isinstance(data.get(table), dict) and "table" in data[table]:
            # a file naming its own table replaces the rows it inherited, not merges into them
            merged.pop(table, None)
            origins.forget((table,))
    origins.record(data, shown)
    return deep_merge(merged, data)


def _cell(value: str) -> Any:
    """A CSV cell as the YAML author would have written it."""
    text = value.strip()
    if text.startswith("{"):
        try:
            return yaml_input.load(text)
        except yaml.YAMLError:
            return text
    low = text.lower()
    if low in {"true", "yes"}:
        return True
    if low in {"false", "no"}:
        return False
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return text


def _pairs(text: str) -> Any:
    """``a:1;b:2`` -> {"a": 1, "b": 2}; anything else is left for validation to reject."""
    result: dict[str, Any] = {}
    for item in filter(None, (part.strip() for part in text.split(";"))):
        name, sep, qty = item.partition(":")
        if not sep:
            return text
        result[name.strip()] = _cell(qty)
    return result


def _read_table(table: str, csv_path: Path, named_in: str, origins: _Origins,
                provenance: list[dict]) -> dict:
    shown = _show(csv_path)
    if not csv_path.is_file():
        raise ScenarioError([Problem(named_in, f"{table}.table", f"file not found: {shown}")])
    try:
        frame = pd.read_csv(csv_path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise ScenarioError([Problem(shown, "", f"cannot read CSV: {exc}".splitlines()[0])]) \
            from None
    keys = TABLES[table]
    needed = (*keys, *REQUIRED_COLUMNS[table])
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ScenarioError([Problem(
            shown, "", f"missing column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(repr(m) for m in missing)} (needed: {', '.join(needed)})")])
    rows: dict = {}
    problems = []
    first_row: dict[tuple[str, ...], int] = {}
    text = text_columns(table)
    for index, record in enumerate(frame.to_dict("records")):
        row_number = index + 2  # header is row 1, as a spreadsheet counts
        key = tuple(record[k].strip() for k in keys)
        if not all(key):
            problems.append(Problem(shown, f"row {row_number}", f"empty {'/'.join(keys)}"))
            continue
        if key in first_row:
            problems.append(Problem(shown, f"{table}.{'.'.join(key)}",
                                    f"duplicate name (rows {first_row[key]} and {row_number})"))
            continue
        first_row[key] = row_number
        values = {}
        for column, raw in record.items():
            if column in keys or column in PROVENANCE_COLUMNS or raw.strip() == "":
                continue
            values[column] = (raw.strip() if column in text else _pairs(raw)
                              if column in PAIR_COLUMNS else _cell(raw))
        provenance.append({"table": table, "key": ".".join(key),
                           **{c: record.get(c, "") for c in PROVENANCE_COLUMNS if c in record}})
        target = rows
        for part in key[:-1]:
            target = target.setdefault(part, {})
        target[key[-1]] = values
        origins.record(values, f"{shown} (row {row_number})", (table, *key), overwrite=False)
    if problems:
        raise ScenarioError(problems)
    return rows


def _expand_tables(data: dict, origins: _Origins, main: str, provenance: list[dict]) -> None:
    problems: list[Problem] = []
    for table in TABLES:
        spec = data.get(table)
        if not isinstance(spec, dict) or "table" not in spec:
            continue
        rest = {k: v for k, v in spec.items() if k != "table"}
        named_in = origins.locate((table, "table"))[0] or main
        try:
            rows = _read_table(table, Path(spec["table"]), named_in, origins, provenance)
        except ScenarioError as exc:
            problems.extend(exc.problems)
            continue
        data[table] = deep_merge(rows, rest)
    if problems:
        raise ScenarioError(problems)


def _walk_schema(model: type[BaseModel], data: dict, keys: list[str]) -> str | None:
    """Why a ``--set`` path does not exist in the schema, or None when it does.

    Keys of sections are checked against the schema; names inside mappings (countries,
    lines, ...) must exist in the scenario, except a new last key in a mapping of numbers
    (``countries.DEU.plan.patriot=2``) and a new row of the plans table
    (``plans.ITA.patriot.weight=1``), which the reference checks then vet.
    """
    current: Any = model
    node: Any = data
    for depth, key in enumerate(keys):
        shown = ".".join(keys[: depth + 1])
        kind, inner = _container(current)
        if kind == "model":
            if key not in inner.model_fields:
                hint = did_you_mean(key, inner.model_fields)
                return f"unknown key '{shown}'" + (f" ({hint})" if hint else "")
            current = inner.model_fields[key].annotation
            node = node.get(key) if isinstance(node, dict) else None
        elif kind == "dict":
            is_new_number = depth == len(keys) - 1 and _container(inner)[0] is None
            is_new_row = keys[0] == "plans" and depth <= 2
            if not (isinstance(node, dict) and key in node) and not (is_new_number
                                                                     or is_new_row):
                hint = did_you_mean(key, node if isinstance(node, dict) else ()) or \
                    copies.hint(keys[:depth], key)
                return f"no entry '{shown}'" + (f" ({hint})" if hint else "")
            current, node = inner, node.get(key) if isinstance(node, dict) else None
        elif kind == "list" and isinstance(node, list) and key.isdigit() and int(key) < len(node):
            current, node = inner, node[int(key)]
        else:
            return f"unknown key '{shown}' ({'.'.join(keys[:depth])} has no sub-keys)"
    return None


def _container(annotation: Any) -> tuple[str | None, Any]:
    """What a schema annotation holds: ("model", M), ("dict", V), ("list", T) or (None, None).

    Optional and unions are looked through; the numbers-or-distribution type counts as a
    plain value, not as the ``Dist`` model.
    """
    origin = get_origin(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel) \
            and annotation is not Dist:
        return "model", annotation
    if origin is dict:
        return "dict", get_args(annotation)[-1]
    if origin is list:
        return "list", get_args(annotation)[0]
    if origin in (Union, UnionType):
        for arg in get_args(annotation):
            found = _container(arg)
            if found[0] is not None:
                return found
    return None, None


def apply_overrides(data: dict, overrides: Iterable[str], origins: _Origins
                    ) -> list[copies.Copy]:
    """``key.path=value`` with the value read as YAML (``0.1``, ``joint``, ``[1, 2]``),
    after every ``like=`` copy (``copies``) whatever the order given; returns the copies."""
    overrides = list(overrides)
    made = copies.make(data, overrides, lambda value, path: _note_set(origins, value, path))
    problems = []
    for text in (text for text in overrides if not copies.is_like(text)):
        key, sep, raw = text.partition("=")
        if not sep or not key.strip():
            problems.append(Problem("--set", text, "expected KEY=VALUE"))
            continue
        keys = key.strip().split(".")
        why = _walk_schema(Scenario, data, keys)
        if why:
            problems.append(Problem("--set", key, why))
            continue
        try:
            value = yaml_input.load(raw) if raw.strip() else None
        except yaml.YAMLError:
            value = raw
        node = data
        for depth, part in enumerate(keys[:-1]):
            if isinstance(node, list):
                node = node[int(part)]
                continue
            if not isinstance(node.get(part), dict | list):  # absent or blank (plan: null)
                node[part] = {}
                origins.record({}, "--set", tuple(keys[: depth + 1]))
            node = node[part]
        if isinstance(node, list):
            node[int(keys[-1])] = value
        else:
            node[keys[-1]] = value
        origins.record(value, "--set", tuple(keys))
    if problems:
        raise ScenarioError(problems)
    return made


def _note_set(origins: _Origins, value: Any, path: tuple[str, ...]) -> None:
    """A copied entry is blamed on ``--set``, not on the row of the entry it copies."""
    origins.forget(path)
    origins.record(value, "--set", path)


def load_scenario(path: str | Path, overrides: Iterable[str] | None = None) -> Scenario:
    """Read, merge, override and validate a scenario file; raise ``ScenarioError`` if bad.

    >>> stockpile.load_scenario("configs/baseline.yaml", overrides=["procurement.mode=joint"])
    """
    path = Path(path)
    origins = _Origins()
    data = _load_with_extends(path, origins)
    main = _show(path.resolve())
    provenance: list[dict] = []
    _expand_tables(data, origins, main, provenance)
    table = data.pop("uncertainty", None)
    applied: list[uncertainty.Applied] = []
    if table is not None:
        if not isinstance(table, str):
            raise ScenarioError([Problem(origins.locate(("uncertainty",))[0], "uncertainty",
                                         "expected a CSV file name (or null for none)")])
        shown = _show(Path(table))
        applied = uncertainty.apply(data, uncertainty.read(Path(table), shown), shown)
        for item in applied:
            origins.record(item.spec, f"{shown} (row {item.row.row})",
                           tuple(item.key.split(".")))
    made = apply_overrides(data, overrides or (), origins)
    scenario = _validated(data, origins, main, copies.provenance(provenance, made))
    scenario._uncertainty = copies.uncertainty(applied, made)
    scenario._uncertainty_file = _show(Path(table)) if table else ""
    return scenario


def unknown_key(scenario: Scenario, dotted: str) -> str | None:
    """Why a dotted key (a lever) names nothing in the scenario, or None when it does."""
    return _walk_schema(Scenario, scenario.model_dump(mode="json"), dotted.split("."))


def with_overrides(scenario: Scenario, overrides: Iterable[str]) -> Scenario:
    """A loaded scenario with ``--set`` overrides applied, as if they had been given to
    ``load_scenario``: how a sweep turns one scenario into its design points."""
    overrides = list(overrides)
    if not overrides:
        return scenario
    origins = _Origins()
    data = scenario.model_dump(mode="json")
    origins.record(data, scenario._source or "scenario")
    made = apply_overrides(data, overrides, origins)
    changed = _validated(data, origins, scenario._source,
                         copies.provenance(scenario._provenance, made))
    changed._uncertainty = copies.uncertainty(scenario._uncertainty, made)
    changed._uncertainty_file = scenario._uncertainty_file
    return changed


def _validated(data: dict, origins: _Origins, main: str, provenance: list[dict]) -> Scenario:
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(problems_from_validation(exc, Scenario, origins.locate)) from None
    problems = [Problem(*origins.locate(loc), message)
                for loc, message in check_references(scenario)]
    if problems:
        raise ScenarioError(problems)
    scenario._provenance = provenance
    scenario._source = main
    return scenario
