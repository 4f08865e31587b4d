"""Joint procurement led by one nation (SPEC 2.4), checked by hand in deterministic mode.

The worlds extend test_model.FLAT (100 EUR m a year per 100 USD bn of GDP, interceptors at
1 EUR m, an 8-a-month line with a 3-month lead): AAA leads, BBB is a member, CCC is not.
Decisions are in January (month 0); the pool closes the same month.
"""

from __future__ import annotations

import copy
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from stockpile.api import simulate
from stockpile.cli import main
from stockpile.model.buying.joint import Framework, volume_discount
from stockpile.model.industry.production import Order
from stockpile.model.world import World
from stockpile.scenario.load import deep_merge
from stockpile.scenario.schema import Scenario
from tests.invariants import check_all, check_money
from tests.test_model import FLAT, second_system

PROGRAMME: dict[str, Any] = {
    "lead": "AAA", "members": ["AAA", "BBB"], "systems": ["sam"],
    "pooling_interval_months": 12, "coordination_delay_months": 1,
    "contracting_delay_months": 2, "discount": {"max_share": 0.1, "half_volume": 200},
    "priority": True, "framework_years": 0,
}
#: what makes joint equal to national (see the joint module's docstring)
IDENTITY: dict[str, Any] = {
    "lead": "AAA", "members": ["AAA", "BBB"], "systems": ["sam"],
    "pooling_interval_months": 1, "coordination_delay_months": 0,
    "contracting_delay_months": 2,  # = procurement.contracting_delay_months in FLAT
    "discount": {"max_share": 0.0}, "priority": False, "framework_years": 0,
    "bridge": {"enabled": False}, "eu_loan": {"amount_eur_m": 0},
}


def world(mode: str = "joint", **changes: Any) -> Scenario:
    """AAA (100 a year, needs 100), BBB (50, needs 50) and non-member CCC (20, needs 20)."""
    data = deep_merge(copy.deepcopy(FLAT), {
        "countries": {"BBB": {"gdp_usd_bn": 50}, "CCC": {"gdp_usd_bn": 20}},
        "inventories": {"BBB": {"sam": {"fire_units": 5, "loads_per_fire_unit": 0}},
                        "CCC": {"sam": {"fire_units": 2, "loads_per_fire_unit": 0}}},
        "procurement": {"mode": mode},
        "joint": copy.deepcopy(PROGRAMME),
    })
    return Scenario.model_validate(deep_merge(data, changes))


def column(output, name: str, country: str) -> list:
    ts = output.timeseries
    return ts[ts.country == country][name].tolist()


def account(output, name: str) -> pd.DataFrame:
    return output.budget[output.budget.account == name].set_index("date")


def test_volume_discount_curve() -> None:
    assert volume_discount(200, 0.1, 200) == pytest.approx(0.05)
    assert volume_discount(0, 0.1, 200) == 0.0
    assert volume_discount(10**9, 0.1, 200) == pytest.approx(0.1)


