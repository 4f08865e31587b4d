"""Closed-form checks of the SimPy model in deterministic mode, each worked out by hand.

Conventions the expectations follow: month t is an index from the start; budgets
credit at phase 0.0, decisions at 0.1, lines at 0.2, consumption at 0.3, and the
tables record the state at the close of month t.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import pytest

from stockpile.analysis.validation import modelled_value
from stockpile.api import simulate
from stockpile.experiment.tables import run_tables
from stockpile.scenario.load import deep_merge
from stockpile.scenario.schema import Scenario
from tests.invariants import check_all

#: one country whose GBAD money is exactly 100 EUR m a year, one system, no frictions
FLAT: dict[str, Any] = {
    "name": "flat",
    "time": {"start": "2025-01", "end": "2027-12"},
    "goal": {"deadlines": [2026, 2027], "multiplier": 2},
    "economy": {"usd_per_eur": 1.0, "defence_inflation": 0.0},
    "country_defaults": {
        "real_growth": 0.0, "deflator": 0.0, "gdp_year": 2025, "defence_share_start_year": 2025,
        "defence_share_start": 0.02, "defence_share_target": 0.02, "equipment_share": 0.5,
        "gbad_share": 0.1, "carry_over": 1.0,
    },
    # 100 USD bn = 100 EUR bn = 100,000 EUR m; × 0.02 × 0.5 × 0.1 = 100 EUR m a year
    "countries": {"AAA": {"gdp_usd_bn": 100}},
    "systems": {"sam": {"combat_load": 10}},
    "products": {
        "sam_fu": {"kind": "fire_unit", "system": "sam", "unit_price_eur_m": 1e9},
        "sam_int": {"kind": "interceptor", "system": "sam", "unit_price_eur_m": 1.0},
    },
    "lines": {
        "fu_line": {"product": "sam_fu", "capacity_per_month": 1, "ceiling_per_month": 1,
                    "manufacturing_lead_months": 0},
        "int_line": {"product": "sam_int", "capacity_per_month": 8, "ceiling_per_month": 8,
                     "manufacturing_lead_months": 3},
    },
    "inventories": {"AAA": {"sam": {"fire_units": 10, "loads_per_fire_unit": 0}}},
    "procurement": {"contracting_delay_months": 2, "reserve_loads": 0.0,
                    "down_payment_share": 0.2},
}


def second_system(name: str, combat_load: int = 4, fu_price: float | None = None,
                  int_price: float | None = None, fu_capacity: float = 1,
                  int_capacity: float = 1) -> dict[str, Any]:
    """A second system beside FLAT's sam: its fire-unit and interceptor products and a line
    for each (no lead unless a test sets one)."""
    fu: dict[str, Any] = {"kind": "fire_unit", "system": name}
    missile: dict[str, Any] = {"kind": "interceptor", "system": name}
    if fu_price is not None:
        fu["unit_price_eur_m"] = fu_price
    if int_price is not None:
        missile["unit_price_eur_m"] = int_price
    return {"systems": {name: {"combat_load": combat_load}},
            "products": {f"{name}_fu": fu, f"{name}_int": missile},
            "lines": {f"{name}_fu_line": {"product": f"{name}_fu",
                                          "capacity_per_month": fu_capacity,
                                          "ceiling_per_month": fu_capacity},
                      f"{name}_int_line": {"product": f"{name}_int",
                                           "capacity_per_month": int_capacity,
                                           "ceiling_per_month": int_capacity}}}


def scenario(**changes: Any) -> Scenario:
    return Scenario.model_validate(deep_merge(copy.deepcopy(FLAT), changes))


def series(output, column: str, country: str = "AAA", system: str = "sam") -> list:
    ts = output.timeseries
    return ts[(ts.country == country) & (ts.system == system)][column].tolist()


def test_stock_path_matches_closed_form() -> None:
    """Need 100 interceptors, afford 100 at P = 1: delivered at C = 8 a month after d + L."""
    s = scenario()
    out = simulate(s, deterministic=True)
    capacity, delay, lead, bought = 8, 2, 3, 100
    # signed in month d; the line starts C units in months d, d+1, ...; each batch is
    # finished L months later, so by the close of month t, C·(t − d − L + 1) have arrived
    expected = [min(bought, capacity * max(0, t - delay - lead + 1)) for t in range(36)]
    assert series(out, "interceptors") == expected
    check_all(s, out)


def test_money_follows_contract_and_deliveries() -> None:
    s = scenario()
    out = simulate(s, deterministic=True)
    budget = out.budget[out.budget.account == "AAA"].set_index("date")
    # signed in 2025-03: 100 committed, 20 paid down; then 80% of 1.0 per unit delivered
    assert budget.loc["2025-02", "committed_eur_m"] == pytest.approx(0.0)
    assert budget.loc["2025-03", "paid_eur_m"] == pytest.approx(20.0)
    assert budget.loc["2025-06", "paid_eur_m"] == pytest.approx(20.0 + 0.8 * 8)
    assert budget.loc["2027-12", "paid_eur_m"] == pytest.approx(100.0)
    assert budget.loc["2027-12", "credited_eur_m"] == pytest.approx(300.0)


def test_carry_over_keeps_a_share_of_unspent_money() -> None:
    """Nothing affordable: 100 a year, half the unspent money lapses each January."""
    s = scenario(country_defaults={"carry_over": 0.5},
                 products={"sam_int": {"unit_price_eur_m": 1e9}})
    out = simulate(s, deterministic=True)
    budget = out.budget[out.budget.account == "AAA"].set_index("date")
    assert budget.loc["2025-12", "available_eur_m"] == pytest.approx(100.0)
    assert budget.loc["2026-01", "available_eur_m"] == pytest.approx(50.0 + 100.0)
    assert budget.loc["2027-01", "available_eur_m"] == pytest.approx(75.0 + 100.0)
    assert budget.loc["2027-01", "lapsed_eur_m"] == pytest.approx(50.0 + 75.0)


def test_expansion_arrives_exactly_at_trigger_plus_lead() -> None:
    """Backlog of 100 at 8 a month is 12.5 months: above a 6-month threshold at signing."""
    s = scenario(lines={"int_line": {"ceiling_per_month": 20, "expansion_threshold_months": 6,
                                     "expansion_step_per_month": 5,
                                     "expansion_lead_months": 4,
                                     "expansion_cost_eur_m": 50, "expansions_at_once": 1}})
    out = simulate(s, deterministic=True)
    line = out.production[out.production.line == "int_line"].set_index("date")
    # signed and triggered in 2025-03 (month 2); on line in month 2 + 4 = 2025-07
    assert line.loc["2025-06", "capacity_per_month"] == 8
    assert line.loc["2025-07", "capacity_per_month"] == 13
    assert line.loc["2025-07", "started"] == 13
    assert line.loc["2025-03", "expansions_pending"] == 1
    assert line.loc["2025-06", "expansion_capex_eur_m"] == 50
    # in 2025-07 the backlog (100 − 16 delivered = 84) still exceeds 6 × 13: a second one
    assert line.loc["2025-07", "expansion_capex_eur_m"] == 100
    assert line.loc["2025-11", "capacity_per_month"] == 18


def test_several_expansions_run_at_once_up_to_the_ceiling_each_paid_by_the_maker() -> None:
    """Same backlog, two at once: steps of 5 ordered in months 2 and 3, the last step is
    the 2 left below the ceiling of 20 (ordered when the first comes on line), at 2/5 of
    the price."""
    s = scenario(lines={"int_line": {"ceiling_per_month": 20, "expansion_threshold_months": 6,
                                     "expansion_step_per_month": 5,
                                     "expansion_lead_months": 4,
                                     "expansion_cost_eur_m": 50}})
    out = simulate(s, deterministic=True)
    check_all(s, out)
    line = out.production[out.production.line == "int_line"].set_index("date")
    assert [line.loc[d, "capacity_per_month"] for d in ("2025-06", "2025-07", "2025-08",
                                                        "2025-10", "2025-11")] == [
        8, 13, 18, 18, 20]
    assert line.loc["2025-04", "expansions_pending"] == 2
    grown = out.expansions[out.expansions.line == "int_line"]
    assert grown.date.tolist() == ["2025-03", "2025-04", "2025-07"]
    assert grown.added_per_month.tolist() == [5, 5, 2]
    assert grown.capital_eur_m.tolist() == pytest.approx([50, 50, 20])
    assert set(grown.paid_by) == {"industry:int_line"} and set(grown.reason) == {"backlog"}
    maker = out.budget[out.budget.account == "industry:int_line"].set_index("date")
    assert maker.loc["2027-12", "paid_eur_m"] == pytest.approx(120)
    assert maker.loc["2027-12", "credited_eur_m"] == pytest.approx(120)


def test_a_country_whose_units_come_too_late_pays_for_a_step() -> None:
    """The fire-unit line makes 1 a month, 30 in the book ahead: a unit ordered in 2025-01
    (signed 2025-03) arrives after the 2026 deadline. AAA pays the 40 of a step from its
    100, before it buys; the maker's own trigger is off (threshold far away)."""
    s = scenario(lines={"fu_line": {"ceiling_per_month": 3, "expansion_step_per_month": 1,
                                    "expansion_lead_months": 6, "expansion_cost_eur_m": 40,
                                    "expansion_threshold_months": 1000}},
                 products={"sam_fu": {"unit_price_eur_m": 10}},
                 contracts={"old": {"product": "sam_fu", "buyers": {"AAA": 30},
                                    "signed": "2024-06", "value_eur_m": 0}})
    out = simulate(s, deterministic=True)
    check_all(s, out)
    grown = out.expansions
    first = grown.iloc[0]
    assert (first.date, first.line, first.paid_by, first.capital_eur_m) == (
        "2025-01", "fu_line", "AAA", 40)
    assert first.reason == "funded: AAA for sam"
    decision = out.decisions.iloc[0]
    assert decision.expansion_eur_m == 40
    # the other 60 buys first loads for the 30 fire units on order, at 1 each
    assert (decision.interceptors_bought, decision.ordered_eur_m) == (60, 60)
    assert decision.considered == "sam: 2027-10 @20"  # after 30 ahead at 1 a month
    # a year later the step is coming: a new unit arrives by 2026-12, nothing more to fund
    assert len(grown) == 1 and out.decisions.iloc[1].expansion_eur_m == 0
    line = out.production[out.production.line == "fu_line"].set_index("date")
    assert line.loc["2025-06", "capacity_per_month"] == 1
    assert line.loc["2025-07", "capacity_per_month"] == 2
    unfunded = simulate(scenario(**{**_changes(s), "procurement": {"fund_expansions": False}}),
                        deterministic=True)
    assert unfunded.expansions.empty


