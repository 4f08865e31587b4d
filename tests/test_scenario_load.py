"""Loading scenarios: extend, CSV tables, --set overrides, country defaults (what goes right)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stockpile.scenario import ScenarioError, load_scenario
from stockpile.scenario.distributions import Dist
from stockpile.scenario.resolve import country


def problems(path: Path, overrides: list[str] | None = None) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path, overrides)
    return [str(p) for p in caught.value.problems]


def test_csv_tables_load_like_inline_ones(tiny_scenario: Path, tiny_csv_scenario: Path) -> None:
    inline, tables = load_scenario(tiny_scenario), load_scenario(tiny_csv_scenario)
    assert tables.model_dump() == inline.model_dump()


def test_provenance_columns_stay_out_of_the_model(tiny_csv_scenario: Path) -> None:
    scenario = load_scenario(tiny_csv_scenario)
    assert {"table": "countries", "key": "AAA", "source": "test data"} in scenario._provenance


def test_extend_deep_merges(tiny_scenario: Path, make_scenario: Callable[..., Path]) -> None:
    child = make_scenario({
        "extend": tiny_scenario.name,
        "goal": {"deadlines": [2029]},
        "countries": {"AAA": {"gbad_share": 0.2}},
    })
    scenario = load_scenario(child)
    assert scenario.goal.deadlines == [2029]  # lists are replaced, not appended
    assert scenario.goal.multiplier == 2  # siblings of a changed key are kept
    assert scenario.countries["AAA"].gbad_share == 0.2  # the child wins
    assert scenario.countries["AAA"].gdp_usd_bn == 100
    assert scenario.time.start == "2025-01"


def test_extend_several_parents_later_wins(tiny_scenario: Path,
                                           make_scenario: Callable[..., Path]) -> None:
    make_scenario({"goal": {"multiplier": 3}}, "three.yaml")
    make_scenario({"goal": {"multiplier": 4}}, "four.yaml")
    child = make_scenario({"extend": [tiny_scenario.name, "three.yaml", "four.yaml"]})
    assert load_scenario(child).goal.multiplier == 4


def test_table_replaces_inherited_rows(tiny_scenario: Path, tiny_csv_scenario: Path,
                                       make_scenario: Callable[..., Path]) -> None:
    lines = tiny_csv_scenario.parent / "data" / "lines.csv"
    lines.write_text(lines.read_text().replace("int_line,sam_int,20,20", "int_line,sam_int,5,9"))
    child = make_scenario({"extend": tiny_scenario.name, "lines": "data/lines.csv"})
    assert load_scenario(child).lines["int_line"].ceiling_per_month == 9


def test_table_with_row_overrides(tiny_csv_scenario: Path,
                                  make_scenario: Callable[..., Path]) -> None:
    child = make_scenario({
        "extend": tiny_csv_scenario.name,
        "lines": {"table": "data/lines.csv", "int_line": {"capacity_per_month": 15}},
    })
    scenario = load_scenario(child)
    assert scenario.lines["int_line"].capacity_per_month == 15
    assert scenario.lines["int_line"].ceiling_per_month == 20


def test_bad_row_override_is_blamed_on_the_yaml(tiny_csv_scenario: Path,
                                                make_scenario: Callable[..., Path]) -> None:
    child = make_scenario({
        "extend": tiny_csv_scenario.name,
        "lines": {"table": "data/lines.csv", "int_line": {"capacity_per_month": "many"}},
    })
    found = problems(child)
    assert len(found) == 1
    assert found[0].startswith(f"{child}: lines.int_line.capacity_per_month: not a number")


def test_bad_override_of_inherited_table_is_blamed_on_the_child(
        tiny_csv_scenario: Path, make_scenario: Callable[..., Path]) -> None:
    child = make_scenario({"extend": tiny_csv_scenario.name,
                           "lines": {"int_line": {"ceiling_per_month": -1}}})
    assert problems(child) == [
        f"{child}: lines.int_line.ceiling_per_month: -1 is out of range (zero to 10 million units)"]


def test_csv_distribution_cells(tiny_csv_scenario: Path) -> None:
    csv = tiny_csv_scenario.parent / "data" / "countries.csv"
    csv.write_text('country,gdp_usd_bn,defence_share_start,gbad_share\n'
                   'AAA,100,0.02,"{dist: uniform, loc: 0.05, scale: 0.1}"\n')
    share = load_scenario(tiny_csv_scenario).countries["AAA"].gbad_share
    assert isinstance(share, Dist)
    assert share.support() == pytest.approx((0.05, 0.15))


def test_csv_pair_cells(tiny_csv_scenario: Path) -> None:
    data = tiny_csv_scenario.parent / "data"
    (data / "products.csv").write_text(
        "product,kind,system,unit_price_eur_m,shelf_life_years,buffer_months\n"
        "sam_fu,fire_unit,sam,100,,\nsam_int,interceptor,sam,1,20,\n"
        "motor,component,,0.1,,3\nseeker,component,,0.2,,3\n")
    (data / "lines.csv").write_text(
        "line,product,capacity_per_month,ceiling_per_month,components\n"
        "fu_line,sam_fu,1,1,\n"
        "int_line,sam_int,20,20,motor:1; seeker:2\n"
        "motor_line,motor,20,20,\n"
        "seeker_line,seeker,40,40,\n")
    scenario = load_scenario(tiny_csv_scenario)
    assert scenario.lines["int_line"].components == {"motor": 1, "seeker": 2}
    assert scenario.lines["fu_line"].components == {}


def test_set_values_are_read_as_yaml(tiny_scenario: Path) -> None:
    scenario = load_scenario(tiny_scenario, [
        "goal.deadlines=[2029, 2030]",
        "consumption.conflict.enabled=true",
        "output.frequency=year",
        "countries.AAA.gbad_share={dist: beta, a: 2, b: 5}",
        "inventories.AAA.sam.fire_units=3",
        "countries.AAA.plan.sam=2",
    ])
    assert scenario.goal.deadlines == [2029, 2030]
    assert scenario.consumption.conflict.enabled is True
    assert scenario.output.frequency == "year"
    assert isinstance(scenario.countries["AAA"].gbad_share, Dist)
    assert scenario.inventories["AAA"]["sam"].fire_units == 3
    assert scenario.countries["AAA"].plan == {"sam": 2}


def test_set_into_a_blank_mapping(tiny_data: dict[str, Any],
                                  make_scenario: Callable[..., Path]) -> None:
    tiny_data["countries"]["AAA"]["plan"] = None
    scenario = load_scenario(make_scenario(tiny_data), ["countries.AAA.plan.sam=1"])
    assert scenario.countries["AAA"].plan == {"sam": 1}


def test_country_defaults_fill_blanks(tiny_scenario: Path) -> None:
    scenario = load_scenario(tiny_scenario, ["country_defaults.gbad_share=0.25"])
    assert scenario.countries["AAA"].gbad_share is None
    filled = country(scenario, "AAA")
    assert filled.gbad_share == 0.25
    assert filled.gdp_usd_bn == 100  # the country's own value wins
    assert filled.name == "AAA"


def test_own_value_beats_default(tiny_scenario: Path) -> None:
    scenario = load_scenario(tiny_scenario, ["countries.AAA.gbad_share=0.3"])
    assert country(scenario, "AAA").gbad_share == 0.3


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(share=st.floats(min_value=0.0, max_value=1.0))
def test_any_share_in_range_validates(tiny_scenario: Path, share: float) -> None:
    scenario = load_scenario(tiny_scenario, [f"countries.AAA.gbad_share={share!r}"])
    assert scenario.countries["AAA"].gbad_share == share


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(share=st.one_of(st.floats(max_value=-1e-12, allow_infinity=False),
                       st.floats(min_value=1 + 1e-12, allow_infinity=False)))
def test_any_share_out_of_range_is_rejected(tiny_scenario: Path, share: Any) -> None:
    found = problems(tiny_scenario, [f"countries.AAA.gbad_share={share!r}"])
    assert len(found) == 1
    assert found[0].startswith("--set: countries.AAA.gbad_share: ")
    assert "a share between 0 and 1" in found[0]


def test_bad_transfers_and_funds_name_file_row_and_key(tiny_csv_scenario: Path,
                                                       make_scenario: Callable[..., Path]) -> None:
    data = tiny_csv_scenario.parent / "data"
    (data / "transfers.csv").write_text(
        "transfer,giver,receiver,system,date,fire_units,interceptors,until,source\n"
        "gift,USA,UKR,sam,2025-04,1,,,a source\n"
        "lease,USA,BBB,sam,2025-06,1,,2025-09,a source\n"
        "back,AAA,BBB,sam,2025-06,1,,2025-05,a source\n"
        "typo,AAA,UKR,sma,2025-06,1,,,a source\n", encoding="utf-8")
    (data / "funds.csv").write_text("country,date,equipment_eur_m\nAAA,2025-03,100\n"
                                    "ZZZ,2025-03,100\nAAA,2040-01,100\n", encoding="utf-8")
    child = make_scenario({"extend": tiny_csv_scenario.name, "transfers": "data/transfers.csv",
                           "funds": "data/funds.csv"})
    shown = "data/transfers.csv"
    found = problems(child)
    assert len(found) == 5, found
    assert all("\n" not in line for line in found)
    assert any(f"{shown} (row 3): transfers.lease.until: a lease needs a scenario country"
               in line for line in found)
    assert any(f"{shown} (row 4): transfers.back.until: 2025-05 is not after date 2025-06"
               in line for line in found)
    assert any(f"{shown} (row 5): transfers.typo.system: unknown system 'sma'" in line
               for line in found)
    assert any("data/funds.csv (row 3): funds.ZZZ.2025-03: unknown country 'ZZZ'" in line
               for line in found)
    assert any("funds.AAA.2040-01: 2040-01 is outside the simulated horizon" in line
               for line in found)
