"""`stockpile compare`: paired statistics against references, and the command end to end."""

from __future__ import annotations

import copy
import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import scipy.stats
import yaml
from click.testing import CliRunner, Result

from stockpile.analysis.report.narrative import verify
from stockpile.cli import main
from stockpile.experiment.compare import (
    COLUMNS,
    COUNTRY_COLUMNS,
    SOURCES,
    median_interval,
    median_month,
    paired_difference,
    paired_mean_difference,
    paired_month_difference,
    parse_modes,
)
from stockpile.scenario.load import deep_merge
from tests.test_model import FLAT

#: two members whose line capacity is uncertain, so that some runs miss the goal
PAIR: dict[str, Any] = deep_merge(copy.deepcopy(FLAT), {
    "name": "pair",
    "goal": {"metric": "interceptors", "multiplier": 2, "deadlines": [2026, 2027]},
    "countries": {"BBB": {"gdp_usd_bn": 50}},
    "inventories": {"AAA": {"sam": {"loads_per_fire_unit": 0.5}},
                    "BBB": {"sam": {"fire_units": 5, "loads_per_fire_unit": 0.5}}},
    "lines": {"int_line": {"capacity_per_month": {"dist": "uniform", "loc": 2, "scale": 8},
                           "ceiling_per_month": 10}},
    "joint": {"lead": "AAA", "members": ["AAA", "BBB"], "systems": ["sam"],
              "pooling_interval_months": 12, "coordination_delay_months": 0,
              "contracting_delay_months": 1, "framework_years": 0},
})
COMPARE_COLUMNS = [
    "deadline", "runs", "p_met_national", "p_met_joint", "diff", "ci_low", "ci_high",
    "median_first_met_national", "median_first_met_joint", "median_first_met_diff_months",
    "first_met_diff_months", "first_met_diff_low", "first_met_diff_high", "first_met_pairs",
    "never_met_national", "never_met_joint", "mean_ratio_national", "mean_ratio_joint",
    "ratio_diff", "ratio_ci_low", "ratio_ci_high", *[f"{name}_diff" for name in SOURCES],
]


def invoke(*args: Any) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def _pairs(both: int, only_second: int, only_first: int, neither: int):
    first = [True] * both + [False] * only_second + [True] * only_first + [False] * neither
    second = [True] * both + [True] * only_second + [False] * only_first + [False] * neither
    return first, second


def test_paired_difference_matches_the_published_newcombe_interval() -> None:
    """Cavo et al. (2012) in Fagerland, Lydersen & Laake (2017), ch. 8: complete response
    before (rows) and after (columns) consolidation, 59/6/16/80; R contingencytables'
    Newcombe_square_and_add_CI_paired_2x2 gives −0.0621 (−0.1186 to −0.0046)."""
    # rows are Newcombe's first proportion: our ``second`` argument
    first, second = _pairs(both=59, only_second=6, only_first=16, neither=80)
    diff, low, high = paired_difference(first, second)
    assert diff == pytest.approx(-10 / 161)
    assert low == pytest.approx(-0.1186, abs=5e-5)
    assert high == pytest.approx(-0.0046, abs=5e-5)
    # swapping the modes mirrors the interval
    diff2, low2, high2 = paired_difference(second, first)
    assert (diff2, low2, high2) == pytest.approx((-diff, -high, -low))


def test_paired_difference_when_the_modes_agree_on_every_run() -> None:
    for met in ([True] * 20, [False] * 20, [True] * 7 + [False] * 13):
        diff, low, high = paired_difference(met, met)
        assert diff == 0 and -1 <= low < 0 < high <= 1
    diff, low, high = paired_difference([False] * 10, [True] * 10)
    assert diff == 1 and high == 1 and 0 < low < 1


def test_paired_mean_difference_is_the_paired_t_interval() -> None:
    rng = np.random.default_rng(3)
    a = rng.normal(2, 1, 25)
    b = a + rng.normal(0.3, 0.2, 25)
    diff, low, high = paired_mean_difference(a, b)
    t = scipy.stats.t.ppf(0.975, 24) * np.std(b - a, ddof=1) / 5
    assert diff == pytest.approx(np.mean(b - a))
    assert (low, high) == pytest.approx((diff - t, diff + t))
    assert paired_mean_difference([1.0, 2.0], [1.5, 2.5]) == pytest.approx((0.5, 0.5, 0.5))
    assert math.isnan(paired_mean_difference([1.0], [2.0])[1])