def test_pooled_contract_price_split_and_priority_by_hand() -> None:
    """Pool of 100 + 50 at t=0, signed at 0 + 1 + 2 = month 3 at (1 − d) × 1.0."""
    s = world()
    out = simulate(s, deterministic=True)
    check_all(s, out)
    discount = 0.1 * 150 / (150 + 200)  # = 3/70
    price = (1 - discount) * (100 * 1.0 + 50 * 1.0) / 150
    joint = out.contracts[out.contracts.channel == "joint"]
    assert joint.buyer.tolist() == ["AAA", "BBB"]
    assert joint.quantity.tolist() == [100, 50]
    assert set(joint.signed_date) == {"2025-04"} and set(joint.lead) == {"AAA"}
    assert joint.unit_price_eur_m.tolist() == pytest.approx([price, price])
    assert joint.discount_share.tolist() == pytest.approx([discount, discount])
    assert joint.value_eur_m.tolist() == pytest.approx([100 * price, 50 * price])
    # CCC is not a member: its own contract, signed after the national delay (month 2)
    national = out.contracts[out.contracts.channel == "national"]
    assert national.buyer.tolist() == ["CCC"] and national.signed_date.tolist() == ["2025-03"]
    # the line starts 8 a month; the pooled contract (priority 0) from month 3 on, its
    # call-offs in turn: AAA's 100 in months 3..15 (12 x 8 + 4), then BBB's 50 (4 in month
    # 15, 8 a month in 16..20, 6 in 21); delivered 3 months later
    aaa, bbb = column(out, "delivered", "AAA"), column(out, "delivered", "BBB")
    assert aaa[6:18] == [8] * 12 and aaa[18] == 4 and sum(aaa[19:]) == 0
    assert bbb[:18] == [0] * 18 and bbb[18:25] == [4, 8, 8, 8, 8, 8, 6]
    assert column(out, "delivered_joint", "AAA")[6:9] == [8, 8, 8]
    assert sum(column(out, "delivered_joint", "AAA")) == 100
    assert sum(column(out, "delivered_joint", "BBB")) == 50
    # nothing of the pooled contract reaches CCC, whose 12 later units wait behind it:
    # the pool's 150 start in months 3..21 (19 × 8 = 152), CCC's in 21, 22 and 23
    assert sum(column(out, "delivered_joint", "CCC")) == 0
    ccc = column(out, "delivered", "CCC")
    assert ccc[5] == 8 and sum(ccc[6:24]) == 0 and ccc[24:27] == [2, 8, 2]
    # money: commit at signature, 20% down, the rest on delivery
    aaa = account(out, "AAA")
    assert aaa.loc["2025-04", "committed_eur_m"] + aaa.loc["2025-04", "paid_eur_m"] \
        == pytest.approx(100 * price)
    assert aaa.loc["2025-04", "paid_eur_m"] == pytest.approx(0.2 * 100 * price)
    assert aaa.loc["2025-07", "paid_eur_m"] == pytest.approx(0.2 * 100 * price
                                                             + 0.8 * 8 * price)
    assert aaa.loc["2027-12", "paid_eur_m"] == pytest.approx(100 * price)


def test_without_priority_the_earlier_national_order_is_served_first() -> None:
    out = simulate(world(joint={"priority": False},
                         lines={"int_line": {"allocation": "fifo"}}), deterministic=True)
    # CCC's 20 start in months 2, 3, 4 (8, 8, 4); AAA's call-off takes the rest of month 4
    assert column(out, "delivered", "CCC")[5:8] == [8, 8, 4]
    assert column(out, "delivered", "AAA")[7] == 4 and column(out, "delivered", "BBB")[7] == 0


def test_members_call_offs_share_first_loads_with_national_buyers() -> None:
    """Under first_loads_first each member's call-off is its own order. From month 3 the 8
    starts, less than a load (10), go to the buyer furthest short: AAA (100, then 92, ...)
    ahead of BBB (50) and CCC (20 less its 8 in work) for 7 months, until AAA's 44 is below
    BBB's 50; then the two in turn. Delivered 3 months after the start."""
    out = simulate(world(joint={"priority": False}), deterministic=True)
    aaa, bbb = column(out, "delivered", "AAA"), column(out, "delivered", "BBB")
    assert aaa[6:16] == [8] * 7 + [0, 8, 0]
    assert bbb[:13] == [0] * 13 and bbb[13:16] == [8, 0, 8]
    assert column(out, "delivered", "CCC")[5:16] == [8] + [0] * 10


def test_programme_covers_only_members_and_its_systems() -> None:
    s = world(**second_system("gun"))
    w = World(s, seed=1, deterministic=True)
    assert w.joint.covers("AAA", "sam") and w.joint.covers("BBB", "sam")
    assert not w.joint.covers("CCC", "sam")
    assert not w.joint.covers("AAA", "gun")
    assert w.channel("CCC", "sam") is w.national and w.channel("AAA", "sam") is w.joint
    names = [a.name for a in w.all_accounts() if not a.name.startswith("industry:")]
    assert names[-2:] == ["lead:AAA", "eu_loan"]


def _without_joint_columns(output) -> pd.DataFrame:
    return output.timeseries.drop(columns=["delivered_joint"])


IDENTITY_WORLD: dict[str, Any] = {
    "countries": {"CCC": {"gdp_usd_bn": 0}},
    "joint": copy.deepcopy(IDENTITY),
    "systems": {"sam": {"training_shots_per_fu_year": 1.2}},  # demand every year
}


