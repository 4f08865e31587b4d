"""The default data's air-defence layers (issue 13): every layer has systems, every row says where
its figures come from, producible systems have their lines, and legacy systems are never bought."""

from __future__ import annotations

import typing
from pathlib import Path

import pandas as pd
import pytest

from stockpile import load_scenario, simulate
from stockpile.model.world import RunOutput
from stockpile.scenario import resolve
from stockpile.scenario.distributions import Dist
from stockpile.scenario.schema import Scenario, SystemRow
from tests.invariants import check_all

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "configs" / "data"
LAYERS = typing.get_args(typing.get_args(SystemRow.model_fields["layer"].annotation)[0])
#: the systems issue 13 added to the six of the first data set
NEW_SYSTEMS = {"skyranger", "mistral", "piorun", "stinger", "skynex", "iris_t_sls", "vl_mica",
               "spyder", "s300", "s125"}
LEGACY = {"s300", "s125"}


@pytest.fixture(scope="module")
def baseline() -> Scenario:
    return load_scenario(ROOT / "configs" / "baseline.yaml")


@pytest.fixture(scope="module")
def run(baseline: Scenario) -> RunOutput:
    return simulate(baseline, deterministic=True)


def table(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / f"{name}.csv", dtype=str, keep_default_na=False)


def test_every_system_has_a_layer_and_every_layer_a_system(baseline: Scenario) -> None:
    layers = {name: row.layer for name, row in baseline.systems.items()}
    assert all(layer in LAYERS for layer in layers.values()), layers
    assert set(layers.values()) == set(LAYERS) and len(LAYERS) == 5
    assert len(layers) >= 15
    assert set(layers) >= NEW_SYSTEMS


def test_legacy_systems_are_the_ones_not_buyable(baseline: Scenario) -> None:
    assert {name for name, row in baseline.systems.items() if not row.buyable} == LEGACY
    for iso in baseline.countries:
        assert not LEGACY & set(resolve.plan(baseline, iso))
    held = {iso for iso, rows in baseline.inventories.items() if LEGACY & set(rows)}
    assert held == {"GRC", "BGR", "POL"}
    assert all(baseline.inventories[iso][s].retire_year for iso in held
               for s in LEGACY & set(baseline.inventories[iso]))


def new_rows() -> dict[str, pd.DataFrame]:
    """The rows of each table that belong to the new systems."""
    products = table("products")
    made_for = dict(zip(products["product"], products["system"], strict=True))
    lines = table("lines")
    rows = {
        "systems": table("systems").query("system in @NEW_SYSTEMS"),
        "products": products.query("system in @NEW_SYSTEMS"),
        "lines": lines[lines["product"].map(made_for).isin(NEW_SYSTEMS)],
        "inventories": table("inventories").query("system in @NEW_SYSTEMS"),
    }
    contracts = table("contracts")
    rows["contracts"] = contracts[contracts["product"].map(made_for).isin(NEW_SYSTEMS)]
    steps = table("capacity_steps")
    rows["capacity_steps"] = steps[steps["line"].isin(set(rows["lines"]["line"]))]
    return rows


@pytest.mark.parametrize("name", ["systems", "products", "lines", "inventories", "contracts",
                                  "capacity_steps"])
def test_every_new_row_names_its_source_and_confidence(name: str) -> None:
    rows = new_rows()[name]
    assert len(rows)
    assert (rows["source"].str.strip() != "").all() and (rows["confidence"].str.strip() != "").all()
    assumed = rows[rows["confidence"].str.startswith("assumption")]
    bad = assumed[~assumed["source"].str.startswith("assumption:")]
    assert bad.empty, bad.iloc[:, 0].tolist()


def test_every_producible_system_has_a_fire_unit_line_and_interceptor_lines(
        baseline: Scenario) -> None:
    made = {line.product for line in baseline.lines.values()}
    for name, row in baseline.systems.items():
        fire_unit, interceptors = resolve.system_products(baseline, name)
        assert interceptors, name
        if row.buyable:
            assert fire_unit in made, name
            assert set(interceptors) <= made, name
        else:
            assert not ({fire_unit, *interceptors} & made), name


def test_every_system_has_an_uncertain_opening_stock(baseline: Scenario) -> None:
    assert all(isinstance(row.stock_factor, Dist) for row in baseline.systems.values())


def test_the_deterministic_baseline_keeps_its_invariants(baseline: Scenario,
                                                         run: RunOutput) -> None:
    check_all(baseline, run)
    assert len(run.goal) == len(baseline.goal.deadlines)
    assert run.goal["baseline"].gt(0).all()


def test_legacy_systems_are_never_bought(baseline: Scenario, run: RunOutput) -> None:
    legacy_products = {name for name, row in baseline.products.items() if row.system in LEGACY}
    assert legacy_products
    assert not set(run.contracts["product"]) & legacy_products
    assert not run.decisions["system"].isin(LEGACY).any()
    legacy = run.timeseries[run.timeseries["system"].isin(LEGACY)]
    assert legacy["delivered"].sum() == 0 and legacy["fire_units_delivered"].sum() == 0
    assert legacy["fire_units_retired"].sum() == 7  # GRC 2, BGR 1, POL 4, on their dates


def test_the_new_layers_are_bought(baseline: Scenario, run: RunOutput) -> None:
    """Countries holding or ordering the new producible systems keep buying them."""
    bought = set(run.contracts.loc[run.contracts["channel"] == "national", "product"])
    systems = {baseline.products[p].system for p in bought}
    assert {"piorun", "skyranger"} <= systems
