"""The uncertainty table: the distributions it sets, the page that documents them, and the
one-line errors for bad rows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import stockpile
from stockpile.scenario.distributions import Dist
from stockpile.scenario.uncertainty_page import render
from tests.conftest import TINY, invoke, write_yaml

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "configs" / "baseline.yaml"
DOCS = ROOT / "docs" / "uncertainty.md"
HEADER = "input,dist,low,mode,high,relative,basis,source,confidence\n"


def _value(scenario, key: str):
    node = scenario
    for part in key.split("."):
        node = node[part] if isinstance(node, dict) else getattr(node, part)
    return node


def test_the_committed_page_is_current() -> None:
    assert DOCS.read_text(encoding="utf-8") == render("configs/baseline.yaml"), (
        "docs/uncertainty.md is out of date: run `python -m stockpile.scenario.uncertainty_page "
        "configs/baseline.yaml > docs/uncertainty.md`")


def test_every_documented_range_is_the_loaded_distributions_support() -> None:
    """Read the page, not the code: each row's input is a distribution in the loaded
    baseline whose support is the row's low..high (randint: both ends drawn)."""
    scenario = stockpile.load_scenario(BASELINE)
    rows = re.findall(r"^\| `([^`]+)` \| (\w+) \| ([^|]+) \| ([^|]*) \| ([^|]+) \|",
                      DOCS.read_text(encoding="utf-8"), flags=re.M)
    assert len(rows) >= 100
    for key, dist, low, _mode, high in rows:
        value = _value(scenario, key)
        assert isinstance(value, Dist) and value.dist == dist, key
        lo, hi = value.support()  # randint: scipy's support is the whole numbers drawn
        assert (lo, hi) == pytest.approx((float(low), float(high)), rel=1e-5), key


def test_every_row_of_the_shipped_table_reaches_an_input() -> None:
    """A relative row skips inputs the data leave blank, so a misspelt key would pass
    unseen: in the baseline, every row of its table must reach at least one input."""
    scenario = stockpile.load_scenario(BASELINE)
    reached = {item.row.row for item in scenario._uncertainty}
    rows = len((ROOT / "configs" / "data" / "uncertainty.csv").read_text(
        encoding="utf-8").strip().splitlines()) - 1
    assert reached == set(range(2, rows + 2))


def test_a_symmetric_relative_range_keeps_the_datas_value_as_the_deterministic_one(
        tmp_path: Path) -> None:
    """A deterministic run takes each distribution's median: for a relative row with its
    mode in the middle that is the data's own value, so the table moves sweeps, not the
    deterministic baseline."""
    without = write_yaml(tmp_path / "b.yaml", {"extend": str(BASELINE), "uncertainty": None})
    plain = stockpile.load_scenario(without)
    assert not plain._uncertainty
    checked = 0
    for item in stockpile.load_scenario(BASELINE)._uncertainty:
        row = item.row
        if row.relative and row.mode is not None and row.mode - row.low == row.high - row.mode:
            dist = Dist.model_validate(item.spec)
            assert dist.median() == pytest.approx(float(_value(plain, item.key))), item.key
            checked += 1
    assert checked >= 50


def test_set_fixes_an_input_and_a_scenario_distribution_is_kept(tmp_path: Path) -> None:
    fixed = stockpile.load_scenario(BASELINE,
                                    overrides=["procurement.contracting_delay_months=8"])
    assert fixed.procurement.contracting_delay_months == 8
    own = write_yaml(tmp_path / "own.yaml", {
        "extend": str(BASELINE),
        "economy": {"defence_inflation": {"dist": "uniform", "loc": 0.0, "scale": 0.1}}})
    kept = stockpile.load_scenario(own).economy.defence_inflation
    assert isinstance(kept, Dist) and kept.support() == (0.0, 0.1)


