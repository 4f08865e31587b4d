"""The cheapest mix of levers (``goal-seek`` with several levers): the search on toys whose
answer is known, the frontier, prices, and the command end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from stockpile.analysis.mix import Judged, Lever, Mix, MixResult, search
from stockpile.cli import main


def hyperbola(settings: dict) -> Judged:
    """Met exactly when x · y ≥ 0.25: at prices 1 and 1 the cheapest mix is x = y = 0.5,
    cost 1.0, inside the box (a linear rule would put it at a corner)."""
    return Judged(int(settings["x"] * settings["y"] >= 0.25 - 1e-9), 1, 0.0)


def test_a_two_lever_search_finds_the_known_cheapest_mix() -> None:
    levers = [Lever("x", 0.0, 1.0, step=0.05, price=1.0), Lever("y", 0.0, 1.0, step=0.05,
                                                                 price=1.0)]
    result = search(levers, hyperbola, prob=1.0, trials=80, seed=1)
    best = result.cheapest
    assert best is not None and best.p == 1
    # the grid's cheapest feasible points cost 1.0 (0.5, 0.5); the next cost 1.05
    assert best.cost_eur_m == pytest.approx(1.0, abs=0.05 + 1e-9)
    assert [m.settings for m in result.mixes[:2]] == [{"x": 0.0, "y": 0.0}, {"x": 1.0, "y": 1.0}]
    again = search(levers, hyperbola, prob=1.0, trials=80, seed=1)
    assert [m.settings for m in again.mixes] == [m.settings for m in result.mixes]


def test_money_is_measured_above_the_all_low_corner_and_choices_are_priced() -> None:
    """A share lever's money is what the runs credit above the all-low corner's (100 at
    share 0.1, 300 at 0.3: the dearest corner costs 200 of money); joint buying is priced
    50 by --cost, national nothing."""
    def judge(settings: dict) -> Judged:
        return Judged(int(settings["mode"] == "joint"), 1, 1000 * settings["share"])

    levers = [Lever("share", 0.1, 0.3), Lever("mode", choices=("national", "joint"),
                                              choice_costs={"joint": 50.0})]
    result = search(levers, judge, prob=0.5, trials=6, seed=0)
    low, high = result.mixes[:2]
    assert (low.cost_eur_m, low.money_eur_m) == (0.0, 0.0)
    assert high.money_eur_m == pytest.approx(200) and high.cost_eur_m == pytest.approx(250)
    for mix in result.mixes:
        assert mix.cost_eur_m == pytest.approx(mix.money_eur_m + 50 * (mix.settings["mode"]
                                                                       == "joint"))


def test_the_frontier_holds_only_undominated_mixes() -> None:
    def mix(number: int, met: int, cost: float) -> Mix:
        return Mix(number, {"x": cost}, met, 10, cost, 0.0)

    result = MixResult(0.5, [Lever("x", 0, 1)], [mix(0, 2, 0), mix(1, 9, 5), mix(2, 5, 3),
                                                 mix(3, 4, 4), mix(4, 5, 2), mix(5, 9, 6)])
    assert [m.number for m in result.frontier] == [0, 4, 1]
    assert result.cheapest.number == 4  # p 0.5 at cost 2
    assert result.cheapest_sure.number == 1  # Wilson low of 9/10 is 0.60


def test_goal_seek_with_several_levers_writes_the_frontier(pair: Path) -> None:
    result = CliRunner().invoke(main, [
        "goal-seek", pair.name, "--lever", "country_defaults.gbad_share=0.05:0.3",
        "--lever", "lines.int_line.capacity_per_month=2:12", "--lever",
        "procurement.mode=national,joint", "--deadline", "2027", "--prob", "0.5",
        "--deterministic", "--trials", "6", "--out", "mix", "--quiet",
        "--set", "lines.int_line.expansion_step_per_month=2",
        "--set", "lines.int_line.expansion_cost_eur_m=30"])
    assert result.exit_code == 0, result.output
    assert "cheapest mix" in result.stdout and "6 mixes tried" in result.stdout
    assert "levers that cost nothing here" in result.stdout and "procurement.mode" in result.stdout
    table = pd.read_csv("mix/frontier.csv")
    assert len(table) == 6 and table.on_frontier.any()
    assert {"country_defaults.gbad_share", "lines.int_line.capacity_per_month",
            "procurement.mode", "cost_eur_m", "p_met", "ci_low"} <= set(table.columns)
    # the high corner: its money, and the capital of 10 more a month at the line's price
    # of an expansion step (EUR m per unit a month); joint buying is unpriced
    # (30 per step of 2: 15 each)
    high = table.iloc[1]
    assert high["lines.int_line.capacity_per_month"] == 12 and high["procurement.mode"] == "joint"
    assert high.cost_eur_m == pytest.approx(high.money_eur_m + 10 * 15)
    # shares 0.05 and 0.3 give the members 75 and 450 a year: 375 more for 3 years
    assert high.money_eur_m == pytest.approx(375 * 3)
    assert Path("mix/frontier.png").stat().st_size > 0
    manifest = json.loads(Path("mix/manifest.json").read_text())
    assert manifest["kind"] == "goal-seek-mix" and manifest["trials"] == 6


@pytest.mark.parametrize(("args", "message"), [
    (["--lever", "country_defaults.gbad_share=0.1:0.3", "--range", "0:1"],
     "--range is for one lever"),
    (["--lever", "country_defaults.gbad_share=0.3:0.1"], "LOW < HIGH"),
    (["--lever", "country_defaults.gbad_sharez=0.1:0.3"], "country_defaults.gbad_sharez"),
    (["--lever", "country_defaults.gbad_share=0.1:0.3", "--cost", "lines.x=3"],
     "a price for a key that is not a lever"),
    (["--lever", "country_defaults.gbad_share", "--cost", "a=1"],
     "prices and trials are for a mix"),
])
def test_goal_seek_refuses_a_bad_mix_in_one_line(pair: Path, args: list[str],
                                                 message: str) -> None:
    result = CliRunner().invoke(main, ["goal-seek", pair.name, *args, "--deadline", "2027",
                                       "--prob", "0.5", "--deterministic"])
    assert result.exit_code == 2, result.output
    assert message in result.stderr and "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1