def test_identity_programme_gives_the_national_stocks() -> None:
    """See the joint module: with nothing pooled but the paperwork, nothing changes."""
    ample = {"lines": {"int_line": {"capacity_per_month": 500, "ceiling_per_month": 500}}}
    national = simulate(world("national", **IDENTITY_WORLD, **ample), deterministic=True)
    joint = simulate(world("joint", **IDENTITY_WORLD, **ample), deterministic=True)
    pd.testing.assert_frame_equal(_without_joint_columns(national),
                                  _without_joint_columns(joint))
    members = ["AAA", "BBB", "CCC"]
    pd.testing.assert_frame_equal(
        national.budget[national.budget.account.isin(members)].reset_index(drop=True),
        joint.budget[joint.budget.account.isin(members)].reset_index(drop=True))
    assert joint.timeseries.delivered_joint.sum() == joint.timeseries.delivered.sum() > 0
    assert set(joint.contracts.channel) == {"joint"}
    pd.testing.assert_frame_equal(national.goal, joint.goal)


def test_identity_on_a_short_line_keeps_the_line_totals() -> None:
    """8 a month for 150 + yearly top-ups: the pool shares out, nationals queue; same sums.

    Demand recurs through a 1-year shelf life (not training, which a country without stock
    cannot fire: then who gets what would change what is bought)."""
    changes = {**IDENTITY_WORLD, "systems": {}, "products": {"sam_int": {"shelf_life_years": 1}}}
    national = simulate(world("national", **changes), deterministic=True)
    joint = simulate(world("joint", **changes), deterministic=True)
    assert national.timeseries.expired.sum() > 0
    pd.testing.assert_frame_equal(national.production, joint.production)
    sums = [out.timeseries.groupby("date")[["interceptors", "on_order", "delivered"]].sum()
            for out in (national, joint)]
    pd.testing.assert_frame_equal(*sums)


def first_joint(output) -> pd.DataFrame:
    contracts = output.contracts[output.contracts.channel == "joint"]
    return contracts[contracts.contract_id == contracts.contract_id.min()]


def _financed(**joint: Any) -> Scenario:
    """Learning makes BBB's quote (it ordered after AAA) below the pooled average, and BBB
    spends all of its 50 on demand: its share costs more than it has."""
    return world(products={"sam_int": {"learning_rate": 0.7, "prior_units": 10}},
                 inventories={"BBB": {"sam": {"fire_units": 100}}},
                 joint={"discount": {"max_share": 0.0}, **joint})


def test_bridge_lends_the_shortfall_and_is_repaid_from_later_credits() -> None:
    s = _financed(bridge={"enabled": True, "limit_eur_m": 5, "repayment_months": 6})
    out = simulate(s, deterministic=True)
    check_all(s, out)
    check_money(out.budget)
    first = first_joint(out).set_index("buyer")
    bridged = first.loc["BBB", "value_eur_m"] - 50.0  # all of BBB's money went in
    assert 0 < bridged < 5
    lead, bbb = account(out, "lead:AAA"), account(out, "BBB")
    assert lead.loc["2025-04", "paid_eur_m"] == pytest.approx(bridged)  # lent
    assert lead.loc["2025-04", "available_eur_m"] == pytest.approx(5 - bridged)
    assert bbb.loc["2025-04", "received_eur_m"] == pytest.approx(bridged)
    assert bbb.loc["2025-12", "owed_eur_m"] == pytest.approx(bridged)  # nothing free to repay
    # due in full 6 months after signing; repaid from the January credit before deciding
    assert bbb.loc["2026-01", "owed_eur_m"] == pytest.approx(0.0)
    assert lead.loc["2026-01", "received_eur_m"] == pytest.approx(bridged)
    assert lead.loc["2026-01", "available_eur_m"] == pytest.approx(5.0)
    assert account(out, "AAA")["received_eur_m"].max() == 0.0


def test_no_bridge_drops_the_units_a_member_cannot_pay_for() -> None:
    s = _financed()
    out = simulate(s, deterministic=True)
    check_all(s, out)
    first = first_joint(out).set_index("buyer")
    assert first.loc["BBB", "value_eur_m"] <= 50.0 + 1e-9
    assert account(out, "lead:AAA")["paid_eur_m"].max() == 0.0
    bridged = simulate(_financed(bridge={"enabled": True, "limit_eur_m": 5}),
                       deterministic=True)
    assert first.loc["BBB", "quantity"] < first_joint(bridged).set_index("buyer").loc[
        "BBB", "quantity"]