def test_soonest_gives_the_money_first_to_a_system_that_arrives_in_time() -> None:
    """AAA's plan: sam and gun, equal weights. sam's fire-unit line has 100 units ahead
    (years late for 2026); gun's lines are free. ``soonest``: the whole 100 goes to gun
    fire units (10 each with a load of 4 interceptors at 0 price); ``plan``: half each, and
    sam's half buys first loads (at 1 each) for the 100 launchers on order."""
    gun = deep_merge(second_system("gun", fu_price=10, int_price=0.0, fu_capacity=5,
                                   int_capacity=50), {
        "products": {"sam_fu": {"unit_price_eur_m": 10}},
        "countries": {"AAA": {"plan": {"sam": 1, "gun": 1}}},
        "contracts": {"old": {"product": "sam_fu", "buyers": {"AAA": 100},
                              "signed": "2024-06", "value_eur_m": 0}}})
    bought = {}
    for rule in ("soonest", "plan"):
        out = simulate(scenario(**gun, procurement={"choice": rule,
                                                    "fund_expansions": False}),
                       deterministic=True)
        first = out.decisions[out.decisions.date == "2025-01"].set_index("system")
        bought[rule] = (first["fire_units_bought"].to_dict(),
                        first.loc["sam", "interceptors_bought"])
        # signed 2025-03; gun: a 12-month lead; sam: 100 ahead at 1 a month, no lead
        assert first.loc["gun", "considered"] == "gun: 2026-03 @10; sam: 2033-08 @20"
    assert bought["soonest"] == ({"gun": 10, "sam": 0}, 0)
    assert bought["plan"] == ({"gun": 5, "sam": 0}, 50)


