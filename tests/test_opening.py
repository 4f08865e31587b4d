"""The opening state and the replay: lines warm at the start, contracts on their schedule and
paid once, dated capacity in its month, and the shipped replay against its checkpoints."""

from __future__ import annotations

import copy
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from stockpile import load_scenario, simulate
from stockpile.analysis.validation import (
    scenario_sources,
    score,
    tolerance_band,
    validation_table,
)
from stockpile.experiment.tables import run_tables
from stockpile.scenario.load import deep_merge
from stockpile.scenario.schedules import due_counts, months_between, parse_schedule
from stockpile.scenario.schema import Scenario
from tests.test_model import FLAT, second_system

CONFIGS = Path(__file__).resolve().parent.parent / "configs"


def due_dates(text: str, quantity: int) -> list[str]:
    """The month each unit is due, one date a unit: the plain reading of a schedule, the
    oracle ``due_counts`` (what a run uses, month by month) is checked against."""
    dates: list[str] = []
    for (first, last), units in parse_schedule(text):
        count = quantity if units is None else units
        months = months_between(first, last)
        y0, m0 = (int(x) for x in first.split("-"))
        for j in range(count):
            total = y0 * 12 + m0 - 1 + (j * months) // max(count, 1)
            dates.append(f"{total // 12:04d}-{total % 12 + 1:02d}")
    if len(dates) < quantity and dates:
        dates.extend([dates[-1]] * (quantity - len(dates)))
    return sorted(dates)[:quantity]


def scenario(**changes: Any) -> Scenario:
    return Scenario.model_validate(deep_merge(copy.deepcopy(FLAT), changes))


def line_rows(out, name: str):
    prod = out.production
    return prod[prod.line == name].set_index("date")


def test_a_line_delivers_its_current_rate_from_month_one() -> None:
    """8 a month, 3 months' lead, 100 on order since before the start: 24 units are in work,
    so the first three months deliver 8 each instead of nothing."""
    s = scenario(contracts={"OLD": {"product": "sam_int", "buyers": {"AAA": 100},
                                    "signed": "2024-06", "value_eur_m": 100}},
                 procurement={"decisions": "recorded"})
    out = simulate(s, deterministic=True)
    line = line_rows(out, "int_line")
    assert line["delivered"].iloc[:3].tolist() == [8, 8, 8]
    first = line.iloc[0]
    assert first["in_work"] + first["delivered"] - first["started"] == 3 * 8
    delivered = out.timeseries.query("country == 'AAA'")["delivered"]
    assert delivered.sum() == 100


def test_a_contract_signed_before_the_start_keeps_its_schedule_and_is_paid_once() -> None:
    """40 units due evenly over 2026 (unit j in month floor(j·12/40)), 10 delivered before."""
    s = scenario(contracts={"OLD": {"product": "sam_int", "buyers": {"AAA": 40},
                                    "signed": "2024-06", "value_eur_m": 80, "delivered": 10,
                                    "schedule": "2026"}},
                 procurement={"decisions": "recorded"})
    out = simulate(s, deterministic=True)
    deliveries = out.deliveries.groupby("date")["units"].sum()
    due = {}
    for date in due_dates("2026", 40)[10:]:
        due[date] = due.get(date, 0) + 1
    assert deliveries.to_dict() == due
    budget = out.budget[out.budget.account == "AAA"].iloc[-1]
    # 30 units owed at 2.0 each, less the 20% paid before the start: 48 committed and paid
    assert budget["paid_eur_m"] == pytest.approx(30 * 2.0 * 0.8)
    assert budget["committed_eur_m"] == pytest.approx(0.0)


def test_a_dated_capacity_step_arrives_in_its_month() -> None:
    s = scenario(capacity_steps={"int_line": {"2025-09": {"capacity_per_month": 12}}})
    out = simulate(s, deterministic=True)
    capacity = line_rows(out, "int_line")["capacity_per_month"]
    assert capacity["2025-08"] == 8 and capacity["2025-09"] == 12


def test_other_customers_compete_outside_europes_share() -> None:
    """Europe keeps its half of 8 a month; the other buyer takes the other half, and more only
    when Europe leaves slots."""
    s = scenario(lines={"int_line": {"europe_share": 0.5}},
                 contracts={"XYZ": {"product": "sam_int", "buyers": {"ZZZ": 200},
                                    "signed": "2024-01"}})
    out = simulate(s, deterministic=True)
    others = out.timeseries.query("country == 'ZZZ'")
    assert others["delivered"].iloc[:3].tolist() == [8, 8, 8]  # Europe has no order yet
    ours = out.timeseries.query("country == 'AAA'")["delivered"]
    assert ours.max() == 4