def test_eu_loan_pays_its_share_of_eligible_contracts() -> None:
    s = _financed(eu_loan={"amount_eur_m": 30, "first_year": 2025, "min_buyers": 2})
    out = simulate(s, deterministic=True)
    check_all(s, out)
    first = first_joint(out).set_index("buyer").value_eur_m
    facility = account(out, "eu_loan")
    assert facility.loc["2025-04", "paid_eur_m"] == pytest.approx(30.0)
    assert facility.loc["2027-12", "available_eur_m"] == pytest.approx(0.0)
    for iso in ("AAA", "BBB"):
        expected = 30.0 * first[iso] / first.sum()
        assert account(out, iso).loc["2025-04", "received_eur_m"] == pytest.approx(expected)
        # a loan, not a grant: owed in full through the 10-year grace (SAFE)
        assert account(out, iso).loc["2027-12", "owed_eur_m"] == pytest.approx(expected)


def test_eu_loans_are_repaid_on_their_schedule() -> None:
    """No grace, one year: 1/12 of each loan falls due each month from the month after it is
    made (April 2025), so by April 2026 all is repaid and the facility has it back."""
    s = _financed(eu_loan={"amount_eur_m": 30, "first_year": 2025, "min_buyers": 2,
                           "grace_years": 0, "repayment_years": 1})
    out = simulate(s, deterministic=True)
    check_all(s, out)
    facility = account(out, "eu_loan")
    assert facility.loc["2025-10", "received_eur_m"] == pytest.approx(30.0 * 6 / 12)
    assert facility.loc["2026-04", "received_eur_m"] == pytest.approx(30.0)
    for iso in ("AAA", "BBB"):
        assert account(out, iso).loc["2026-04", "owed_eur_m"] == pytest.approx(0.0, abs=1e-9)


def test_eu_loan_waits_for_its_first_year_and_enough_buyers() -> None:
    out = simulate(_financed(eu_loan={"amount_eur_m": 30, "first_year": 2026,
                                      "min_buyers": 2}), deterministic=True)
    facility = account(out, "eu_loan")
    assert facility.loc["2025-12", "credited_eur_m"] == 0.0
    assert facility.loc["2026-01", "available_eur_m"] == pytest.approx(30.0)
    # later pools have BBB alone (AAA is full): one buyer, not eligible
    assert facility["paid_eur_m"].max() == 0.0
    out = simulate(_financed(eu_loan={"amount_eur_m": 30, "first_year": 2026,
                                      "min_buyers": 1}), deterministic=True)
    assert account(out, "eu_loan").loc["2026-04", "paid_eur_m"] == pytest.approx(30.0)


def test_framework_commitment_triggers_an_expansion_national_orders_do_not() -> None:
    """Backlog 150 ≤ 24 months × 8; a 2-year framework adds 2 × 150 − 150 = 150 more."""
    lines = {"int_line": {"ceiling_per_month": 20, "expansion_threshold_months": 24,
                          "expansion_step_per_month": 4, "expansion_lead_months": 6}}
    alone = {"fund_expansions": False}  # industry's own trigger only
    national = simulate(world("national", lines=lines, procurement=alone),
                        deterministic=True).production
    joint = simulate(world(lines=lines, joint={"framework_years": 2}, procurement=alone),
                     deterministic=True).production
    assert set(national[national.line == "int_line"].capacity_per_month) == {8}
    line = joint[joint.line == "int_line"].set_index("date")
    assert line.loc["2025-03", "expansions_pending"] == 0
    assert line.loc["2025-04", "expansions_pending"] == 1  # at signature
    assert line.loc["2025-09", "capacity_per_month"] == 8
    assert line.loc["2025-10", "capacity_per_month"] == 12


def test_framework_rule() -> None:
    lines = [SimpleNamespace(capacity=30.0, europe_share=0.5, framework_units=0.0),
             SimpleNamespace(capacity=5.0, europe_share=1.0, framework_units=0.0)]
    framework = Framework(lines, years=3, interval=12)
    framework.place(4, 100)  # commits 3 × 100, places 100
    assert [ln.framework_units for ln in lines] == pytest.approx([200 * 0.75, 200 * 0.25])
    assert framework.remaining == pytest.approx(200)
    framework.place(16, 120)
    assert framework.remaining == pytest.approx(80)
    framework.expire(39)
    assert framework.remaining == pytest.approx(80)
    framework.expire(40)  # the term: 36 months from month 4
    assert framework.remaining == 0 and lines[0].framework_units == 0
    framework.place(41, 60)  # a new commitment from the last 12 months' pooled quantity
    assert framework.remaining == pytest.approx(3 * 60 - 60)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 60), min_size=2, max_size=6), st.data())