def test_soonest_stops_at_what_the_lines_deliver_by_the_deadline() -> None:
    """As above, but gun's fire-unit line makes 0.5 a month. Signed in 2025-03 (month 2),
    with its 12-month lead it can deliver (23 - 2 - 12) x 0.5 = 4.5 units by the end of
    2026 (month 23): ``soonest`` buys gun 4 (40) first, and the other 60 goes to the plan
    by weight: 30 to gun (3 more units), 30 to sam (first loads at 1 each). Without the
    stop, gun took all 100 (10 units, the last arriving in 2027-07)."""
    gun = deep_merge(second_system("gun", fu_price=10, int_price=0.0, fu_capacity=0.5,
                                   int_capacity=50), {
        "products": {"sam_fu": {"unit_price_eur_m": 10}},
        "countries": {"AAA": {"plan": {"sam": 1, "gun": 1}}},
        "contracts": {"old": {"product": "sam_fu", "buyers": {"AAA": 100},
                              "signed": "2024-06", "value_eur_m": 0}}})
    out = simulate(scenario(**gun, procurement={"fund_expansions": False}), deterministic=True)
    first = out.decisions[out.decisions.date == "2025-01"].set_index("system")
    assert first.loc["gun", "considered"] == "gun: 2026-05 @10; sam: 2033-08 @20"
    assert first["fire_units_bought"].to_dict() == {"gun": 7, "sam": 0}
    assert first.loc["sam", "interceptors_bought"] == 30


