"""burden.csv: who carries the load relative to GDP, checked by hand and against the goal.

The toy world extends test_model.FLAT with a second country: AAA (GDP 100 EUR bn, defence
2%) holds 10 fire units with half a load each, BBB (GDP 300, defence 4%) 5 fire units with a
full load. AAA's 100 EUR m buy the 50 missing interceptors (price 1), signed in month 2 and
made 8 a month with a 3-month lead; BBB has nothing to buy (fire units cost 1e9).
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import stockpile
from stockpile.analysis.burden import SUMMARY_COLUMNS, inverted_cdf, summarise_burden
from stockpile.analysis.report import make_report
from stockpile.analysis.report.columns import SUMMARY_COLUMNS as DOCUMENTED
from stockpile.analysis.report.columns import describe_column
from stockpile.analysis.report.narrative import verify
from stockpile.analysis.results import read_table
from stockpile.api import simulate
from stockpile.experiment.seeds import run_seed
from stockpile.experiment.single import run_once
from stockpile.model.recording.burden import first_months
from stockpile.model.records import COLUMNS, BurdenRow
from stockpile.scenario import load_scenario
from stockpile.scenario.load import deep_merge
from stockpile.scenario.resolve import goal_members
from stockpile.scenario.schema import Scenario
from tests.conftest import write_yaml
from tests.sweeps import quick
from tests.test_model import FLAT

CONFIGS = Path(__file__).resolve().parents[1] / "configs"
TWO: dict = deep_merge(copy.deepcopy(FLAT), {
    "time": {"end": "2026-12"},
    "goal": {"deadlines": [2025, 2026]},
    "countries": {"BBB": {"gdp_usd_bn": 300, "defence_share_start": 0.04,
                          "defence_share_target": 0.04}},
    "inventories": {"AAA": {"sam": {"fire_units": 10, "loads_per_fire_unit": 0.5}},
                    "BBB": {"sam": {"fire_units": 5, "loads_per_fire_unit": 1}}},
})


def toy() -> Scenario:
    return Scenario.model_validate(copy.deepcopy(TWO))


def rows(burden: pd.DataFrame, deadline: int) -> pd.DataFrame:
    return burden[burden["deadline"] == deadline].set_index("country")


def test_two_countries_by_hand() -> None:
    """Ready fire units: AAA 10 (from 5), BBB 5 (from 5): capability shares 2/3 and 1/3;
    GDP shares 100/400 and 300/400; defence 2,000 and 12,000 EUR m, shares 1/7 and 6/7."""
    burden = simulate(toy(), deterministic=True).burden
    assert list(burden.columns) == list(BurdenRow._fields)
    for deadline, credited in ((2025, 1), (2026, 2)):
        at = rows(burden, deadline)
        assert list(at.index) == ["AAA", "BBB"]
        assert at["capability"].tolist() == [10.0, 5.0]
        assert at["own_baseline"].tolist() == [5.0, 5.0]
        assert at["own_ratio"].tolist() == [2.0, 1.0]
        assert at["capability_share"].tolist() == pytest.approx([2 / 3, 1 / 3], abs=1e-15)
        assert at["gdp_eur_bn"].tolist() == [100.0, 300.0]
        assert at["gdp_share"].tolist() == [0.25, 0.75]
        assert at["defence_spending_eur_m"].tolist() == pytest.approx([2000.0, 12000.0])
        assert at["defence_spending_share"].tolist() == pytest.approx([1 / 7, 6 / 7])
        assert at["burden_gdp"].tolist() == pytest.approx([(2 / 3) / (1 / 4), (1 / 3) / (3 / 4)])
        assert at["burden_defence"].tolist() == pytest.approx([(2 / 3) / (1 / 7),
                                                               (1 / 3) / (6 / 7)])
        # 100 and 600 EUR m a year; AAA paid 50 (20% down, the rest as delivered, all by
        # month 11); nothing lapses (carry_over 1), so the rest is idle
        assert at["gbad_credited_eur_m"].tolist() == pytest.approx([100.0 * credited,
                                                                    600.0 * credited])
        assert at["gbad_paid_eur_m"].tolist() == pytest.approx([50.0, 0.0])
        assert at["gbad_idle_eur_m"].tolist() == pytest.approx([100.0 * credited - 50.0,
                                                                600.0 * credited])


def test_first_month_of_the_own_multiple_by_hand() -> None:
    """AAA needs 2 × 5 ready fire units = 100 interceptors, 50 more: by the close of month t
    8·(t − 2 − 3 + 1) have arrived, 48 at t = 10 and 50 at t = 11 (2025-12). BBB stays at
    its baseline: never."""
    out = simulate(toy(), deterministic=True)
    at = rows(out.burden, 2026)
    assert at.loc["AAA", "own_first_met_date"] == "2025-12"
    assert at.loc["BBB", "own_first_met_date"] == ""
    ready = out.timeseries.set_index(["country", "date"])["ready_fire_units"]
    assert ready["AAA", "2025-11"] == 9 and ready["AAA", "2025-12"] == 10


def test_first_months_needs_a_baseline() -> None:
    values = np.array([[1.0, 0.0, 2.0], [2.0, 0.0, 2.0], [3.0, 1.0, 2.0]])
    assert first_months(values, np.array([1.0, 0.0, 2.0]), 2.0).tolist() == [1, -1, -1]


def test_a_country_without_a_baseline_has_no_own_multiple() -> None:
    data = deep_merge(copy.deepcopy(TWO), {"countries": {"CCC": {"gdp_usd_bn": 100}}})
    at = rows(simulate(Scenario.model_validate(data), deterministic=True).burden, 2026)
    assert at.loc["CCC", "own_baseline"] == 0.0 and np.isnan(at.loc["CCC", "own_ratio"])
    assert at.loc["CCC", "own_first_met_date"] == ""
    assert at.loc["CCC", "burden_gdp"] == 0.0
    assert at["gdp_share"].tolist() == [0.2, 0.6, 0.2]


def test_shares_add_up_over_the_members_in_the_baseline() -> None:
    """Every goal member has a row at every deadline; shares add up to 1 to float precision;
    the members' capabilities and money add up to runs.csv's."""
    scenario = load_scenario(CONFIGS / "baseline.yaml")
    out = simulate(scenario, deterministic=True)
    burden, goal = out.burden, out.goal.set_index("deadline")
    members = sorted(goal_members(scenario))
    for deadline, at in burden.groupby("deadline"):
        assert sorted(at["country"]) == members
        for share in ("capability_share", "gdp_share", "defence_spending_share"):
            assert abs(at[share].sum() - 1.0) < 1e-12, (deadline, share)
        row = goal.loc[deadline]
        assert at["capability"].sum() == pytest.approx(row["value"], rel=1e-12)
        assert at["gbad_idle_eur_m"].sum() == pytest.approx(row["idle_eur_m"], rel=1e-12)
        assert at["gbad_credited_eur_m"].sum() == pytest.approx(row["credited_eur_m"],
                                                                rel=1e-12)
    assert sorted(burden["deadline"].unique()) == sorted(scenario.goal.deadlines)


def test_sweep_medians_equal_the_single_run_when_runs_agree(tmp_path: Path) -> None:
    """The toy has no distribution and no random event: every run is the deterministic one,
    so each median and both ends of the interval are its values exactly."""
    config = write_yaml(tmp_path / "two.yaml", copy.deepcopy(TWO))
    run_once(load_scenario(config), tmp_path / "run", deterministic=True)
    stockpile.sweep(config, runs=3, jobs=1, out=tmp_path / "sweep", timeseries="none",
                    progress=False)
    single = read_table(tmp_path / "run" / "burden.csv")
    swept = read_table(tmp_path / "sweep" / "burden.csv")
    assert list(swept.columns) == ["point", *SUMMARY_COLUMNS]
    assert (swept["runs"] == 3).all()
    assert swept[["deadline", "country"]].values.tolist() == \
        single[["deadline", "country"]].values.tolist()
    for column in SUMMARY_COLUMNS[3:-4]:
        measure = column.rsplit("_p", 1)[0]
        assert swept[column].equals(single[measure]), column
    for p in (5, 50, 95):
        assert swept[f"own_first_met_p{p}_date"].tolist() == \
            single["own_first_met_date"].tolist()
    assert swept["own_never_met_share"].tolist() == [0.0, 1.0, 0.0, 1.0]
    make_report(tmp_path / "sweep")  # medians of runs that agree read as the run's values
    assert verify(tmp_path / "sweep") == []
    markdown = (tmp_path / "sweep" / "report" / "report.md").read_text(encoding="utf-8")
    assert "(the last deadline; medians over 3 runs)" in markdown
    assert "| AAA | 2.7× | 25% | 67% | 2.0× | 2025-12 | 150 |" in markdown


def test_sweep_keeps_every_runs_rows_and_their_own_first_months(tmp_path: Path) -> None:
    """burden_runs.csv holds each run's rows as the run alone gives them (first-met months
    included, for compare and goal-seek); burden.csv's quantiles are numpy's over them."""
    config = quick(tmp_path)
    stockpile.sweep(config, runs=4, seed=11, jobs=1, out=tmp_path / "out",
                    timeseries="none", progress=False)
    runs = read_table(tmp_path / "out" / "burden_runs.csv")
    scenario = load_scenario(config)
    for run in range(4):
        alone = simulate(scenario, seed=run_seed(11, run)).burden
        mine = runs[runs["run"] == run].drop(columns=["point", "run"]).reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, alone.astype(mine.dtypes.to_dict()),
                                      check_exact=True)
    summary = read_table(tmp_path / "out" / "burden.csv")
    pd.testing.assert_frame_equal(summary, summarise_burden(runs), check_dtype=False,
                                  check_exact=True)
    values = runs[runs["deadline"] == 2027]["capability"]
    assert summary.loc[summary["deadline"] == 2027, "capability_p50"].item() == \
        np.quantile(values, 0.5)


def test_every_burden_column_is_documented() -> None:
    """The run's columns in records.COLUMNS (beside the other tables'); the sweep's
    percentiles are read from them."""
    assert [c for c in BurdenRow._fields if c not in COLUMNS] == []
    for column in SUMMARY_COLUMNS:
        meaning = describe_column(column)
        assert not meaning.startswith("see the CSV"), column
        assert column in COLUMNS or column in DOCUMENTED or "percentile over runs" in meaning


def test_report_ranks_the_carriers(tmp_path: Path) -> None:
    """'Who carries the load': AAA (2/3 of the capability on 1/4 of the GDP, 2.7×) above
    BBB (1/3 on 3/4, 0.44×), at the last deadline, every figure in facts.csv."""
    folder = tmp_path / "run"
    run_once(toy(), folder, deterministic=True)
    make_report(folder)
    assert verify(folder) == []
    markdown = (folder / "report" / "report.md").read_text(encoding="utf-8")
    section = markdown.split("## Who carries the load")[1].split("\n## ")[0]
    assert ("Relative to GDP at the end of 2026 (the last deadline), the heaviest carrier: "
            "AAA, 67% of the members' capability on 25% of their GDP (2.7× its GDP share); "
            "the lightest of those holding any: BBB, 33% of the capability on 75% of the GDP "
            "(0.44× its GDP share).") in section
    assert "| AAA | 2.7× | 25% | 67% | 2.0× | 2025-12 | 150 |" in section
    assert "| BBB | 0.44× | 75% | 33% | 1.0× | never | 1,200 |" in section
    ranked = read_table(folder / "report" / "tables" / "burden_ranked.csv")
    assert ranked["country"].tolist() == ["AAA", "BBB"]
    readme = pd.read_excel(folder / "report" / "results.xlsx", sheet_name="README")
    sheets = set(readme["sheet"])
    assert {"burden", "burden_ranked"} <= sheets
    assert not readme["meaning"].str.startswith("see the CSV").any()
    make_report(folder, force=True, deadline=2025)
    markdown = (folder / "report" / "report.md").read_text(encoding="utf-8")
    assert "at the end of 2025 (the deadline asked for with --deadline)" in markdown


@given(st.lists(st.integers(-50, 50), min_size=1, max_size=40),
       st.sampled_from([0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 1.0]))
def test_the_quantile_rank_is_numpys_inverted_cdf(values: list[int], q: float) -> None:
    """The rank the sweep's first-met months take is the one numpy's inverted_cdf picks."""
    ordered = np.sort(np.array(values, dtype=float))
    rank = int(inverted_cdf(np.array([len(values)]), q)[0])
    assert ordered[rank] == np.quantile(ordered, q, method="inverted_cdf")
