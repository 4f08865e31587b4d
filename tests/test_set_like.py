"""``--set lines.NEW.like=LINE`` and ``--set plans.ISO.like=ISO``: levers from the command line.

A copy takes every field of its source as loaded (distributions and sources included), the
other ``--set`` change the copy whatever their order, and every refusal is one line, exit 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stockpile.scenario import ScenarioError, load_scenario
from stockpile.scenario.distributions import Dist
from stockpile.scenario.load import with_overrides
from stockpile.scenario.resolve import plan
from tests.conftest import invoke, write_yaml

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "configs" / "baseline.yaml"
EU_LINE = ["lines.pac3_mse_eu.like=pac3_mse_camden", "lines.pac3_mse_eu.site=Schrobenhausen",
           "lines.pac3_mse_eu.start_date=2027-01", "lines.pac3_mse_eu.europe_share=1"]


@pytest.fixture
def two_countries(tiny_data: dict[str, Any], tmp_path: Path) -> Path:
    """The tiny scenario with a second system, a country BBB and a plans table for AAA."""
    tiny_data["systems"]["gun"] = {"combat_load": 100}
    tiny_data["products"]["gun_fu"] = {"kind": "fire_unit", "system": "gun",
                                       "unit_price_eur_m": 10}
    tiny_data["products"]["round"] = {"kind": "interceptor", "system": "gun"}
    tiny_data["lines"]["gun_line"] = {"product": "gun_fu", "capacity_per_month": 1,
                                      "ceiling_per_month": 1}
    tiny_data["lines"]["round_line"] = {"product": "round", "capacity_per_month": 100,
                                        "ceiling_per_month": 100}
    tiny_data["countries"]["BBB"] = {"gdp_usd_bn": 50, "defence_share_start": 0.02}
    tiny_data["plans"] = {"AAA": {"sam": {"weight": 2, "announced": "2025-01"},
                                  "gun": {"weight": 1, "announced": "2026-01"}}}
    return write_yaml(tmp_path / "two.yaml", tiny_data)


def problem(path: Path, overrides: list[str]) -> str:
    """The one problem loading with ``overrides`` gives."""
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path, overrides)
    assert len(caught.value.problems) == 1, caught.value.problems
    return str(caught.value.problems[0])


# -- lines ----------------------------------------------------------------------------
def test_a_copy_equals_its_source_except_the_fields_set() -> None:
    scenario = load_scenario(BASELINE, EU_LINE)
    source = scenario.lines["pac3_mse_camden"].model_dump()
    assert scenario.lines["pac3_mse_eu"].model_dump() == {
        **source, "site": "Schrobenhausen", "start_date": "2027-01", "europe_share": 1.0}
    assert scenario.lines["pac3_mse_camden"].model_dump() == \
        load_scenario(BASELINE).lines["pac3_mse_camden"].model_dump()


def test_a_copy_takes_the_sources_distributions_and_its_uncertainty_rows() -> None:
    """The uncertainty table's rows for the source reach the copy (listed under its key); a
    field the command line sets is fixed, as every --set fixes an input."""
    scenario = load_scenario(BASELINE, EU_LINE)
    copied = scenario.lines["pac3_mse_eu"]
    assert isinstance(copied.expansion_lead_months, Dist)
    assert copied.expansion_lead_months == scenario.lines["pac3_mse_camden"].expansion_lead_months
    assert copied.europe_share == 1.0
    rows = {item.key.split(".")[-1]: item.row.row for item in scenario._uncertainty
            if item.key.startswith("lines.pac3_mse_eu.")}
    source = {item.key.split(".")[-1]: item.row.row for item in scenario._uncertainty
              if item.key.startswith("lines.pac3_mse_camden.")}
    assert rows == source and "expansion_lead_months" in rows


def test_a_copy_does_not_take_the_sources_capacity_steps_and_keeps_its_source_text() -> None:
    scenario = load_scenario(BASELINE, EU_LINE)
    assert "pac3_mse_camden" in scenario.capacity_steps
    assert "pac3_mse_eu" not in scenario.capacity_steps
    rows = {row["key"]: row for row in scenario._provenance if row["table"] == "lines"}
    assert rows["pac3_mse_eu"]["source"] == \
        f"copy of lines.pac3_mse_camden via --set: {rows['pac3_mse_camden']['source']}"
    assert rows["pac3_mse_eu"]["confidence"] == rows["pac3_mse_camden"]["confidence"]
    assert "pac3_mse_eu" not in {row["key"] for row in load_scenario(BASELINE)._provenance}


SETS = ["lines.fu_copy.like=fu_line", "lines.fu_copy.capacity_per_month=0.5",
        "lines.fu_copy.start_date=2026-01", "lines.fu_line.capacity_per_month=0.25",
        "lines.fu_copy.site=elsewhere"]


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.permutations(SETS))
def test_the_order_of_the_sets_does_not_matter(tiny_scenario: Path, order: list[str]) -> None:
    """Copies are made first, from the line as the files give it: a --set on the source
    line (capacity 0.25 here) does not reach the copy, wherever it stands."""
    scenario = load_scenario(tiny_scenario, order)
    assert scenario.model_dump() == load_scenario(tiny_scenario, SETS).model_dump()
    assert scenario.lines["fu_copy"].capacity_per_month == 0.5
    assert scenario.lines["fu_copy"].ceiling_per_month == 1  # the file's fu_line
    assert scenario.lines["fu_line"].capacity_per_month == 0.25


def test_with_overrides_copies_as_loading_does(tiny_scenario: Path) -> None:
    """How sweeps, compare and goal-seek apply a design point's --set."""
    changed = with_overrides(load_scenario(tiny_scenario), SETS)
    assert changed.model_dump() == load_scenario(tiny_scenario, SETS).model_dump()