def _changes(s: Scenario) -> dict:
    """A scenario back as the changes to FLAT it was made from (enough for a re-run)."""
    data = s.model_dump(mode="json", exclude_unset=True)
    return {k: v for k, v in data.items() if k in ("lines", "products", "contracts")}


def test_idle_money_is_reported_with_its_reason() -> None:
    """AAA holds 10 fire units; under own_baseline (× 2) it may hold 20 and the line gives
    it 1 a month: it orders 10 and its money waits, 'cap reached'. With no plan (a system
    weight of 0) all of it waits, 'no plan'."""
    capped = simulate(scenario(procurement={"target": "own_baseline"},
                               products={"sam_fu": {"unit_price_eur_m": 5}}),
                      deterministic=True).goal.set_index("deadline")
    assert capped.loc[2027, "credited_eur_m"] == pytest.approx(300)
    assert capped.loc[2027, "idle_cap_reached_eur_m"] > 0
    assert capped.loc[2027, "idle_eur_m"] == pytest.approx(
        capped.loc[2027, ["idle_no_plan_eur_m", "idle_cap_reached_eur_m",
                          "idle_too_little_eur_m", "idle_since_decision_eur_m",
                          "lapsed_eur_m"]].sum())
    idle = simulate(scenario(countries={"AAA": {"plan": {"sam": 0}}}),
                    deterministic=True).goal.set_index("deadline")
    assert idle.loc[2027, "idle_no_plan_eur_m"] == pytest.approx(300)


def test_donation_schedule_removes_stock_at_its_date() -> None:
    s = scenario(inventories={"AAA": {"sam": {"loads_per_fire_unit": 3}}},
                 consumption={"donations": [
                     {"country": "AAA", "system": "sam", "date": "2025-04", "fire_units": 2,
                      "interceptors": 25}]})
    out = simulate(s, deterministic=True)
    ts = out.timeseries.set_index("date")
    assert ts.loc["2025-03", "interceptors"] == 300
    assert ts.loc["2025-04", "interceptors"] == 275
    assert ts.loc["2025-04", "donated"] == 25
    assert ts.loc["2025-04", "fire_units"] == 8
    assert ts.loc["2025-04", "fire_units_donated"] == 2
    check_all(s, out)


def test_transfers_give_lend_and_bring_home() -> None:
    """A gift leaves the giver as donated and reaches the receiver as delivered; a donor
    outside the scenario gives units nobody held; a lease keeps the units the giver's, away
    from home until they come back."""
    s = scenario(inventories={"AAA": {"sam": {"loads_per_fire_unit": 3}}}, transfers={
        "gift": {"giver": "AAA", "receiver": "UKR", "system": "sam", "date": "2025-04",
                 "fire_units": 2, "interceptors": 25},
        "outside": {"giver": "USA", "receiver": "UKR", "system": "sam", "date": "2025-05",
                    "fire_units": 1, "interceptors": 10},
        "lease": {"giver": "AAA", "receiver": "BBB", "system": "sam", "date": "2025-06",
                  "fire_units": 3, "until": "2025-09"}})
    out = simulate(s, deterministic=True)
    ts = out.timeseries.set_index(["country", "date"])
    assert ts.loc[("AAA", "2025-04"), ["fire_units", "interceptors", "donated",
                                        "fire_units_donated"]].tolist() == [8, 275, 25, 2]
    assert ts.loc[("UKR", "2025-04"), ["fire_units", "interceptors", "delivered",
                                        "fire_units_delivered"]].tolist() == [2, 25, 25, 2]
    assert ts.loc[("UKR", "2025-05"), ["fire_units", "interceptors"]].tolist() == [3, 35]
    away = ts.loc["AAA", "fire_units_away"]
    assert away["2025-05"] == 0 and away["2025-06"] == away["2025-08"] == 3
    assert away["2025-09"] == 0
    assert (ts.loc["AAA", "fire_units"]["2025-04":] == 8).all()
    assert "USA" not in out.timeseries.country.values  # nothing held, nothing recorded
    assert "BBB" not in out.timeseries.country.values  # a lease's receiver is information
    at_home = {"measure": "fire_units_at_home", "country": "AAA", "system": "sam",
               "date": "2025-07"}
    assert modelled_value(at_home, run_tables(out), "2025-01") == 5
    check_all(s, out)


def test_funds_credit_their_gbad_share_in_their_month() -> None:
    """1,000 EUR m of equipment money at a GBAD share of 0.1: 100 more in March."""
    s = scenario(funds={"AAA": {"2025-03": {"equipment_eur_m": 1000}}})
    budget = simulate(s, deterministic=True).budget
    budget = budget[budget.account == "AAA"].set_index("date")
    assert budget.loc["2025-02", "credited_eur_m"] == pytest.approx(100)
    assert budget.loc["2025-03", "credited_eur_m"] == pytest.approx(200)
    assert budget.loc["2026-01", "credited_eur_m"] == pytest.approx(300)  # then yearly again