def test_median_first_met_counts_never_as_later_than_any_month() -> None:
    assert median_month(["2030-01", "2031-05", ""]) == 2031 * 12 + 4
    assert median_month(["2030-01", "", "", "2029-06"]) == 2030 * 12
    assert math.isinf(median_month(["2030-01", "", ""]))


def test_median_interval_is_conovers_order_statistic_interval() -> None:
    """n = 10: ranks 2 and 9 (coverage 1 − 2 × P(Bin(10, ½) ≤ 1) = 0.979); n = 6: ranks 1
    and 6 (0.969); n = 5 is too small at 95% (2 × ½⁵ = 0.0625 left out)."""
    assert median_interval(list(range(10, 0, -1))) == (2, 9)
    assert median_interval([5, 1, 4, 2, 6, 3]) == (1, 6)
    assert all(map(math.isnan, median_interval([1, 2, 3, 4, 5])))
    rng = np.random.default_rng(7)
    covered = sum(low <= 0 <= high for low, high in
                  (median_interval(rng.standard_cauchy(25)) for _ in range(2000)))
    assert covered / 2000 >= 0.95


def test_paired_month_difference_keeps_runs_that_only_one_side_met() -> None:
    """Pairs (first, second): 2030-01/2030-04 (+3), 2030-06/2030-06 (0), never/2031-01
    (−inf: only the second met), 2029-01/never (+inf), never/never (left out): sorted
    −inf, 0, 3, +inf; the lower median of four is 0."""
    found = paired_month_difference(["2030-01", "2030-06", "", "2029-01", ""],
                                    ["2030-04", "2030-06", "2031-01", "", ""])
    assert found["first_met_pairs"] == 4 and found["first_met_diff_months"] == 0
    assert math.isnan(found["first_met_diff_low"])  # four pairs: no 95% interval
    one_sided = paired_month_difference(["2030-01"] * 3, [""] * 3)
    assert math.isnan(one_sided["first_met_diff_months"])  # beyond the horizon


def test_parse_modes() -> None:
    assert parse_modes("national,joint") == ("national", "joint")
    assert parse_modes(" joint , national ") == ("joint", "national")
    for bad in ("national", "national,national", "national,pooled", "a,b,c"):
        with pytest.raises(ValueError):
            parse_modes(bad)


def test_compare_writes_paired_runs_and_differences(pair: Path) -> None:
    result = invoke("compare", pair.name, "--modes", "national,joint", "--runs", 6, "--seed", 4,
                    "--out", "cmp", "--quiet")
    assert result.exit_code == 0, result.output
    assert "joint − national" in result.stdout
    assert all(f"    {year}" in result.stdout for year in (2026, 2027))
    table = pd.read_csv("cmp/compare.csv")
    assert table.columns.tolist() == COMPARE_COLUMNS
    documented = [c.replace("<side>", m) for c in COLUMNS
                  for m in (("national", "joint") if "<side>" in c else ("",))]
    assert documented == COMPARE_COLUMNS
    assert table.deadline.tolist() == [2026, 2027] and set(table.runs) == {6}
    runs = pd.read_csv("cmp/runs.csv", keep_default_na=False)
    assert runs.columns[0] == "scenario" and set(runs["scenario"]) == {"national", "joint"}
    by_mode = {m: g.set_index(["run", "deadline"]).sort_index()
               for m, g in runs.groupby("scenario")}
    # common random numbers: the same seed and the same sampled inputs in both modes
    national, joint = by_mode["national"], by_mode["joint"]
    assert (national.seed == joint.seed).all()
    sampled = "lines.int_line.capacity_per_month"
    assert (national[sampled] == joint[sampled]).all() and national[sampled].nunique() == 6
    # the table is computed from those runs
    row = table.set_index("deadline").loc[2027]
    p = {m: g.xs(2027, level="deadline").met.eq(1).mean()
         for m, g in by_mode.items()}
    assert row.p_met_national == pytest.approx(p["national"])
    assert row["diff"] == pytest.approx(p["joint"] - p["national"])
    assert row.ci_low <= row["diff"] <= row.ci_high
    manifest = json.loads(Path("cmp/manifest.json").read_text())
    assert manifest["kind"] == "compare" and manifest["sides"] == ["national", "joint"]
    assert manifest["by"] == "modes"
    assert manifest["seed"] == 4 and manifest["runs"] == 6


