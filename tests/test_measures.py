"""What fivefold is measured against and what stocks are for: a fixed baseline, the fielded
verdict, the stock factor, a conflict that runs dry, and days of fire (hand-worked cases)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner

import stockpile
from stockpile.analysis.magazine import magazine_table, runs_dry
from stockpile.api import simulate
from stockpile.cli import main
from stockpile.scenario.load import deep_merge
from stockpile.scenario.schema import Scenario
from tests.invariants import check_all
from tests.sweeps import quick
from tests.test_model import FLAT

#: 10 fire units with 2 loads each (200 interceptors), no buying: only what the test does
STOCKED = deep_merge(copy.deepcopy(FLAT), {
    "inventories": {"AAA": {"sam": {"fire_units": 10, "loads_per_fire_unit": 2}}},
    "procurement": {"decisions": "recorded"},
    "systems": {"sam": {"training_shots_per_fu_year": 12, "layer": "medium_range"}},
})


def scenario(**changes: Any) -> Scenario:
    return Scenario.model_validate(deep_merge(copy.deepcopy(STOCKED), changes))


def test_the_baseline_is_the_opening_state_not_the_first_months_close() -> None:
    """Training fires 10 a month from month 1, so by its close 190 interceptors arm 10 ready
    units still, but a month-end baseline would differ from the opening one with 1 load each."""
    # training from the whole stock (the default keeps the loads and would not fire here)
    s = scenario(inventories={"AAA": {"sam": {"loads_per_fire_unit": 1}}},
                 consumption={"training": "ready_units"})
    out = simulate(s, deterministic=True)
    # opening: 100 interceptors = 10 full loads; after month 1's 10 training shots, 9
    assert out.goal["baseline"].unique().tolist() == [10.0]
    assert out.capability["value"].iloc[0] == 9.0
    assert out.goal["fielded_baseline"].unique().tolist() == [10.0]
    check_all(s, out)


def test_an_absolute_baseline_is_used_as_given() -> None:
    out = simulate(scenario(goal={"baseline": 4, "multiplier": 2},
                            systems={"sam": {"training_shots_per_fu_year": 0}}),
                   deterministic=True)
    assert out.goal["baseline"].unique().tolist() == [4.0]
    assert out.goal["target"].unique().tolist() == [8.0]
    assert out.goal["met"].all()  # 10 ready fire units throughout 2026-2027


def test_the_baseline_is_the_same_in_every_run_of_a_sweep(tmp_path: Path) -> None:
    """quick's contracting delay and inflation are sampled; the opening state is not."""
    config = quick(tmp_path)
    stockpile.sweep(config, runs=8, jobs=1, out=tmp_path / "sw", progress=False)
    runs = pd.read_csv(tmp_path / "sw" / "runs.csv")
    assert runs["baseline"].nunique() == 1
    assert runs["ratio"].nunique() > 1  # the flows do vary


def test_the_stock_factor_scales_every_opening_stock_of_a_system() -> None:
    out = simulate(scenario(systems={"sam": {"stock_factor": 0.5}},
                            consumption={"training": "ready_units"}), deterministic=True)
    first = out.timeseries.iloc[0]
    assert first["interceptors"] + first["consumed"] == 100  # 10 × 2 loads × 10 × 0.5
    assert first["loads_held"] == pytest.approx(0.9)  # 90 left ÷ 10 units ÷ 10


def test_a_conflict_fires_what_the_units_hold_and_records_the_rest_as_unmet() -> None:
    """10 units at 3 a day fire 913.125 a month (30.4375 days): the first conflict month
    takes the 190 left after training and leaves 723 unmet; after that all demand is unmet."""
    s = scenario(systems={"sam": {"training_shots_per_fu_year": 0}},
                 consumption={"conflict": {"enabled": True, "start_year": 2026.0,
                                           "duration_months": 3,
                                           "interceptors_per_fu_per_day": 3.0}})
    out = simulate(s, deterministic=True)
    ts = out.timeseries.set_index("date")
    assert ts.loc["2025-12", "interceptors"] == 200
    assert ts.loc["2026-01", "consumed"] == 200 and ts.loc["2026-01", "interceptors"] == 0
    assert ts.loc["2026-01", "unmet"] == 913 - 200
    assert ts.loc["2026-02", "unmet"] == 913  # the carried quarter makes the third 914
    assert ts.loc[["2026-01", "2026-02", "2026-03"], "unmet"].sum() == 2739 - 200
    assert ts.loc["2026-04", "unmet"] == 0
    check_all(s, out)


