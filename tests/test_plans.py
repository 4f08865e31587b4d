"""Announced plans (``plans`` table): what a country may buy besides what it holds, and from when.

The resolution order is ``resolve.plan``'s docstring; the shipped table's conventions are in
``configs/data/README.md``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from stockpile.api import simulate
from stockpile.scenario import ScenarioError, load_scenario, resolve
from stockpile.scenario.load import deep_merge
from tests.test_model import scenario, second_system

DATA = Path(__file__).resolve().parent.parent / "configs" / "data"


def gun_plan(weight: float = 1.0, announced: str = "2025-06", **changes: Any) -> dict:
    """FLAT with a second system, ``gun``, that AAA does not hold but has announced it will
    buy: a fire unit at 16 and a load of 4 interceptors at 1 each (20 with its load), free
    lines without lead time."""
    gun = second_system("gun", combat_load=4, fu_price=16, int_price=1, fu_capacity=5,
                        int_capacity=50)
    plans = {"plans": {"AAA": {"gun": {"weight": weight, "announced": announced}}}}
    return deep_merge(deep_merge(gun, plans), changes)


# -- resolution order -------------------------------------------------------------------
def test_announced_rows_join_what_a_country_holds_from_their_month() -> None:
    s = scenario(**gun_plan(weight=2))
    assert resolve.plan(s, "AAA") == {"sam": 1.0}  # at the start (2025-01): not yet announced
    assert resolve.plan(s, "AAA", date="2025-05") == {"sam": 1.0}
    assert resolve.plan(s, "AAA", date="2025-06") == {"sam": 1.0, "gun": 2.0}
    assert resolve.plan_months(s, "AAA") == ["2025-06"]


def test_an_announced_weight_replaces_a_held_systems_weight() -> None:
    s = scenario(**gun_plan(plans={"AAA": {"sam": {"weight": 0.5, "announced": "2024-01"}}}))
    assert resolve.plan(s, "AAA") == {"sam": 0.5}
    assert resolve.plan(s, "AAA", date="2025-06") == {"sam": 0.5, "gun": 1.0}


def test_a_countrys_own_plan_comes_first() -> None:
    s = scenario(**gun_plan(countries={"AAA": {"plan": {"sam": 3}}}))
    assert resolve.plan(s, "AAA", date="2030-01") == {"sam": 3.0}
    assert resolve.plan_months(s, "AAA") == []


def test_the_default_plan_comes_last_until_a_plan_is_announced() -> None:
    """BBB holds nothing: the default plan until its own row is announced, then the row."""
    s = scenario(**gun_plan(countries={"BBB": {"gdp_usd_bn": 10}},
                            procurement={"default_plan": {"sam": 1}},
                            plans={"BBB": {"gun": {"weight": 1, "announced": "2026-03"}}}))
    assert resolve.plan(s, "BBB") == {"sam": 1.0}
    assert resolve.plan(s, "BBB", date="2026-03") == {"gun": 1.0}


# -- the model buys from them -------------------------------------------------------------
def _bought(**changes: Any) -> pd.DataFrame:
    out = simulate(scenario(**changes), deterministic=True)
    return out.decisions.set_index(["date", "system"])[["fire_units_bought",
                                                         "interceptors_bought"]]


def test_a_country_buys_an_announced_system_it_does_not_hold() -> None:
    """AAA's 100 a year; its 10 sam fire units hold no missiles, and a sam fire unit costs
    1e9. 2025-01: the plan is sam alone, so the 100 buys 100 sam missiles (10 loads of 10 at
    1). Gun is announced in 2025-06, so the 2026-01 decision splits the new 100 by weight
    (``choice: plan``): sam's half buys nothing (its loads are bought), gun's 50 buys 2 gun
    fire units with a load each (2 x 20 = 40). 2027-01: the 60 left and the new 100 = 160,
    half each: gun's 80 buys 4 more."""
    bought = _bought(**gun_plan(procurement={"choice": "plan", "fund_expansions": False}))
    assert ("2025-01", "gun") not in bought.index
    assert tuple(bought.loc[("2025-01", "sam")]) == (0, 100)
    assert tuple(bought.loc[("2026-01", "gun")]) == (2, 8)
    assert tuple(bought.loc[("2026-01", "sam")]) == (0, 0)
    assert tuple(bought.loc[("2027-01", "gun")]) == (4, 16)