def test_compare_deterministic_runs_once_per_mode(pair: Path) -> None:
    result = invoke("compare", pair.name, "--deterministic", "--quiet")
    assert result.exit_code == 0, result.output
    table = pd.read_csv("results/pair-compare/compare.csv")
    assert set(table.runs) == {1} and table.ci_low.isna().all()
    assert "deterministic" in result.stdout


def test_compare_refuses_an_existing_folder_and_bad_input(pair: Path) -> None:
    assert invoke("compare", pair.name, "--runs", 1, "--quiet").exit_code == 0
    again = invoke("compare", pair.name, "--runs", 1, "--quiet")
    assert again.exit_code == 2 and "--force" in again.stderr
    assert invoke("compare", pair.name, "--runs", 1, "--quiet", "--force").exit_code == 0
    bad = invoke("compare", pair.name, "--modes", "national,pooled")
    assert bad.exit_code == 2 and "unknown mode 'pooled'" in bad.stderr
    bad = invoke("compare", pair.name, "--set", "joint.discount.max_share=2")
    assert bad.exit_code == 2 and "joint.discount.max_share" in bad.stderr


def test_a_scenario_compared_with_itself_differs_by_exactly_nothing(pair: Path) -> None:
    """Both sides the same file: every run is the same world twice, so every paired
    difference is 0, with no spread; only the labels (a, b) tell the sides apart."""
    result = invoke("compare", pair.name, pair.name, "--runs", 8, "--seed", 3, "--out", "same",
                    "--quiet")
    assert result.exit_code == 0, result.output
    table = pd.read_csv("same/compare.csv")
    diffs = ["diff", "ratio_diff", "ratio_ci_low", "ratio_ci_high", "first_met_diff_months",
             "first_met_diff_low", "first_met_diff_high", "median_first_met_diff_months",
             *[f"{name}_diff" for name in SOURCES]]
    assert (table[diffs].fillna(0) == 0).all().all(), table[diffs]
    assert (table.p_met_a == table.p_met_b).all()
    runs = pd.read_csv("same/runs.csv", keep_default_na=False)
    a, b = (runs[runs.scenario == s].drop(columns="scenario").reset_index(drop=True)
            for s in ("a", "b"))
    pd.testing.assert_frame_equal(a, b)
    assert json.loads(Path("same/manifest.json").read_text())["by"] == "scenarios"
    countries = pd.read_csv("same/compare_countries.csv")
    assert set(countries.country) == {"AAA", "BBB"} and (countries.runs == 8).all()
    assert (countries[["own_diff", "capability_diff", "capability_ci_low",
                       "capability_ci_high"]] == 0).all().all()
    assert (countries.p_own_a == countries.p_own_b).all()


def test_compare_with_overrides_on_the_second_side(pair: Path) -> None:
    """--set-b doubles the GBAD share of the second side only: AAA's 100 and BBB's 50 EUR m a
    year become 200 and 100, so by the end of 2026 the members have 300 EUR m more credited
    (2 years × 150) and by 2027 450 more; the sampled line capacity is the same on both."""
    result = invoke("compare", pair.name, "--set-b", "country_defaults.gbad_share=0.2",
                    "--runs", 4, "--out", "more", "--quiet")
    assert result.exit_code == 0, result.output
    assert "b − a" in result.stdout and "where it comes from" in result.stdout
    table = pd.read_csv("more/compare.csv").set_index("deadline")
    assert table.loc[2026, "credited_eur_m_diff"] == pytest.approx(300)
    assert table.loc[2027, "credited_eur_m_diff"] == pytest.approx(450)
    assert (table.ratio_diff >= 0).all() and (table["diff"] >= 0).all()
    countries = pd.read_csv("more/compare_countries.csv").set_index(["deadline", "country"])
    documented = [c.replace("<side>", m) for c in COUNTRY_COLUMNS
                  for m in (("a", "b") if "<side>" in c else ("",))]
    assert countries.reset_index().columns.tolist() == documented
    # the members' capabilities add up to the goal metric's paired difference (interceptors
    # here: the value column of runs.csv)
    runs = pd.read_csv("more/runs.csv")
    value = runs.pivot_table(index=["run", "deadline"], columns="scenario", values="value")
    total = (value["b"] - value["a"]).groupby("deadline").mean()
    assert countries["capability_diff"].groupby("deadline").sum().to_numpy() == \
        pytest.approx(total.to_numpy())
    assert "by country at 2027" in result.stdout
    sampled = "lines.int_line.capacity_per_month"
    assert (runs[runs.scenario == "a"][sampled].to_numpy()
            == runs[runs.scenario == "b"][sampled].to_numpy()).all()