def test_split_gives_each_unit_once_and_never_takes_one_back(weights: list[int],
                                                               data: st.DataObject) -> None:
    buyers = {f"B{i}": q for i, q in enumerate(weights)}
    order = Order(1, "p", buyers, 1.0, "joint")
    left = sum(weights)
    given = dict.fromkeys(buyers, 0)
    while left:
        units = data.draw(st.integers(1, left))
        shares = order.split(units)
        assert sum(shares.values()) == units and min(shares.values()) > 0
        for buyer, n in shares.items():
            given[buyer] += n
            assert given[buyer] <= buyers[buyer]
        left -= units
    assert given == buyers


@pytest.mark.parametrize(("key", "value", "path"), [
    ("joint.lead", "BBB", "joint.lead"),
    ("joint.systems", "[sam, samm]", "joint.systems.1"),
    ("joint.coordination_delay_months", "-1", "joint.coordination_delay_months"),
    ("joint.contracting_delay_months", "-2", "joint.contracting_delay_months"),
    ("joint.discount.max_share", "1.5", "joint.discount.max_share"),
    ("joint.discount.max_share", "-0.1", "joint.discount.max_share"),
    ("joint.pooling_interval_months", "0", "joint.pooling_interval_months"),
    ("joint.members", "[AAA, ZZZ]", "joint.members.1"),
])
def test_invalid_programmes_are_validation_errors(tmp_path, key: str, value: str,
                                                  path: str) -> None:
    import yaml

    data = deep_merge(copy.deepcopy(FLAT), {
        "countries": {"BBB": {"gdp_usd_bn": 50}}, "procurement": {"mode": "joint"},
        "joint": {"lead": "AAA", "members": ["AAA"], "systems": ["sam"]}})
    config = tmp_path / "joint.yaml"
    config.write_text(yaml.safe_dump(data), encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(config), "--set", f"{key}={value}"])
    assert result.exit_code == 2, result.output
    assert any(line.split(": ")[1] == path for line in result.stderr.splitlines()
               if ": " in line), result.stderr


def test_baseline_in_joint_mode_signs_contracts_led_by_germany() -> None:
    """Smoke test on the 31-country data set: ESSI members pool, everyone else buys alone."""
    from pathlib import Path

    from stockpile import load_scenario
    from stockpile.scenario import resolve

    config = Path(__file__).resolve().parent.parent / "configs" / "baseline.yaml"
    s = load_scenario(config, ["procurement.mode=joint"])
    out = simulate(s, deterministic=True)
    check_all(s, out)
    members = set(resolve.joint_members(s))
    joint = out.contracts[out.contracts.channel == "joint"]
    assert len(joint) and set(joint.lead) == {"DEU"} and set(joint.buyer) <= members
    programme = {p for system in s.joint.systems for p in
                 [resolve.system_products(s, system)[0], *resolve.system_products(s, system)[1]]}
    assert set(joint["product"]) <= programme
    assert joint.contract_id.nunique() < len(joint)  # pooled: several buyers per contract
    national = out.contracts[out.contracts.channel == "national"]
    assert not (national.buyer.isin(members) & national["product"].isin(programme)).any()
    ts = out.timeseries
    assert ts[~ts.country.isin(members)].delivered_joint.sum() == 0
    assert ts.delivered_joint.sum() > 0
    assert {"lead:DEU", "eu_loan"} <= set(out.budget.account)


def test_joint_runs_are_a_pure_function_of_scenario_and_seed() -> None:
    from stockpile.experiment.output import csv_text

    s = _financed(bridge={"enabled": True, "limit_eur_m": 5},
                  eu_loan={"amount_eur_m": 10, "first_year": 2026, "min_buyers": 1})
    a, b = simulate(s, seed=5), simulate(s, seed=5)
    for name in ("timeseries", "budget", "contracts", "production"):
        assert csv_text(getattr(a, name)) == csv_text(getattr(b, name))