def test_schedules_parse_and_spread() -> None:
    assert parse_schedule("2027/2029") == [(("2027-01", "2029-12"), None)]
    assert due_dates("2028:75;2029:45", 120).count("2028-01") == 7
    with pytest.raises(ValueError):
        parse_schedule("2027/2029;2030")
    assert tolerance_band("+-5%", 620) == pytest.approx((589, 651))
    assert tolerance_band("+-3 months", 0) == (-3, 3)


@pytest.mark.parametrize("config, least", [("replay_2022.yaml", 0.8),
                                           ("replay_2022_decisions.yaml", 0.7)])
def test_replay_meets_its_checkpoints(config: str, least: float) -> None:
    """The shipped replay against the public record; misses are explained in docs/validation.md."""
    s = load_scenario(CONFIGS / config)
    out = simulate(s, deterministic=True)
    table = validation_table({k: v.model_dump() for k, v in s.checkpoints.items()},
                             run_tables(out), s.time.start, scenario_sources(s._provenance))
    within, applicable, total = score(table)
    assert total == 18
    assert within / applicable >= least, table[table.within != True]  # noqa: E712
    documented = (CONFIGS.parent / "docs" / "validation.md").read_text(encoding="utf-8")
    for name in table.loc[table.within == False, "checkpoint"]:  # noqa: E712
        assert f"`{name}`" in documented


def test_run_and_report_write_the_validation(tmp_path: Path) -> None:
    """`run` writes validation.csv; `report` shows it, with its chart, and keeps a copy."""
    from click.testing import CliRunner

    from stockpile.cli import main

    out = tmp_path / "replay"
    runner = CliRunner()
    result = runner.invoke(main, ["run", str(CONFIGS / "replay_2022.yaml"), "--deterministic",
                                  "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "validation.csv", keep_default_na=False)
    assert list(table.columns[:6]) == ["checkpoint", "date", "measure", "where", "public",
                                       "modelled"]
    assert (table["source"] != "").all()
    result = runner.invoke(main, ["report", str(out)])
    assert result.exit_code == 0, result.output
    report = (out / "report" / "report.md").read_text(encoding="utf-8")
    assert "How the model reproduces the past" in report
    assert "18 of the 18 checkpoints" in report
    assert (out / "report" / "plots" / "validation.png").is_file()
    assert (out / "report" / "validation.csv").is_file()

    # a folder without validation.csv: worked out again from its per-run tables
    (out / "validation.csv").unlink()
    result = runner.invoke(main, ["report", str(out), "--force"])
    assert result.exit_code == 0, result.output
    again = pd.read_csv(out / "report" / "validation.csv", keep_default_na=False)
    assert again["modelled"].tolist() == table["modelled"].tolist()


def test_a_country_plans_to_buy_what_it_has_on_order_at_the_start() -> None:
    from stockpile.scenario import resolve

    s = scenario(**second_system("other"),
                 contracts={"NEW": {"product": "other_fu", "buyers": {"AAA": 2},
                                    "signed": "2024-06"},
                            "LATER": {"product": "other_fu", "buyers": {"BBB": 2},
                                      "signed": "2026-06"}},
                 countries={"BBB": {"gdp_usd_bn": 10}})
    assert resolve.plan(s, "AAA") == {"sam": 1.0, "other": 1.0}
    assert resolve.plan(s, "BBB") == {}  # a contract signed after the start is not a plan yet


@pytest.mark.parametrize("text, quantity", [
    ("2026", 40), ("2026", 7), ("2028:75;2029:45", 120), ("2028:75;2029:45", 100),
    ("2028:75;2029:45", 150), ("2025-07/2026-12:134;2027/2030:566", 700),
    ("2027:0;2026:5", 9), ("2027/2029", 1), ("2026:2;2027-01/2028-06:17", 19),
    ("2030;", 9500)])
def test_schedules_are_counted_by_month_as_they_are_listed_by_unit(text: str,
                                                                   quantity: int) -> None:
    """``due_counts`` (what a run uses) gives ``due_dates`` (one date a unit) month by month."""
    for skip in (0, 1, quantity // 3, quantity, quantity + 5):
        listed = Counter(due_dates(text, quantity)[skip:])
        assert due_counts(text, quantity, skip) == sorted(listed.items())
