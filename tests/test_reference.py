"""The config reference stays in step with the schema."""

from __future__ import annotations

import inspect
from pathlib import Path

from pydantic import BaseModel

from stockpile.scenario import schema
from stockpile.scenario.reference import render

DOCS = Path(__file__).resolve().parent.parent / "docs" / "config.md"


def test_committed_reference_is_current() -> None:
    assert DOCS.read_text(encoding="utf-8") == render(), (
        "docs/config.md is out of date: run "
        "`python -m stockpile.scenario.reference > docs/config.md`")


def test_every_field_is_described() -> None:
    models = [cls for cls in vars(schema).values()
              if inspect.isclass(cls) and issubclass(cls, BaseModel)
              and cls.__module__ == schema.__name__]
    blank = [f"{cls.__name__}.{name}" for cls in models
             for name, field in cls.model_fields.items() if not field.description]
    assert not blank, f"fields without a description (shown in docs/config.md): {blank}"


def test_reference_names_every_section() -> None:
    text = render()
    for name in schema.Scenario.model_fields:
        assert f"`{name}" in text
    assert "## CSV tables" in text
