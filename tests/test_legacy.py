"""Legacy systems (``buyable: false``): they hold their stocks and retire, and nobody buys them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from stockpile import load_scenario, simulate
from stockpile.scenario import ScenarioError, resolve
from tests.conftest import write_yaml
from tests.invariants import check_all


def with_legacy(data: dict[str, Any], retire_year: int | None = 2027) -> dict[str, Any]:
    """The tiny world plus an old system out of production: an interceptor product, no
    fire-unit product, no line; country AAA holds 3 fire units with a full load."""
    data["systems"]["old"] = {"combat_load": 4, "capability_weight": 0.5,
                              "training_shots_per_fu_year": 0, "buyable": False}
    data["products"]["old_int"] = {"kind": "interceptor", "system": "old",
                                   "shelf_life_years": 10}
    data["inventories"]["AAA"]["old"] = {"fire_units": 3, "retire_year": retire_year}
    return data


def problems(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    return [str(p) for p in caught.value.problems]


def test_a_legacy_system_holds_stocks_retires_and_is_never_bought(
        tmp_path: Path, tiny_data: dict[str, Any]) -> None:
    scenario = load_scenario(write_yaml(tmp_path / "s.yaml", with_legacy(tiny_data)))
    assert resolve.plan(scenario, "AAA") == {"sam": 1.0}
    out = simulate(scenario, deterministic=True)
    check_all(scenario, out)
    assert "old_int" not in set(out.contracts["product"])
    assert not out.decisions["system"].eq("old").any()
    old = out.timeseries[out.timeseries.system == "old"].set_index("date")
    assert old.loc["2025-01", "ready_fire_units"] == 3  # counted in the baseline
    assert old.loc["2026-12", "fire_units"] == 3 and old.loc["2027-01", "fire_units"] == 0
    assert old["fire_units_retired"].sum() == 3 and old["delivered"].sum() == 0


def test_a_country_holding_only_a_legacy_system_buys_the_default_plan(
        tmp_path: Path, tiny_data: dict[str, Any]) -> None:
    data = with_legacy(tiny_data)
    del data["inventories"]["AAA"]["sam"]
    data["procurement"] = {"default_plan": {"sam": 1.0}}
    scenario = load_scenario(write_yaml(tmp_path / "s.yaml", data))
    assert resolve.plan(scenario, "AAA") == {"sam": 1.0}
    out = simulate(scenario, deterministic=True)
    assert set(out.contracts["product"]) <= {"sam_fu", "sam_int"} and len(out.contracts)


def test_a_plan_or_programme_naming_a_legacy_system_is_an_error(
        tmp_path: Path, tiny_data: dict[str, Any]) -> None:
    data = with_legacy(tiny_data)
    data["countries"]["AAA"]["plan"] = {"old": 1.0}
    data["procurement"] = {"default_plan": {"old": 1.0}}
    found = problems(write_yaml(tmp_path / "s.yaml", data))
    assert len(found) == 2
    assert all("'old' is not buyable" in p for p in found)
    assert any("countries.AAA.plan.old" in p for p in found)
    assert any("procurement.default_plan.old" in p for p in found)


def test_nothing_of_a_legacy_system_can_be_on_order(
        tmp_path: Path, tiny_data: dict[str, Any]) -> None:
    data = with_legacy(tiny_data)
    data["inventories"]["AAA"]["old"]["on_order_interceptors"] = 10
    found = problems(write_yaml(tmp_path / "s.yaml", data))
    assert len(found) == 1
    assert "inventories.AAA.old: 'old' is not buyable: nothing of it can be on order" in found[0]


def test_a_buyable_system_still_needs_its_lines(
        tmp_path: Path, tiny_data: dict[str, Any]) -> None:
    data = with_legacy(tiny_data)
    data["systems"]["old"]["buyable"] = True
    found = problems(write_yaml(tmp_path / "s.yaml", data))
    assert any("systems.old: needs exactly one fire_unit product" in p for p in found)
    assert any("products.old_int: no production line makes this product" in p for p in found)