def test_two_config_files_are_labelled_by_their_names(pair: Path) -> None:
    other = pair.with_name("faster.yaml")
    other.write_text(yaml.safe_dump(deep_merge(copy.deepcopy(PAIR), {
        "name": "faster", "lines": {"int_line": {"ceiling_per_month": 20}}})), encoding="utf-8")
    result = invoke("compare", pair.name, other.name, "--deterministic", "--out", "two",
                    "--quiet")
    assert result.exit_code == 0, result.output
    table = pd.read_csv("two/compare.csv")
    assert {"p_met_pair", "p_met_faster"} <= set(table.columns)
    assert "faster − pair" in result.stdout
    reported = invoke("report", "two")
    assert reported.exit_code == 0, reported.output
    page = Path("two/report/report.md").read_text(encoding="utf-8")
    assert page.startswith("# Faster against pair")
    assert "Two scenarios, pair and faster, on common random numbers" in page
    assert "## Country by country" in page and "| country | capability pair |" in page


def test_compare_refuses_modes_with_a_second_scenario(pair: Path) -> None:
    bad = invoke("compare", pair.name, pair.name, "--modes", "national,joint")
    assert bad.exit_code == 2
    assert bad.stderr.strip().splitlines()[-1].endswith(
        "compare either two modes of CONFIG or two scenarios (CONFIG_B or --set-b), not both")
    bad = invoke("compare", pair.name, "--set-b", "joint.discount.max_share=2")
    assert bad.exit_code == 2 and "joint.discount.max_share" in bad.stderr
    assert not Path("results").exists() or not any(Path("results").iterdir())


def test_compare_as_a_real_process(pair: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "stockpile", "compare", pair.name, "--runs", "2", "--out", "sub"],
        capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "P(goal met)" in done.stdout and "results: sub" in done.stdout
    assert Path("sub/compare.csv").exists() and Path("sub/runs.csv").exists()


def test_report_of_a_compare_folder_compares_the_modes(pair: Path) -> None:
    """Not pooled: both modes per deadline, the paired difference and where it comes from."""
    assert invoke("compare", pair.name, "--runs", 8, "--seed", 4, "--out", "cmp",
                  "--quiet").exit_code == 0
    reported = invoke("report", "cmp")
    assert reported.exit_code == 0, reported.output
    page = Path("cmp/report/report.md").read_text(encoding="utf-8")
    table = pd.read_csv("cmp/compare.csv").set_index("deadline")
    last = table.iloc[-1]
    assert page.startswith(f"# Joint against national: by the end of {table.index[-1]} the "
                           f"goal is met in {last.p_met_joint:.0%} against "
                           f"{last.p_met_national:.0%} of 8 paired runs")
    assert "--timeseries none" not in page and "of 16 runs" not in page
    for heading in ("## What the numbers say", "## Both sides side by side",
                    "## Where the difference comes from"):
        assert heading in page
    assert "| deadline | P(met) national | P(met) joint | difference | 95% low |" in page
    for deadline, row in table.iterrows():
        assert f"By the end of {deadline} the goal is met in {row.p_met_national:.0%} of runs " \
               f"under national and {row.p_met_joint:.0%} under joint" in page
    pairs = pd.read_csv("cmp/report/tables/pairs.csv")
    assert (pairs[["both_met", "only_national", "only_joint", "neither"]].sum(axis=1)
            == 8).all()
    assert "only under joint" in page
    assert verify(Path("cmp")) == []
    assert Path("cmp/report/appendix.md").is_file()
    assert "Joint against national" in reported.output  # the headline on the terminal