def test_days_of_fire_are_stock_over_daily_use() -> None:
    stocks = pd.DataFrame({"date": ["2025-01", "2025-01", "2025-01"],
                           "country": ["AAA", "BBB", "CAN"], "system": ["sam", "sam", "sam"],
                           "fire_units": [10, 5, 2], "interceptors": [150, 0, 40]})
    table = magazine_table(stocks, {"sam": "medium_range"}, 0.5, {"AAA", "BBB"})
    days = table.set_index(["country", "system"])["days_of_fire"]
    assert days["AAA", "sam"] == 30.0  # 150 / (10 × 0.5)
    assert days["BBB", "sam"] == 0.0
    assert days["CAN", "sam"] == 40.0
    assert days["Europe", "sam"] == pytest.approx(150 / 7.5)  # Canada is not Europe
    assert days["Europe", "all"] == pytest.approx(150 / 7.5)
    assert table.loc[table.country == "Europe", "layer"].eq("medium_range").all()


def test_a_system_runs_dry_when_europe_has_nothing_left() -> None:
    table = pd.DataFrame({"date": ["2030-01", "2030-02", "2030-03", "2030-01", "2030-02"],
                          "country": ["Europe"] * 5, "system": ["a", "a", "a", "b", "b"],
                          "interceptors": [5, 0, 3, 0, 0]})
    assert runs_dry(table).to_dict("list") == {"system": ["a"], "dry_date": ["2030-02"]}


def test_run_writes_the_magazine_and_report_shows_launchers_and_depth(tmp_path: Path) -> None:
    path = tmp_path / "conflict.yaml"
    path.write_text(Path("configs/conflict.yaml").read_text().replace(
        "extend: baseline.yaml", f"extend: {Path('configs/baseline.yaml').resolve()}"))
    runner = CliRunner()
    out = tmp_path / "c"
    # the conflict is over by mid-2031: a horizon to 2032 shows it (2045 would triple the time)
    result = runner.invoke(main, ["run", str(path), "--deterministic", "--out", str(out),
                                  "--set", "time.end=2032-12",
                                  "--set", "goal.deadlines=[2029, 2030, 2032]"])
    assert result.exit_code == 0, result.output
    magazine = pd.read_csv(out / "magazine.csv")
    # the threat is Europe's 2025 fleet firing at the conflict's rate: Piorun runs dry,
    # Patriot (a few dozen of several hundred fire units sharing the fire) does not
    europe = magazine[(magazine.country == "Europe") & (magazine.system == "piorun")]
    assert europe["interceptors"].iloc[0] > 0 and (europe["interceptors"] == 0).any()
    patriot = magazine[(magazine.country == "Europe") & (magazine.system == "patriot")]
    assert patriot["interceptors"].min() > 0
    timeseries = pd.read_csv(out / "timeseries.csv")
    assert timeseries["unmet"].sum() > 0
    result = runner.invoke(main, ["report", str(out)])
    assert result.exit_code == 0, result.output
    report = (out / "report" / "report.md").read_text(encoding="utf-8")
    assert "counted in the opening state (July 2025" in report
    assert "Launchers or missiles" in report and "fielded_p_met" in report
    assert "run dry" in report and "Piorun in" in report  # the system's name, not its key
    assert (out / "report" / "plots" / "magazine.png").is_file()


def test_the_magazine_gives_loads_held_and_ready_units_by_layer() -> None:
    stocks = pd.DataFrame({"date": ["2025-01"] * 2, "country": ["AAA", "AAA"],
                           "system": ["big", "small"], "fire_units": [2, 4],
                           "ready_fire_units": [1, 4], "interceptors": [50, 40]})
    table = magazine_table(stocks, {"big": "long_range", "small": "long_range"}, 1.0, {"AAA"},
                           {"big": 48, "small": 8})
    rows = table.set_index(["country", "system"])
    assert rows.loc[("AAA", "big"), "loads_held"] == pytest.approx(50 / 96, abs=1e-3)
    layer = rows.loc[("Europe", "all")]
    assert layer["ready_fire_units"] == 5
    assert layer["loads_held"] == pytest.approx(90 / (96 + 32), abs=1e-3)
    assert layer["days_of_fire"] == pytest.approx(90 / 6, abs=0.01)
