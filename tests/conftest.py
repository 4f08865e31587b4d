"""Shared fixtures: a tiny scenario (one country, one system) written inline and as CSV tables."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

#: one country, one system, two lines: small enough to reason about by hand
TINY: dict[str, Any] = {
    "name": "tiny",
    "time": {"start": "2025-01", "end": "2030-12"},
    "goal": {"deadlines": [2028, 2030], "multiplier": 2},
    "country_defaults": {
        "real_growth": 0.01, "deflator": 0.02, "gbad_share": 0.1, "carry_over": 1.0,
        "gdp_year": 2024, "defence_share_start_year": 2025, "defence_share_target": 0.035,
        "equipment_share": 0.3,
    },
    "countries": {"AAA": {"gdp_usd_bn": 100, "defence_share_start": 0.02}},
    "systems": {"sam": {"combat_load": 10}},
    "products": {
        "sam_fu": {"kind": "fire_unit", "system": "sam", "unit_price_eur_m": 100},
        "sam_int": {"kind": "interceptor", "system": "sam", "unit_price_eur_m": 1,
                    "shelf_life_years": 20},
    },
    "lines": {
        "fu_line": {"product": "sam_fu", "capacity_per_month": 1, "ceiling_per_month": 1},
        "int_line": {"product": "sam_int", "capacity_per_month": 20, "ceiling_per_month": 20},
    },
    "inventories": {"AAA": {"sam": {"fire_units": 2}}},
}

#: the same scenario with its tables in CSV files, as analysts keep them
TINY_CSV = {
    "countries.csv": "country,gdp_usd_bn,defence_share_start,source\nAAA,100,0.02,test data\n",
    "systems.csv": "system,combat_load\nsam,10\n",
    "products.csv": (
        "product,kind,system,unit_price_eur_m,shelf_life_years\n"
        "sam_fu,fire_unit,sam,100,\n"
        "sam_int,interceptor,sam,1,20\n"
    ),
    "lines.csv": (
        "line,product,capacity_per_month,ceiling_per_month\n"
        "fu_line,sam_fu,1,1\n"
        "int_line,sam_int,20,20\n"
    ),
    "inventories.csv": "country,system,fire_units\nAAA,sam,2\n",
}


def write_yaml(path: Path, data: dict[str, Any] | str) -> Path:
    """Write a scenario (a mapping, or YAML text as it is) and return its path."""
    text = data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def tiny_data() -> dict[str, Any]:
    """A fresh copy of the tiny scenario as a mapping, for a test to change and write."""
    return copy.deepcopy(TINY)


@pytest.fixture
def tiny_scenario(tmp_path: Path) -> Path:
    """The tiny scenario with inline tables, as a YAML file in tmp_path."""
    return write_yaml(tmp_path / "tiny.yaml", copy.deepcopy(TINY))


@pytest.fixture
def tiny_csv_scenario(tmp_path: Path) -> Path:
    """The tiny scenario with every table in tmp_path/data/*.csv."""
    data_dir = tmp_path / "data"
    data_dir.mkdir(exist_ok=True)
    for name, text in TINY_CSV.items():
        (data_dir / name).write_text(text, encoding="utf-8")
    data = {key: value for key, value in TINY.items()
            if key not in {"countries", "systems", "products", "lines", "inventories"}}
    data["countries"] = {"table": "data/countries.csv"}
    for table in ("systems", "products", "lines", "inventories"):
        data[table] = f"data/{table}.csv"
    return write_yaml(tmp_path / "tiny_csv.yaml", data)


@pytest.fixture
def make_scenario(tmp_path: Path) -> Callable[..., Path]:
    """Write a scenario (mapping or YAML text) under a name in tmp_path; return its path."""

    def make(data: dict[str, Any] | str, name: str = "scenario.yaml") -> Path:
        return write_yaml(tmp_path / name, data)

    return make


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from tmp_path (messages name files as users see them), without STOCKPILE_DEBUG."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("STOCKPILE_DEBUG", raising=False)
    return tmp_path


def invoke(*args: Any) -> Any:
    """``stockpile ARGS...`` in this process, every argument as text; the click Result."""
    from click.testing import CliRunner

    from stockpile.cli import main

    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def pair(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``tests.test_compare.PAIR`` (two members, an uncertain line) as pair.yaml in a fresh
    working folder."""
    from tests.test_compare import PAIR

    monkeypatch.chdir(tmp_path)
    path = tmp_path / "pair.yaml"
    path.write_text(yaml.safe_dump(PAIR), encoding="utf-8")
    return path
