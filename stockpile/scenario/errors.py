"""Turning every kind of bad input into ``FILE: key.path: what is wrong (what is allowed)``."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError


@dataclass(frozen=True)
class Problem:
    file: str
    path: str
    message: str

    def __str__(self) -> str:
        text = f"{self.file}: {self.path}: {self.message}" if self.path else \
            f"{self.file}: {self.message}"
        return printable(text)


def printable(text: str) -> str:
    """One line whatever the input held: line breaks and control characters escaped."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


class ScenarioError(Exception):
    """Bad input: one or more problems, each printable on one line."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


def _model_at(model: type[BaseModel] | None, loc: Sequence[Any]) -> type[BaseModel] | None:
    """The schema model that a location points into, to list its allowed keys."""
    current: Any = model
    for part in loc:
        if current is None:
            return None
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            current = field.annotation if field else None
            continue
        origin = get_origin(current)
        args = [a for a in get_args(current) if a is not type(None)]
        if origin is dict:
            current = args[-1] if args else None
        elif origin is list:
            current = args[0] if args else None
        elif args:  # Optional / Union: take the first model among the options
            models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
            current = models[0] if models else None
            if current is not None:
                current = _model_at(current, [part])
        else:
            return None
    while current is not None and not (isinstance(current, type) and issubclass(current,
                                                                                 BaseModel)):
        args = [a for a in get_args(current) if isinstance(a, type) and issubclass(a, BaseModel)]
        current = args[0] if args else None
    return current


def _describe(error: dict[str, Any], root: type[BaseModel]) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        parent = _model_at(root, error["loc"][:-1])
        allowed = list(parent.model_fields) if parent else []
        hint = did_you_mean(error["loc"][-1], allowed)
        return "unknown key" + (f" ({hint})" if hint else
                                f" (allowed: {', '.join(allowed)})" if allowed else "")
    if kind == "missing":
        return "required key missing"
    if kind == "literal_error":
        return f"{error['input']!r} is not allowed ({error['msg'].split('Input should be ')[-1]})"
    if kind == "string_pattern_mismatch":
        return f"{error['input']!r} is not a month (YYYY-MM, years 1900 to 2199)"
    if kind in {"greater_than_equal", "less_than_equal", "greater_than", "less_than"}:
        allowed = " and ".join(f"{'at least' if k in ('ge', 'gt') else 'at most'} {v}"
                               for k, v in error.get("ctx", {}).items())
        return f"{error['input']!r} is out of range ({allowed})"
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return f"not a whole number (got {error['input']!r})"
    if kind in {"bool_parsing", "bool_type"}:
        return f"not true/false (got {error['input']!r})"
    if kind in {"dict_type", "model_type", "model_attributes_type"}:
        return f"expected a mapping of keys (got {type(error['input']).__name__})"
    if kind == "list_type":
        return f"expected a list (got {type(error['input']).__name__})"
    if kind in {"string_type"}:
        return f"expected text (got {error['input']!r})"
    message = error["msg"]
    return message.removeprefix("Value error, ")


def _clean_loc(loc: Sequence[Any]) -> list[Any]:
    """Drop pydantic's union-branch and validator tags from a location."""
    tags = {"float", "Dist", "str", "int", "bool"}
    prefixes = ("function-", "list[", "dict[", "literal[", "union[", "nullable[")
    return [part for part in loc
            if not (isinstance(part, str) and (part in tags or part.startswith(prefixes)))]


def problems_from_validation(exc: ValidationError, root: type[BaseModel],
                             locate: Any) -> list[Problem]:
    """One problem per pydantic error; ``locate(loc) -> (file, path)`` names where it came from."""
    seen: set[tuple[str, str]] = set()
    problems = []
    for error in exc.errors():
        loc = _clean_loc(error["loc"])
        file, path = locate(loc)
        message = _describe(error, root)
        if (path, file) in seen:
            continue
        seen.add((path, file))
        problems.append(Problem(file, path, message))
    return problems
