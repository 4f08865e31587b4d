"""The command line: `validate`, shared options, exit codes and one-line error messages."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result

from stockpile import __version__
from stockpile.cli.common import (
    StockpileGroup,
    force_option,
    main,
    out_option,
    quiet_option,
    seed_option,
    set_option,
)

DELETE = object()


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from tmp_path, so messages name files as users see them (relative)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("STOCKPILE_DEBUG", raising=False)


def invoke(*args: Any) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def assert_bad_input(result: Result, file: str, *needles: str) -> str:
    """Exit 2, no traceback, and a line ``file: ...`` naming every needle; return that line."""
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines()
             if line.startswith(f"{file}:") and all(n in line for n in needles)]
    assert lines, f"no line '{file}: ...{needles}' in:\n{result.stderr}"
    return lines[0]


def changed(data: dict[str, Any], dotted: str, value: Any) -> dict[str, Any]:
    """``data`` with the key at a dotted path set (or deleted with DELETE)."""
    *parents, last = dotted.split(".")
    node = data
    for part in parents:
        node = node.setdefault(part, {})
    if value is DELETE:
        del node[last]
    else:
        node[last] = value
    return data


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert __version__ in result.output


def test_validate_good_files(tiny_scenario: Path, tiny_csv_scenario: Path) -> None:
    result = invoke("validate", tiny_scenario.name, tiny_csv_scenario.name)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"{name}: ok — 1 country, 1 system, 2 lines, deadlines 2028, 2030, "
        "horizon 2025-01..2030-12" for name in (tiny_scenario.name, tiny_csv_scenario.name)]


def test_validate_quiet_prints_nothing(tiny_scenario: Path) -> None:
    result = invoke("validate", "--quiet", tiny_scenario.name)
    assert result.exit_code == 0
    assert result.output == ""


def test_validate_set_is_applied(tiny_scenario: Path) -> None:
    result = invoke("validate", tiny_scenario.name, "--set", "goal.deadlines=[2029]")
    assert result.exit_code == 0, result.output
    assert "deadlines 2029," in result.stdout


def test_validate_reports_good_and_bad_files(tiny_scenario: Path) -> None:
    result = invoke("validate", tiny_scenario.name, "missing.yaml")
    assert_bad_input(result, "missing.yaml", "file not found")
    assert result.stdout.startswith(f"{tiny_scenario.name}: ok")


def test_bad_set_is_reported_once_for_several_files(tiny_scenario: Path,
                                                   tiny_csv_scenario: Path) -> None:
    result = invoke("validate", tiny_scenario.name, tiny_csv_scenario.name,
                    "--set", "goal.multipler=3")
    assert_bad_input(result, "--set", "goal.multipler", "unknown key")
    assert len(result.stderr.splitlines()) == 1


# --- one test per class of bad input -----------------------------------------------------

BAD_VALUES = {
    # id: (dotted path to change, value, key path expected in the message, text expected)
    "unknown_key": ("goal.multipler", 3, "goal.multipler", "did you mean 'multiplier'?"),
    "wrong_type_number": ("systems.sam.combat_load", "ten", "systems.sam.combat_load",
                          "not a number"),
    "wrong_type_list": ("goal.deadlines", 2030, "goal.deadlines", "expected a list"),
    "wrong_type_section": ("time", 5, "time", "expected a mapping"),
    "wrong_choice": ("goal.metric", "ready", "goal.metric", "not allowed"),
    "bad_month": ("time.start", "2025-13", "time.start", "not a month"),
    "missing_required": ("systems.sam.combat_load", DELETE, "systems.sam.combat_load",
                         "required key missing"),
    "missing_country_field": ("country_defaults.gbad_share", DELETE,
                              "countries.AAA.gbad_share", "country_defaults"),
    "share_above_one": ("countries.AAA.defence_share_start", 1.5,
                        "countries.AAA.defence_share_start", "out of range"),
    "multiplier_zero": ("goal.multiplier", 0, "goal.multiplier", "greater than 0"),
    "multiplier_negative": ("goal.multiplier", -2, "goal.multiplier", "greater than 0"),
    "negative_count": ("inventories.AAA.sam.fire_units", -1, "inventories.AAA.sam.fire_units",
                       "out of range"),
    "fractional_count": ("inventories.AAA.sam.fire_units", 1.5,
                         "inventories.AAA.sam.fire_units", "not a whole number"),
    "unknown_distribution": ("countries.AAA.gbad_share", {"dist": "nosuch"},
                             "countries.AAA.gbad_share", "unknown distribution 'nosuch'"),
    "dist_impossible_parameters": ("countries.AAA.gbad_share",
                                   {"dist": "uniform", "loc": 0, "scale": -1},
                                   "countries.AAA.gbad_share", "valid 'uniform'"),
    "dist_missing_parameter": ("lines.int_line.capacity_per_month", {"dist": "beta", "a": 2},
                               "lines.int_line.capacity_per_month", "bad parameters for 'beta'"),
    "dist_unknown_parameter": ("lines.int_line.capacity_per_month",
                               {"dist": "uniform", "lcc": 2},
                               "lines.int_line.capacity_per_month", "bad parameters"),
    "dist_outside_share": ("countries.AAA.gbad_share", {"dist": "norm", "loc": 0.1, "scale": 0.01},
                           "countries.AAA.gbad_share", "reaches outside a share"),
    "undefined_country_in_goal": ("goal.members", ["ZZZ"], "goal.members.0",
                                  "unknown country 'ZZZ'"),
    "undefined_country_in_inventories": ("inventories.ZZZ", {"sam": {"fire_units": 1}},
                                         "inventories.ZZZ", "unknown country"),
    "undefined_system_in_inventories": ("inventories.AAA.sim", {"fire_units": 1},
                                        "inventories.AAA.sim", "did you mean 'sam'?"),
    "undefined_system_of_product": ("products.sam_fu.system", "sim", "products.sam_fu.system",
                                    "unknown system 'sim'"),
    "undefined_system_in_plan": ("countries.AAA.plan", {"sim": 1}, "countries.AAA.plan.sim",
                                 "unknown system"),
    "undefined_product_of_line": ("lines.fu_line.product", "sam_fx", "lines.fu_line.product",
                                  "did you mean 'sam_fu'?"),
    "undefined_component": ("lines.int_line.components", {"motor": 1},
                            "lines.int_line.components.motor", "unknown product 'motor'"),
    "not_a_component": ("lines.int_line.components", {"sam_fu": 1},
                        "lines.int_line.components.sam_fu", "not a component"),
    "empty_goal_membership": ("goal.members", [], "goal.members", "empty goal membership"),
    "no_deadlines": ("goal.deadlines", [], "goal.deadlines", "no deadlines"),
    "deadline_outside_horizon": ("goal.deadlines", [2030, 2040], "goal.deadlines.1",
                                 "outside the simulated horizon"),
}


@pytest.mark.parametrize(("dotted", "value", "key", "text"), BAD_VALUES.values(),
                         ids=BAD_VALUES.keys())
def test_bad_value(make_scenario: Callable[..., Path], tiny_data: dict[str, Any],
                   dotted: str, value: Any, key: str, text: str) -> None:
    path = make_scenario(changed(tiny_data, dotted, value))
    assert_bad_input(invoke("validate", path.name), path.name, f": {key}: ", text)


def test_missing_file() -> None:
    assert_bad_input(invoke("validate", "nothere.yaml"), "nothere.yaml", "file not found")


def test_yaml_syntax_error_names_the_line(make_scenario: Callable[..., Path]) -> None:
    path = make_scenario("name: tiny\ngoal: {multiplier: [2\ntime: {}\n")
    assert_bad_input(invoke("validate", path.name), path.name, "line 3", "YAML syntax error")


def test_empty_file(make_scenario: Callable[..., Path]) -> None:
    path = make_scenario("# nothing yet\n")
    assert_bad_input(invoke("validate", path.name), path.name, "empty")


def test_top_level_not_a_mapping(make_scenario: Callable[..., Path]) -> None:
    path = make_scenario("- countries\n- systems\n")
    assert_bad_input(invoke("validate", path.name), path.name, "top level is a list")


def test_duplicate_yaml_key(make_scenario: Callable[..., Path], tiny_scenario: Path) -> None:
    text = tiny_scenario.read_text().replace("countries:\n", "countries:\n  AAA: {}\n", 1)
    path = make_scenario(text)
    assert_bad_input(invoke("validate", path.name), path.name, "line", "duplicate key 'AAA'")


def test_cyclic_extend(make_scenario: Callable[..., Path]) -> None:
    make_scenario("extend: b.yaml\n", "a.yaml")
    make_scenario("extend: a.yaml\n", "b.yaml")
    assert_bad_input(invoke("validate", "a.yaml"), "a.yaml", "extend",
                     "cyclic extend: a.yaml -> b.yaml -> a.yaml")


def test_extend_missing_parent(make_scenario: Callable[..., Path]) -> None:
    path = make_scenario("extend: base.yaml\n")
    assert_bad_input(invoke("validate", path.name), path.name, "extend",
                     "file not found: base.yaml")


def test_duplicate_csv_row(tiny_csv_scenario: Path) -> None:
    csv = tiny_csv_scenario.parent / "data" / "systems.csv"
    csv.write_text("system,combat_load\nsam,10\nsam,12\n")
    assert_bad_input(invoke("validate", tiny_csv_scenario.name), "data/systems.csv",
                     "systems.sam", "duplicate name (rows 2 and 3)")


def test_csv_missing_column(tiny_csv_scenario: Path) -> None:
    csv = tiny_csv_scenario.parent / "data" / "lines.csv"
    csv.write_text("line,product,capacity_per_month\nfu_line,sam_fu,1\nint_line,sam_int,20\n")
    assert_bad_input(invoke("validate", tiny_csv_scenario.name), "data/lines.csv",
                     "missing column 'ceiling_per_month'")


def test_csv_non_numeric_cell_names_the_row(tiny_csv_scenario: Path) -> None:
    csv = tiny_csv_scenario.parent / "data" / "lines.csv"
    csv.write_text(csv.read_text().replace("int_line,sam_int,20,20", "int_line,sam_int,20,lots"))
    assert_bad_input(invoke("validate", tiny_csv_scenario.name), "data/lines.csv (row 3)",
                     "lines.int_line.ceiling_per_month", "not a number (got 'lots'")


def test_csv_unknown_column(tiny_csv_scenario: Path) -> None:
    csv = tiny_csv_scenario.parent / "data" / "countries.csv"
    csv.write_text("country,gdp_usd_bn,defence_share_start,gbad_shar\nAAA,100,0.02,0.1\n")
    assert_bad_input(invoke("validate", tiny_csv_scenario.name), "data/countries.csv (row 2)",
                     "countries.AAA.gbad_shar", "did you mean 'gbad_share'?")


def test_csv_table_not_found(make_scenario: Callable[..., Path], tiny_data: dict) -> None:
    path = make_scenario(changed(tiny_data, "systems", "data/nope.csv"))
    assert_bad_input(invoke("validate", path.name), path.name, "systems.table",
                     "file not found")


def test_set_unknown_key(tiny_scenario: Path) -> None:
    result = invoke("validate", tiny_scenario.name, "--set", "goal.multipler=3")
    assert_bad_input(result, "--set", "goal.multipler", "did you mean 'multiplier'?")


def test_set_unknown_name(tiny_scenario: Path) -> None:
    result = invoke("validate", tiny_scenario.name, "--set", "countries.AAB.gbad_share=0.1")
    assert_bad_input(result, "--set", "countries.AAB", "did you mean 'AAA'?")


def test_set_without_equals(tiny_scenario: Path) -> None:
    result = invoke("validate", tiny_scenario.name, "--set", "goal.multiplier")
    assert_bad_input(result, "--set", "goal.multiplier", "expected KEY=VALUE")


def test_set_bad_value_is_blamed_on_set(tiny_scenario: Path) -> None:
    result = invoke("validate", tiny_scenario.name, "--set", "countries.AAA.gbad_share=1.5")
    assert_bad_input(result, "--set", "countries.AAA.gbad_share", "out of range")


# --- shared error handling and options ---------------------------------------------------


def test_unexpected_error_is_one_line_exit_1(tiny_scenario: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("disk on fire\nsecond line")

    monkeypatch.setattr("stockpile.cli.validate.load_scenario", broken)
    result = invoke("validate", tiny_scenario.name)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "stockpile: error: RuntimeError: disk on fire second line "
        "(STOCKPILE_DEBUG=1 shows the traceback)"]


def test_debug_shows_the_exception(tiny_scenario: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("stockpile.cli.validate.load_scenario", broken)
    monkeypatch.setenv("STOCKPILE_DEBUG", "1")
    result = invoke("validate", tiny_scenario.name)
    assert isinstance(result.exception, RuntimeError)


def _probe_group() -> click.Group:
    """A throwaway group using the shared options, as later commands will."""

    @click.group(cls=StockpileGroup)
    def probe() -> None:
        pass

    @probe.command()
    @set_option
    @out_option
    @seed_option
    @quiet_option
    @force_option
    def show(overrides: list[str], out: Path | None, seed: int | None, quiet: bool,
             force: bool) -> None:
        click.echo(repr((overrides, out, seed, quiet, force)))

    return probe


def test_shared_options_parse() -> None:
    result = CliRunner().invoke(_probe_group(), [
        "show", "--set", "a.b=1", "--set", "c=[2]", "--out", "res", "--seed", "7", "--quiet",
        "--force"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == repr((["a.b=1", "c=[2]"], Path("res"), 7, True, True))


def test_shared_options_defaults() -> None:
    result = CliRunner().invoke(_probe_group(), ["show"])
    assert result.output.strip() == repr(([], None, None, False, False))


def test_negative_seed_is_bad_input() -> None:
    result = CliRunner().invoke(_probe_group(), ["show", "--seed", "-1"])
    assert result.exit_code == 2


def test_real_process(tiny_scenario: Path, make_scenario: Callable[..., Path],
                      tiny_data: dict[str, Any]) -> None:
    """``python -m stockpile`` end to end: stdout for good files, stderr and exit 2 for bad."""
    bad = make_scenario(changed(tiny_data, "goal.multiplier", 0), "bad.yaml")
    done = subprocess.run(
        [sys.executable, "-m", "stockpile", "validate", tiny_scenario.name, bad.name],
        capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2, done.stderr
    assert done.stdout.startswith(f"{tiny_scenario.name}: ok — 1 country")
    assert done.stderr.splitlines() == [
        "bad.yaml: goal.multiplier: 0 is out of range (greater than 0, at most 1000)"]