def test_a_plan_announced_after_the_horizon_is_never_bought() -> None:
    bought = _bought(**gun_plan(announced="2040-01"))
    assert "gun" not in bought.index.get_level_values("system")


# -- the table and its errors -------------------------------------------------------------
def _problems(path: Path) -> list[str]:
    """The one-line problems, with file names shown relative to the scenario's folder."""
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    return [str(p).removeprefix(f"{path.parent}/") for p in caught.value.problems]


def _with_plans(tiny_csv_scenario: Path, make_scenario: Callable[..., Path], rows: str) -> Path:
    (tiny_csv_scenario.parent / "data" / "plans.csv").write_text(
        "country,system,weight,announced,source,confidence\n" + rows, encoding="utf-8")
    return make_scenario({"extend": tiny_csv_scenario.name, "plans": "data/plans.csv"})


def test_plans_load_from_csv(tiny_csv_scenario: Path,
                             make_scenario: Callable[..., Path]) -> None:
    s = load_scenario(_with_plans(tiny_csv_scenario, make_scenario,
                                  "AAA,sam,0.5,2024-06,a source,high\n"))
    assert float(s.plans["AAA"]["sam"].weight) == 0.5
    assert s.plans["AAA"]["sam"].announced == "2024-06"


def test_unknown_country_and_system_name_file_row_and_key(
        tiny_csv_scenario: Path, make_scenario: Callable[..., Path]) -> None:
    found = _problems(_with_plans(tiny_csv_scenario, make_scenario,
                                  "AAA,sam,1,2024-06,s,high\nAAA,sma,1,2024-06,s,high\n"
                                  "ZZZ,sam,1,2024-06,s,high\n"))
    assert found == [
        "data/plans.csv (row 3): plans.AAA.sma: unknown system 'sma' (did you mean 'sam'?)",
        "data/plans.csv (row 4): plans.ZZZ.sam: unknown country 'ZZZ'"]


def test_negative_weight_and_bad_month_name_file_row_and_key(
        tiny_csv_scenario: Path, make_scenario: Callable[..., Path]) -> None:
    found = _problems(_with_plans(tiny_csv_scenario, make_scenario,
                                  "AAA,sam,-1,2024-06,s,high\n"))
    assert len(found) == 1 and "\n" not in found[0]
    assert found[0].startswith("data/plans.csv (row 2): plans.AAA.sam.weight: ")
    assert "out of range (zero to 1e6)" in found[0]
    found = _problems(_with_plans(tiny_csv_scenario, make_scenario,
                                  "AAA,sam,1,2024,s,high\n"))
    assert found == ["data/plans.csv (row 2): plans.AAA.sam.announced: '2024' is not a month "
                     "(YYYY-MM, years 1900 to 2199)"]


def test_the_shipped_table_follows_the_data_conventions() -> None:
    """Every row sourced; a weight other than 1 derived from money and said so; an
    assumption says why first; a row dated after the summit (June 2025) says so."""
    table = pd.read_csv(DATA / "plans.csv", dtype={"announced": str})
    assert not table.duplicated(["country", "system"]).any()
    assert (table["source"].str.len() > 40).all()
    assert table.loc[table["weight"] != 1, "source"].str.startswith("derived weight").all()
    assumed = table["confidence"].str.startswith("assumption")
    assert table.loc[assumed, "source"].str.startswith("assumption: ").all()
    later = table["announced"] > "2025-06"
    assert table.loc[later, "source"].str.contains("post-summit").all()
    for _, rows in table[table["weight"] != 1].groupby("country"):
        assert rows["weight"].mean() == pytest.approx(1, abs=0.01)  # scaled to average 1
