"""Which CSV columns hold text: read as written, never as numbers or YAML.

A country named ``2024`` or a site called ``+1`` is text in a column the schema types as
text; only the other columns turn ``12`` into a number and ``{dist: ...}`` into a
distribution. The kinds come from the schema, so a new table or field needs nothing here.
"""

from __future__ import annotations

from functools import cache
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from stockpile.scenario.schema import Scenario


def _row_model(annotation: Any) -> type[BaseModel] | None:
    """The row model of a table section, through one or more levels of mapping."""
    while get_origin(annotation) is dict:
        annotation = get_args(annotation)[-1]
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) \
        else None


def _is_text(annotation: Any) -> bool:
    """True for ``str``, a choice of words, or an optional one of them."""
    if get_origin(annotation) is Annotated:
        return _is_text(get_args(annotation)[0])
    if get_origin(annotation) in (Union, UnionType):
        options = [a for a in get_args(annotation) if a is not type(None)]
        return bool(options) and all(_is_text(a) for a in options)
    if get_origin(annotation) is Literal:
        return all(isinstance(a, str) for a in get_args(annotation))
    return annotation is str


@cache
def text_columns(table: str) -> frozenset[str]:
    """The columns of a table section whose fields are text."""
    field = Scenario.model_fields.get(table)
    model = _row_model(field.annotation) if field else None
    if model is None:
        return frozenset()
    return frozenset(name for name, info in model.model_fields.items()
                     if _is_text(info.annotation))
