"""Validation that matches the model's limits: bounds, dates, depth, CSV text, duplicates.

Every input here was once accepted by ``validate`` and then crashed ``run`` (or was a good
input that ``validate`` refused). Each must now give exit 2 and one line
``FILE: key.path: what is wrong (what is allowed)``, or load as it should.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from stockpile.scenario import load_scenario
from stockpile.scenario.yaml_input import MAX_DEPTH
from tests.conftest import invoke

LINE = re.compile(r"^[^:]+: [\w.]+: .+ \(.+\)$")  # FILE: key.path: what is wrong (allowed)


pytestmark = pytest.mark.usefixtures("in_tmp")


def rejected(path: Path, key: str, *needles: str) -> str:
    """validate exits 2 with one well-formed line for ``key`` naming every needle."""
    result = invoke("validate", path)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if f": {key}: " in line]
    assert len(lines) == 1, result.stderr
    assert LINE.match(lines[0]), lines[0]
    assert all(n in lines[0] for n in needles), lines[0]
    return lines[0]


def put(data: dict[str, Any], dotted: str, value: Any) -> dict[str, Any]:
    *parents, last = dotted.split(".")
    node = data
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
    node[last] = value
    return data


@pytest.mark.parametrize(("key", "value", "allowed"), [
    ("countries.AAA.gdp_usd_bn", 1e308, "zero to 1e6"),
    ("goal.multiplier", 1e308, "at most 1000"),
    ("systems.sam.combat_load", 10**21, "1 to 10,000"),
    ("consumption.conflict.interceptors_per_fu_per_day", 1e300, "zero to 1000"),
    ("lines.fu_line.capacity_per_month", 10**400, "a number"),  # beyond any float
    ("countries.AAA.gdp_usd_bn", ".inf", "finite"),
    ("procurement.contracting_delay_months", 1e12, "zero to 1200 months"),
    ("inventories.AAA.sam.fire_units", 10**19, "zero to 1 million"),
], ids=lambda v: str(v)[:40])
def test_huge_numbers_are_refused_with_their_bound(
        tiny_data: dict, make_scenario: Callable[..., Path], key: str, value: Any,
        allowed: str) -> None:
    put(tiny_data, key, "PLACEHOLDER" if value == ".inf" else value)
    text = yaml.safe_dump(tiny_data).replace("PLACEHOLDER", ".inf")
    path = make_scenario(text)
    rejected(path, key, allowed)


def test_a_distribution_must_stay_below_the_bound(
        tiny_data: dict, make_scenario: Callable[..., Path]) -> None:
    put(tiny_data, "consumption.conflict.interceptors_per_fu_per_day",
        {"dist": "uniform", "loc": 0, "scale": 1e300})
    rejected(make_scenario(tiny_data), "consumption.conflict.interceptors_per_fu_per_day",
             "reaches outside", "zero to 1000")
    put(tiny_data, "consumption.conflict.interceptors_per_fu_per_day",
        {"dist": "lognorm", "s": 0.5})  # no upper end
    rejected(make_scenario(tiny_data), "consumption.conflict.interceptors_per_fu_per_day",
             "support 0..inf")


@pytest.mark.parametrize(("capacity", "ceiling"), [
    (20, {"dist": "uniform", "loc": 10, "scale": 20}),
    ({"dist": "uniform", "loc": 10, "scale": 20}, 20),
    ({"dist": "triang", "c": 0.5, "loc": 10, "scale": 20},
     {"dist": "triang", "c": 0.5, "loc": 25, "scale": 20}),
])
def test_ceiling_below_capacity_is_caught_when_either_is_a_distribution(
        tiny_data: dict, make_scenario: Callable[..., Path], capacity: Any, ceiling: Any) -> None:
    put(tiny_data, "lines.int_line.capacity_per_month", capacity)
    put(tiny_data, "lines.int_line.ceiling_per_month", ceiling)
    rejected(make_scenario(tiny_data), "lines.int_line.ceiling_per_month",
             "below capacity_per_month")


def test_a_ceiling_distribution_above_the_capacity_is_fine(
        tiny_data: dict, make_scenario: Callable[..., Path]) -> None:
    put(tiny_data, "lines.int_line.ceiling_per_month",
        {"dist": "uniform", "loc": 20, "scale": 10})
    load_scenario(make_scenario(tiny_data))


@pytest.mark.parametrize(("key", "value", "needle"), [
    ("goal.deadlines", [203], "203 is out of range"),
    ("goal.deadlines", [20300], "20300 is out of range"),
    ("goal.deadlines", [2029], "outside the simulated horizon"),
    ("time.end", "999-12", "not a month"),
    ("time.end", "2300-01", "not a month"),
    ("goal.baseline_date", "2031-01", "outside the simulated horizon"),
    ("products.sam_fu.price_year", 20250, "out of range"),
])
def test_dates_and_years_are_compared_as_dates(
        tiny_data: dict, make_scenario: Callable[..., Path], key: str, value: Any,
        needle: str) -> None:
    put(tiny_data, "time.end", "2028-12") if key != "time.end" else None
    tiny_data["goal"]["deadlines"] = [2028]
    put(tiny_data, key, value)
    path = make_scenario(tiny_data)
    line = rejected(path, key + (".0" if key == "goal.deadlines" else ""), needle)
    assert line.startswith("scenario.yaml: ")


def test_a_deadline_of_203_no_longer_reaches_run(
        tiny_data: dict, make_scenario: Callable[..., Path]) -> None:
    tiny_data["goal"]["deadlines"] = [203]
    result = invoke("run", make_scenario(tiny_data), "--deterministic", "--out", "out")
    assert result.exit_code == 2, result.output
    assert "goal.deadlines.0: 203 is out of range" in result.stderr
    assert not Path("out").exists()


@pytest.mark.parametrize("text", [
    "[" * 20_000 + "]" * 20_000,
    "".join(" " * i + "k:\n" for i in range(5_000)) + " " * 5_000 + "k: 1\n",
    "name: x\ncountries: " + "{a: " * 3_000 + "1" + "}" * 3_000 + "\n",
])
def test_deep_nesting_is_refused_cleanly(make_scenario: Callable[..., Path], text: str) -> None:
    result = invoke("validate", make_scenario(text))
    assert result.exit_code == 2, result.output
    assert re.match(r"^scenario\.yaml: line \d+: ", result.stderr)
    assert f"nested more than {MAX_DEPTH} levels deep (at most" in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_aliases_cannot_expand_into_a_huge_or_deep_document(
        make_scenario: Callable[..., Path]) -> None:
    lines = ["a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"]
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, "
              f"*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 9)]
    result = invoke("validate", make_scenario("\n".join(lines) + "\n"))
    assert result.exit_code == 2, result.output
    assert "values once aliases are expanded" in result.stderr
    deep = ["d0: &d0 [1]"] + [f"d{i}: &d{i} [[[[[[[[*d{i - 1}]]]]]]]]" for i in range(1, 12)]
    result = invoke("validate", make_scenario("\n".join(deep) + "\n", "deep.yaml"))
    assert result.exit_code == 2, result.output
    assert "nested more than" in result.stderr


def test_csv_text_columns_are_text(tiny_csv_scenario: Path) -> None:
    data = tiny_csv_scenario.parent / "data"
    (data / "countries.csv").write_text(
        "country,name,gdp_usd_bn,defence_share_start\nAAA,2024,100,0.02\n", encoding="utf-8")
    (data / "lines.csv").write_text(
        "line,product,site,manufacturer,capacity_per_month,ceiling_per_month\n"
        "fu_line,sam_fu,+1,=cmd,1,1\nint_line,sam_int,{a: 1},true,20,20\n", encoding="utf-8")
    scenario = load_scenario(tiny_csv_scenario)
    assert scenario.countries["AAA"].name == "2024"
    assert scenario.lines["fu_line"].site == "+1"
    assert scenario.lines["fu_line"].manufacturer == "=cmd"
    assert scenario.lines["int_line"].site == "{a: 1}"
    assert scenario.lines["int_line"].manufacturer == "true"


def test_csv_numeric_columns_still_take_numbers_and_distributions(tiny_csv_scenario: Path) -> None:
    data = tiny_csv_scenario.parent / "data"
    (data / "lines.csv").write_text(
        "line,product,capacity_per_month,ceiling_per_month\n"
        "fu_line,sam_fu,1,\"{dist: uniform, loc: 1, scale: 1}\"\nint_line,sam_int,20,twenty\n",
        encoding="utf-8")
    result = invoke("validate", tiny_csv_scenario)
    assert result.exit_code == 2
    assert "lines.int_line.ceiling_per_month: not a number (got 'twenty'" in result.stderr
    assert "fu_line" not in result.stderr


@pytest.mark.parametrize(("key", "value", "item"), [
    ("goal.members", ["AAA", "AAA"], "AAA"),
    ("joint.members", ["AAA", "AAA"], "AAA"),
    ("joint.systems", ["sam", "sam"], "sam"),
    ("goal.deadlines", [2030, 2030], "2030"),
])
def test_duplicates_in_lists_of_names_are_refused(
        tiny_data: dict, make_scenario: Callable[..., Path], key: str, value: list,
        item: str) -> None:
    put(tiny_data, key, value)
    rejected(make_scenario(tiny_data), key, f"'{item}' is listed twice")


def test_every_shipped_config_is_within_the_bounds() -> None:
    configs = sorted((Path(__file__).resolve().parent.parent / "configs").glob("*.yaml"))
    result = invoke("validate", *configs)
    assert result.exit_code == 0, result.output