def test_the_copy_gets_orders_once_its_source_is_full(tiny_data: dict[str, Any],
                                                      tmp_path: Path, in_tmp: Path) -> None:
    """All GBAD money, and a fire-unit line making one a quarter: AAA signs 4 fire units in
    July 2025 and 5 in July 2026. Alone, the line delivers 14 by the end of 2030; with a
    copy, the 2025 order goes to the source (a tie goes to the first name), the 2026 one to
    the copy, which delivers sooner while the source works off its backlog: 12 + 10."""
    tiny_data["country_defaults"]["gbad_share"] = 1.0
    tiny_data["lines"]["fu_line"].update(capacity_per_month=0.25, ceiling_per_month=0.25)
    config = write_yaml(tmp_path / "full.yaml", tiny_data)
    delivered = {}
    for out, sets in (("alone", []), ("copy", ["--set", "lines.fu_line_eu.like=fu_line"])):
        result = invoke("run", config, "--deterministic", "--out", out, *sets)
        assert result.exit_code == 0, result.output
        production = pd.read_csv(Path(out) / "production.csv")
        delivered[out] = production.groupby("line")["delivered"].sum().to_dict()
    contracts = pd.read_csv("copy/contracts.csv").query("product == 'sam_fu'")
    assert contracts[["signed_date", "line", "quantity"]].head(2).values.tolist() == [
        ["2025-07", "fu_line", 4], ["2026-07", "fu_line_eu", 5]]
    assert delivered["alone"]["fu_line"] == 14
    assert (delivered["copy"]["fu_line"], delivered["copy"]["fu_line_eu"]) == (12, 10)


# -- plans ----------------------------------------------------------------------------
def test_a_plan_copy_replaces_the_countrys_rows(two_countries: Path) -> None:
    scenario = load_scenario(two_countries, ["plans.BBB.like=AAA", "plans.BBB.gun.weight=3"])
    assert {s: (row.weight, row.announced) for s, row in scenario.plans["BBB"].items()} == {
        "sam": (2, "2025-01"), "gun": (3, "2026-01")}
    assert plan(scenario, "BBB", date="2026-01") == {"sam": 2, "gun": 3}
    assert plan(scenario, "AAA", date="2026-01") == {"sam": 2, "gun": 1}


def test_a_plan_copy_of_the_baseline_takes_weights_dates_and_sources() -> None:
    """Italy buying as Poland announced: CAMM and Patriot rows with Poland's dates; its own
    SAMP/T row goes, but what it holds (SAMP/T, Stinger) still weighs 1 (plans unite with
    holdings)."""
    scenario = load_scenario(BASELINE, ["plans.ITA.like=POL"])
    assert scenario.plans["ITA"] == scenario.plans["POL"]
    assert plan(scenario, "ITA") == {"camm": 1.0, "patriot": 1.0, "samp_t": 1.0,
                                    "stinger": 1.0}
    keys = {item.key for item in scenario._uncertainty if item.key.startswith("plans.ITA.")}
    assert keys == {"plans.ITA.camm.weight", "plans.ITA.patriot.weight"}
    rows = [row for row in scenario._provenance
            if row["table"] == "plans" and row["key"].startswith("ITA.")]
    assert sorted(row["key"] for row in rows) == ["ITA.camm", "ITA.patriot"]
    assert all(row["source"].startswith("copy of plans.POL via --set: ") for row in rows)