def test_interceptors_expire_at_end_of_service_life() -> None:
    """24 in stock with a 2-year life: half leave after 12 months, half after 24."""
    s = scenario(products={"sam_int": {"shelf_life_years": 2, "unit_price_eur_m": 1e9}},
                 inventories={"AAA": {"sam": {"fire_units": 2, "loads_per_fire_unit": 1.2}}})
    out = simulate(s, deterministic=True)
    ts = out.timeseries.set_index("date")
    assert ts.loc["2025-12", "interceptors"] == 24
    assert ts.loc["2026-01", "expired"] == 12
    assert ts.loc["2026-01", "interceptors"] == 12
    assert ts.loc["2027-01", "expired"] == 12
    assert ts.loc["2027-01", "interceptors"] == 0


def test_delivered_interceptors_expire_after_their_life() -> None:
    s = scenario(products={"sam_int": {"shelf_life_years": 1}})
    out = simulate(s, deterministic=True)
    expired = series(out, "expired")
    delivered = series(out, "delivered")
    # each month's delivery leaves exactly 12 months later
    for t in range(12, 36):
        assert expired[t] == delivered[t - 12]


def test_conflict_drains_stock_to_zero_and_records_the_rest_as_unmet() -> None:
    """2 ready fire units × 1 a day × 30.44 days: 60 demanded, 20 held, 40 unmet."""
    s = scenario(products={"sam_int": {"unit_price_eur_m": 1e9}},
                 inventories={"AAA": {"sam": {"fire_units": 2, "loads_per_fire_unit": 1}}},
                 consumption={"conflict": {"enabled": True, "start_year": 2025.25,
                                           "duration_months": 6,
                                           "interceptors_per_fu_per_day": 1.0}})
    out = simulate(s, deterministic=True)
    ts = out.timeseries.set_index("date")
    assert ts.loc["2025-03", "interceptors"] == 20
    assert ts.loc["2025-04", "consumed"] == 20
    assert ts.loc["2025-04", "unmet"] == 40
    assert ts.loc["2025-04", "interceptors"] == 0
    assert (out.timeseries["interceptors"] >= 0).all()
    check_all(s, out)


def _two_systems_in_a_conflict(fire: str) -> Any:
    """AAA opens with 2 sam fire units (load 10, 100 missiles) and 6 gun fire units (load 4,
    120 missiles); nothing can be bought; a one-month conflict in April at 1 a day."""
    s = scenario(**deep_merge(second_system("gun", combat_load=4, fu_price=1e9,
                                            int_price=1e9), {
        "products": {"sam_int": {"unit_price_eur_m": 1e9}},
        "inventories": {"AAA": {"sam": {"fire_units": 2, "loads_per_fire_unit": 5},
                                "gun": {"fire_units": 6, "loads_per_fire_unit": 5}}},
        "consumption": {"conflict": {"enabled": True, "start_year": 2025.25,
                                     "duration_months": 1, "fire": fire,
                                     "interceptors_per_fu_per_day": 1.0}}}))
    return simulate(s, deterministic=True)


def test_a_threat_is_shared_by_the_fire_units_each_holding_has() -> None:
    """8 opening fire units x 30.4375 days = 243.5 a month: sam's 2/8 is 60.9 (60 fired, 40
    left), gun's 6/8 is 182.6 (182 wanted: its 120 fired, 62 unmet)."""
    out = _two_systems_in_a_conflict("threat")
    assert series(out, "consumed")[3] == 60 and series(out, "unmet")[3] == 0
    assert series(out, "interceptors")[3] == 40
    assert series(out, "consumed", system="gun")[3] == 120
    assert series(out, "unmet", system="gun")[3] == 62


def test_the_threat_does_not_grow_with_the_fire_units_bought() -> None:
    """2 fire units at the start, 2 more delivered before the conflict (months 0 and 1):
    the threat is 2 x 30.4375 = 60.9 a month whatever the fleet has become (60 fired of
    the 100 held); per fire unit it is 4 x 30.4375 = 121.75 (100 fired, 21 unmet)."""
    def run(fire: str) -> Any:
        s = scenario(products={"sam_int": {"unit_price_eur_m": 1e9},
                               "sam_fu": {"unit_price_eur_m": 1e9}},
                     inventories={"AAA": {"sam": {"fire_units": 2, "loads_per_fire_unit": 5,
                                                  "on_order_fire_units": 2}}},
                     consumption={"conflict": {"enabled": True, "start_year": 2025.25,
                                               "duration_months": 1, "fire": fire,
                                               "interceptors_per_fu_per_day": 1.0}})
        return simulate(s, deterministic=True)
    threat, per_unit = run("threat"), run("per_fire_unit")
    assert series(threat, "fire_units")[2] == 4 == series(per_unit, "fire_units")[2]
    assert (series(threat, "consumed")[3], series(threat, "unmet")[3]) == (60, 0)
    assert (series(per_unit, "consumed")[3], series(per_unit, "unmet")[3]) == (100, 21)