def test_relative_rows_scale_the_datas_value_and_stars_match_every_entry(
        tmp_path: Path) -> None:
    (tmp_path / "u.csv").write_text(
        HEADER + "lines.*.capacity_per_month,triang,0.5,0.75,1,true,rule,src,assumption\n"
        "country_defaults.carry_over,uniform,0.4,,0.6,,range,src,assumption\n",
        encoding="utf-8")
    config = write_yaml(tmp_path / "s.yaml", {**TINY, "uncertainty": "u.csv"})
    scenario = stockpile.load_scenario(config)
    for name, line in scenario.lines.items():
        base = float(stockpile.load_scenario(config, overrides=[
            f"lines.{name}.capacity_per_month=1"]).lines[name].capacity_per_month)
        assert base == 1  # --set wins over the table
        assert isinstance(line.capacity_per_month, Dist)
        lo, hi = line.capacity_per_month.support()
        data = TINY["lines"][name]["capacity_per_month"]
        assert (lo, hi) == pytest.approx((0.5 * data, data))  # the ceiling bounds the top
    assert scenario.country_defaults.carry_over.support() == pytest.approx((0.4, 0.6))
    assert len(scenario._uncertainty) == len(scenario.lines) + 1


def test_whole_unit_rows_round_half_to_even_and_never_add_a_holding(tmp_path: Path) -> None:
    """The fire-unit rows scale whatever the data hold: today's counts in the baseline,
    2022's in the replay (Britain's 2 CAMM units: 1-3; Norway's 4 NASAMS: 2-6; Finland's
    3: 1.5 and 4.5 round to 2 and 4, so 3 stays the middle), and add nothing the 2022 data
    lack (Poland had no CAMM then)."""
    def support(scenario, key: str) -> tuple[float, float]:
        dist = _value(scenario, key)
        assert isinstance(dist, Dist), key
        return dist.support()
    baseline = stockpile.load_scenario(BASELINE)
    assert support(baseline, "inventories.FIN.nasams.fire_units") == (2, 4)
    assert support(baseline, "inventories.NOR.nasams.fire_units") == (2, 6)
    assert support(baseline, "inventories.BGR.s300.fire_units") == (0, 2)
    plain = stockpile.load_scenario(write_yaml(
        tmp_path / "b.yaml", {"extend": str(BASELINE), "uncertainty": None}))
    counts = [item for item in baseline._uncertainty if item.key.endswith(".fire_units")]
    assert len(counts) == 9
    for item in counts:  # symmetric: the data's count is the median and the run's value
        data = float(_value(plain, item.key))
        assert item.low + item.high == 2 * data, item.key
        assert Dist.model_validate(item.spec).median() == data, item.key
    replay = stockpile.load_scenario(ROOT / "configs" / "replay_2022.yaml")
    assert support(replay, "inventories.GBR.camm.fire_units") == (1, 3)
    assert "camm" not in replay.inventories.get("POL", {})


@pytest.mark.parametrize(("row", "message"), [
    ("lines.nosuch*.capacity_per_month,triang,0.5,1,1.5,,r,s,a",
     "row 2: input 'lines.nosuch*.capacity_per_month' names nothing in the scenario"),
    ("economy.defence_inflation,normal,0,,1,,r,s,a",
     "row 2: dist 'normal' is not allowed (triang, uniform, randint)"),
    ("economy.defence_inflation,uniform,0.5,,0.1,,r,s,a", "row 2: low 0.5 above high 0.1"),
    ("economy.defence_inflation,triang,0,2,1,,r,s,a", "row 2: mode 2 outside low..high"),
    ("economy.defence_inflation,uniform,0,,x,,r,s,a", "row 2: high 'x' is not a number"),
    ("economy.defence_inflation,uniform,0,,0.1,,,s,a", "row 2: every row needs its basis"),
    ("name,uniform,0.5,,1.5,true,r,s,a",
     "row 2: name: a relative range needs a number, not 'tiny'"),
    ("economy.defence_inflation,uniform,0,,5,,r,s,a",
     "economy.defence_inflation: distribution 'uniform' reaches outside"),
])
def test_a_bad_row_is_one_line_naming_the_file_and_row(tmp_path: Path, row: str,
                                                       message: str) -> None:
    (tmp_path / "u.csv").write_text(HEADER + row + "\n", encoding="utf-8")
    config = write_yaml(tmp_path / "s.yaml", {**TINY, "uncertainty": "u.csv"})
    result = invoke("validate", config)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "u.csv" in lines[0] and message in lines[0], result.output