def test_one_systems_weight_is_changed_or_added(two_countries: Path) -> None:
    """A plans row's weight is a --set; a new row needs its announced month too."""
    scenario = load_scenario(two_countries, [
        "plans.AAA.gun.weight=0", "plans.BBB.gun.weight=1", "plans.BBB.gun.announced=2027-01"])
    assert scenario.plans["AAA"]["gun"].weight == 0
    assert plan(scenario, "BBB", date="2027-01") == {"gun": 1}
    italy = load_scenario(BASELINE, ["plans.ITA.camm.weight=0"]).plans["ITA"]
    assert italy["camm"].weight == 0 and isinstance(italy["samp_t"].weight, Dist)


# -- refusals -------------------------------------------------------------------------
REFUSED = [
    (["lines.fu_copy.like=fu_lin"],
     "--set: lines.fu_copy.like: no line 'fu_lin' to copy (did you mean 'fu_line'?)"),
    (["lines.fu_copy.like=radar"],
     "--set: lines.fu_copy.like: no line 'radar' to copy (lines: fu_line, gun_line, int_line, "
     "round_line)"),
    (["lines.int_line.like=fu_line"],
     "--set: lines.int_line.like: line 'int_line' exists already (like= makes a new line: "
     "give it a new name, or --set the fields of the existing one)"),
    (["lines.a.like=b", "lines.b.like=fu_line"],
     "--set: lines.a.like: 'b' is itself a copy made by --set (copy from what 'b' copies: "
     "a copy of a copy is not made)"),
    (["lines.a.like=fu_line", "lines.a.like=int_line"],
     "--set: lines.a.like: given twice (one like= per line)"),
    (["lines.a.like="], "--set: lines.a.like: expected the name of the line to copy"),
    (["countries.BBB.like=AAA"],
     "--set: countries.BBB.like: like= copies a line or a plan only (lines.NEW.like=LINE, "
     "plans.ISO.like=ISO)"),
    (["lines.fu_line.site.like=x"],
     "--set: lines.fu_line.site.like: like= copies a line or a plan only "
     "(lines.NEW.like=LINE, plans.ISO.like=ISO)"),
    (["lines.kiel.site=Kiel"],
     "--set: lines.kiel.site: no entry 'lines.kiel' (a new line is a copy: "
     "lines.kiel.like=LINE)"),
    (["plans.CCC.like=AAA"], "--set: plans.CCC.like: unknown country 'CCC'"),
    (["plans.AAA.like=BBB"], "--set: plans.AAA.like: no plan 'BBB' to copy (plans: AAA)"),
    (["plans.AAA.like=AAA"], "--set: plans.AAA.like: a plan cannot copy itself"),
    (["plans.BBB.gun.weight=1"], "--set: plans.BBB.gun.announced: required key missing"),
    (["plans.BBB.gnu.weight=1", "plans.BBB.gnu.announced=2025-01"],
     "--set: plans.BBB.gnu: unknown system 'gnu' (did you mean 'gun'?)"),
]


@pytest.mark.parametrize(("sets", "message"), REFUSED)
def test_a_refused_copy_is_one_line_and_exit_2(two_countries: Path, in_tmp: Path,
                                               sets: list[str], message: str) -> None:
    assert problem(two_countries, sets) == message
    result = invoke("run", two_countries.name, "--out", "out",
                    *[arg for text in sets for arg in ("--set", text)])
    assert result.exit_code == 2, result.output
    assert result.stderr == message + "\n"
    assert not Path("out").exists()


@pytest.mark.parametrize("verb", [["sweep", "--runs", "1"], ["compare", "--runs", "1"],
                                  ["goal-seek", "--lever", "country_defaults.gbad_share",
                                   "--deadline", "2030", "--prob", "0.5", "--runs", "1"]])
def test_every_verb_refuses_a_bad_copy_alike(two_countries: Path, in_tmp: Path,
                                             verb: list[str]) -> None:
    result = invoke(verb[0], two_countries.name, *verb[1:], "--set",
                    "lines.fu_line.like=int_line")
    assert result.exit_code == 2, result.output
    assert result.stderr == ("--set: lines.fu_line.like: line 'fu_line' exists already "
                             "(like= makes a new line: give it a new name, or --set the "
                             "fields of the existing one)\n")