@pytest.mark.parametrize("mode", ["national", "joint"])
@pytest.mark.parametrize("rule", ["fired", "none"])
def test_a_conflict_re_orders_what_it_fired(rule: str, mode: str) -> None:
    """AAA's 2 fire units hold 100 missiles (price 1) and need none more; a one-month
    conflict in April 2025 at 1 a day fires 2 x 30.4375 = 60. Under ``fired`` those 60 are
    re-ordered in April with a supplemental of 60 on top of the GBAD money, and signed after
    the 2-month delay (national: 2025-06) or with the programme's pool (joint: it closes at
    the start of month 4 and signs after coordination 3 and contracting 2 months: 2025-10),
    as first loads; under ``none`` nothing is re-ordered before the yearly decision."""
    s = scenario(products={"sam_fu": {"unit_price_eur_m": 1e9}},
                 inventories={"AAA": {"sam": {"fire_units": 2, "loads_per_fire_unit": 5}}},
                 consumption={"conflict": {"enabled": True, "start_year": 2025.25,
                                           "duration_months": 1, "replenish": rule,
                                           "interceptors_per_fu_per_day": 1.0}},
                 procurement={"mode": mode},
                 joint={"members": ["AAA"], "systems": ["sam"], "lead": "AAA",
                        "pooling_interval_months": 1, "coordination_delay_months": 3,
                        "contracting_delay_months": 2, "discount": {"max_share": 0.0},
                        "framework_years": 0, "bridge": {"enabled": False},
                        "eu_loan": {"amount_eur_m": 0}})
    out = simulate(s, deterministic=True)
    assert series(out, "consumed")[3] == 60
    budget = out.budget[out.budget.account == "AAA"].set_index("date")
    contracts = out.contracts[out.contracts.signed_date < "2026-01"]
    if rule == "none":
        assert budget["supplemental_eur_m"].max() == 0 and contracts.empty
        return
    assert budget.loc["2025-03", "supplemental_eur_m"] == 0
    assert budget.loc["2025-04", "supplemental_eur_m"] == pytest.approx(60)
    assert budget.loc["2025-04", "credited_eur_m"] == pytest.approx(160)
    assert contracts[["signed_date", "product", "buyer", "quantity", "channel"]].values.tolist() \
        == [["2025-06" if mode == "national" else "2025-10", "sam_int", "AAA", 60, mode]]
    check_all(s, out)


@pytest.mark.parametrize(("rule", "first"), [("beyond_loads", 5), ("ready_units", 10)])
def test_training_stops_at_the_combat_loads(rule: str, first: int) -> None:
    """10 fire units, load 10, 105 missiles, 12 shots a unit a year: 10 due a month. Beyond
    the loads only the 5 spare are fired and every unit stays ready; from the whole stock
    the first month fires 10 and leaves 9 units ready, which fire 9 x 1 = 9 the next (the
    deterministic carry gives 9), and so on down."""
    s = scenario(systems={"sam": {"training_shots_per_fu_year": 12}},
                 products={"sam_int": {"unit_price_eur_m": 1e9}},
                 inventories={"AAA": {"sam": {"fire_units": 10, "loads_per_fire_unit": 1.05}}},
                 consumption={"training": rule})
    out = simulate(s, deterministic=True)
    consumed, ready = series(out, "consumed"), series(out, "ready_fire_units")
    assert consumed[0] == first
    if rule == "beyond_loads":
        assert consumed[:12] == [5] + [0] * 11 and ready[:12] == [10] * 12
    else:
        assert consumed[1] == 9 and ready[0] == 9 and ready[1] == 8
    check_all(s, out)


def test_launchers_due_within_the_missile_lead_count_as_short() -> None:
    """An interceptor started now arrives a lead time (3 months) later. AAA's 2 units in
    service are armed, but 2 more are due by then (in work on a 2-month line from the warm
    start): counted short 20. BBB's 1 unit in service lacks its 10. The line's 3 starts a
    month are less than a load, so they go to the buyer furthest short: AAA while it is
    (20, 17, 14, 11 less what it has in work), then the two in turn as their shortfalls
    cross. Counting only the units in service, BBB alone was short and received all 3 in
    months 0-2, AAA none before month 3."""
    s = scenario(countries={"BBB": {"gdp_usd_bn": 100}},
                 products={"sam_int": {"unit_price_eur_m": 1e9},
                           "sam_fu": {"unit_price_eur_m": 1e9}},
                 lines={"fu_line": {"manufacturing_lead_months": 2},
                        "int_line": {"capacity_per_month": 3, "ceiling_per_month": 3}},
                 inventories={"AAA": {"sam": {"fire_units": 2, "loads_per_fire_unit": 1,
                                              "on_order_fire_units": 2,
                                              "on_order_interceptors": 40}},
                              "BBB": {"sam": {"fire_units": 1, "loads_per_fire_unit": 0,
                                              "on_order_interceptors": 40}}})
    out = simulate(s, deterministic=True)
    assert series(out, "delivered")[:8] == [3, 3, 3, 3, 0, 3, 0, 3]
    assert series(out, "delivered", country="BBB")[:8] == [0, 0, 0, 0, 3, 0, 3, 0]
    check_all(s, out)


def test_training_fires_at_the_yearly_rate() -> None:
    s = scenario(systems={"sam": {"training_shots_per_fu_year": 1.2}},
                 products={"sam_int": {"unit_price_eur_m": 1e9}},
                 inventories={"AAA": {"sam": {"fire_units": 10, "loads_per_fire_unit": 5}}})
    out = simulate(s, deterministic=True)
    consumed = series(out, "consumed")
    assert sum(consumed[:12]) == 12  # 10 fire units × 1.2 a year
    assert sum(consumed) == 36


def test_goal_verdict_and_first_month() -> None:
    """Baseline: 0 ready (no interceptors); metric 'fire_units' counts 10 -> never doubles."""
    s = scenario(goal={"metric": "interceptors", "multiplier": 2})
    out = simulate(s, deterministic=True)
    goal = out.goal.set_index("deadline")
    # interceptors at the close of the first month is 0, so the target is 0 and met at once
    assert goal.loc[2026, "baseline"] == 0
    assert bool(goal.loc[2026, "met"])
    s = scenario(goal={"metric": "interceptors", "multiplier": 2},
                 inventories={"AAA": {"sam": {"loads_per_fire_unit": 0.5}}})
    out = simulate(s, deterministic=True)
    goal = out.goal.set_index("deadline")
    # 50 at start; need 100 in total (= 50 more, with no reserve) -> 100 = 2 × 50 reached
    # when 50 have arrived: 8·(t − 4) ≥ 50 -> t = 11 (2025-12)
    assert goal.loc[2026, "baseline"] == 50
    assert goal.loc[2026, "target"] == 100
    assert goal.loc[2026, "first_met"] == "2025-12"
    assert bool(goal.loc[2027, "met"])


def test_waiting_buyers_match_the_order_books(monkeypatch: pytest.MonkeyPatch) -> None:
    """Lines count who waits for a start; the count must equal a scan of their orders."""
    from stockpile.model.recording.capability import Recorder

    original = Recorder.binding
    checked = []

    def binding(self):
        for line in self.world.lines.values():
            scanned: dict[str, int] = {}
            for order in line.orders:
                if order.unstarted:
                    for buyer in order.buyers:
                        scanned[buyer] = scanned.get(buyer, 0) + 1
            assert line.waiting == scanned
            assert line.unstarted == sum(o.unstarted for o in line.orders)
            assert line.backlog == sum(o.unstarted + o.in_work for o in line.orders)
        checked.append(True)
        return original(self)

    monkeypatch.setattr(Recorder, "binding", binding)
    s = scenario(products={"sam_int": {"unit_price_eur_m": 0.5}},
                 lines={"int_line": {"acceptance_rate": 0.7}},
                 countries={"BBB": {"gdp_usd_bn": 80, "plan": {"sam": 1}}})
    simulate(s, seed=3)
    pooled = scenario(products={"sam_int": {"unit_price_eur_m": 0.5}},
                      lines={"int_line": {"acceptance_rate": 0.7}},
                      countries={"BBB": {"gdp_usd_bn": 80, "plan": {"sam": 1}}},
                      procurement={"mode": "joint"},
                      joint={"lead": "AAA", "members": ["AAA", "BBB"], "systems": ["sam"]})
    out = simulate(pooled, seed=3)
    assert (out.contracts["channel"] == "joint").any()
    assert len(checked) == 2 * 36


def test_component_supply_chain_is_running_at_the_start() -> None:
    """Parts made 6 months ahead: the seeker line opens with 6 months of parts in work and
    the pool with its buffer, so the missile line starts at capacity from its first order.

    Started empty, the seeker line would deliver nothing for 6 months and the missile line
    would pause after the buffer ran out (months 5-7): an artefact of starting the clock.
    """
    s = scenario(products={"seeker": {"kind": "component", "unit_price_eur_m": 0,
                                      "buffer_months": 3}},
                 lines={"int_line": {"components": {"seeker": 1}},
                        "seeker_line": {"product": "seeker", "capacity_per_month": 8,
                                        "ceiling_per_month": 8,
                                        "manufacturing_lead_months": 6}})
    out = simulate(s, deterministic=True)
    line = out.production[out.production.line == "int_line"].set_index("date")
    assert line.loc["2025-03", "started"] == 8
    assert (line["limited_by"] != "components").all()
    seekers = out.production[out.production.line == "seeker_line"]
    assert seekers["in_work"].iloc[0] + seekers["delivered"].iloc[0] == 6 * 8
    expected = [min(100, 8 * max(0, t - 2 - 3 + 1)) for t in range(36)]
    assert series(out, "interceptors") == expected


def test_lines_sharing_a_component_share_its_pool() -> None:
    """Two missile lines fit seekers from one line making 8 a month, and both could use 8:
    ``a_line`` serves only the rest of the world (its European half has no orders, so the
    world takes those slots too), ``int_line`` AAA's 100 missiles. Each month the pool is
    shared by what each line could start, 8 and 8: 4 seekers each. Served by name, a_line
    took all 8 and AAA's missiles waited for seekers that never came."""
    s = scenario(products={"seeker": {"kind": "component", "unit_price_eur_m": 0,
                                      "buffer_months": 0}},
                 lines={"int_line": {"components": {"seeker": 1}, "manufacturing_lead_months": 0},
                        "a_line": {"product": "sam_int", "capacity_per_month": 8,
                                   "ceiling_per_month": 8, "europe_share": 0.5,
                                   "components": {"seeker": 1},
                                   "manufacturing_lead_months": 0},
                        "seeker_line": {"product": "seeker", "capacity_per_month": 8,
                                        "ceiling_per_month": 8,
                                        "manufacturing_lead_months": 1}})
    out = simulate(s, deterministic=True)
    line = out.production.set_index(["line", "date"])
    for month in ("2025-06", "2025-09", "2025-12"):
        assert line.loc[("int_line", month), "started"] == 4
        assert line.loc[("a_line", month), "other_output"] == 4
    assert series(out, "interceptors")[11] > 0


def test_stoppages_take_the_share_of_months_renewal_theory_gives() -> None:
    """Each working month a stoppage starts with p = 1 − e^(−rate/12) and lasts ⌈Exp(m)⌉ months.

    Working spells last (1 − p)/p months on average and stoppages 1/(1 − e^(−1/m)), so in
    the long run the line is stopped for E[stop] / (E[work] + E[stop]) of its months:
    with 6 a year and m = 2, p = 0.3935 and the share is 2.541 / 4.082 = 0.6225.
    """
    s = scenario(time={"end": "2074-12"},
                 lines={"int_line": {"stoppage_rate_per_year": 6, "stoppage_months": 2}})
    p = 1 - math.exp(-6 / 12)
    stop = 1 / (1 - math.exp(-1 / 2))
    expected = stop / ((1 - p) / p + stop)
    stopped = months = 0
    for seed in range(1, 9):
        line = simulate(s, seed=seed).production.query("line == 'int_line'")
        stopped += int((line.limited_by == "stopped").sum())
        months += len(line)
    assert expected == pytest.approx(0.6225, abs=1e-4)
    assert stopped / months == pytest.approx(expected, abs=0.03)


@pytest.mark.parametrize("delay", [0, 2])
def test_decisions_taken_together_are_all_signed_in_order(delay: int) -> None:
    """Two countries decide in the same month; their contracts share one wait and keep
    the order of the decisions, also when there is no wait at all."""
    s = scenario(countries={"BBB": {"gdp_usd_bn": 100}},
                 inventories={"BBB": {"sam": {"fire_units": 5, "loads_per_fire_unit": 0}}},
                 procurement={"contracting_delay_months": delay})
    out = simulate(s, deterministic=True)
    first = out.contracts[out.contracts.signed_date == f"2025-{1 + delay:02d}"]
    # 10 fire units need 100 interceptors, 5 need 50: each country's 100 EUR m covers it
    assert first[["buyer", "quantity"]].values.tolist() == [["AAA", 100], ["BBB", 50]]
    assert first.contract_id.tolist() == sorted(first.contract_id)
    check_all(s, out)
