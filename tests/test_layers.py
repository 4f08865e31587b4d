"""Capability by layer: per-layer verdicts, the goal's scope and the layer weights
(hand-worked cases on a two-layer world, and sums that must hold on the baseline)."""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from scipy.stats import fisher_exact

import stockpile
from stockpile.analysis.report.text import verdict_table
from stockpile.analysis.report.views import layer_weight_view
from stockpile.analysis.results import read_table
from stockpile.analysis.summary import summarise_layers
from stockpile.api import simulate
from stockpile.scenario import resolve
from stockpile.scenario.distributions import central
from stockpile.scenario.load import deep_merge
from stockpile.scenario.schema import LAYERS, Scenario
from tests.invariants import check_all
from tests.sweeps import quick
from tests.test_model import FLAT, second_system

ROOT = Path(__file__).resolve().parent.parent
#: sam (medium range): 10 fire units with one load each; gun (very short range, weight
#: 0.25): 4 with one load each; nothing bought, no training: baseline 10 + 4 x 0.25 = 11.
#: In June 2026 two gun fire units are given away: 10.5 from then on.
TWO_LAYERS = deep_merge(deep_merge(copy.deepcopy(FLAT), second_system("gun")), {
    "systems": {"sam": {"layer": "medium_range"},
                "gun": {"layer": "very_short_range", "capability_weight": 0.25}},
    "inventories": {"AAA": {"sam": {"fire_units": 10, "loads_per_fire_unit": 1},
                            "gun": {"fire_units": 4, "loads_per_fire_unit": 1}}},
    "procurement": {"decisions": "recorded"},
    "consumption": {"donations": [{"country": "AAA", "date": "2026-06", "system": "gun",
                                   "fire_units": 2, "interceptors": 8}]},
    "goal": {"multiplier": 0.95},
})


def run(**changes: Any) -> pd.DataFrame:
    s = Scenario.model_validate(deep_merge(copy.deepcopy(TWO_LAYERS), changes))
    out = simulate(s, deterministic=True)
    check_all(s, out)
    return out.goal.set_index("deadline")


def test_each_layer_is_judged_against_its_own_baseline() -> None:
    goal = run()
    # 2026 and 2027 both after the gift: medium 10/10, very short 2/4, the whole 10.5/11
    assert goal["value"].tolist() == [10.5, 10.5]
    assert goal["baseline"].unique().tolist() == [11.0]
    assert goal["ratio_medium_range"].tolist() == [1.0, 1.0]
    assert goal["ratio_very_short_range"].tolist() == [0.5, 0.5]
    assert goal["met_medium_range"].all() and not goal["met_very_short_range"].any()
    assert goal["first_met_medium_range"].tolist() == ["2025-01"] * 2
    assert goal["first_met_very_short_range"].tolist() == ["2025-01"] * 2  # met before the gift
    for layer in ("upper_tier", "long_range", "short_range"):  # no baseline: no verdict
        assert goal[f"ratio_{layer}"].isna().all() and not goal[f"met_{layer}"].any()
        assert goal[f"first_met_{layer}"].tolist() == ["", ""]


def test_scope_all_counts_the_weighted_whole() -> None:
    goal = run()
    assert goal["ratio"].tolist() == pytest.approx([10.5 / 11] * 2)
    assert goal["met"].all()  # 10.5 >= 0.95 x 11 = 10.45


def test_scope_each_needs_every_layer() -> None:
    goal = run(goal={"scope": "each"})
    assert goal["ratio"].tolist() == [0.5, 0.5]  # the smallest layer's
    assert not goal["met"].any()
    assert goal["first_met"].tolist() == ["2025-01"] * 2  # every layer met until the gift
    assert run(goal={"scope": "each", "multiplier": 0.5})["met"].all()


def test_a_list_of_layers_counts_those_layers_only() -> None:
    goal = run(goal={"scope": ["very_short_range"]})
    assert goal["value"].tolist() == [0.5, 0.5]  # 2 gun fire units x 0.25
    assert goal["baseline"].unique().tolist() == [1.0]
    assert not goal["met"].any()


def test_layer_weights_scale_every_system_of_the_layer() -> None:
    goal = run(goal={"layer_weights": {"very_short_range": 2.0}})
    assert goal["baseline"].unique().tolist() == [12.0]  # 10 + 4 x 0.25 x 2
    assert goal["value"].tolist() == [11.0, 11.0]
    assert goal["ratio_very_short_range"].tolist() == [0.5, 0.5]  # a layer's own ratio stays


def test_the_capability_path_and_timeseries_carry_the_layer() -> None:
    s = Scenario.model_validate(copy.deepcopy(TWO_LAYERS))
    out = simulate(s, deterministic=True)
    path = out.capability.set_index("date")
    assert path.loc["2026-05", "ratio_very_short_range"] == 1.0
    assert path.loc["2026-06", "ratio_very_short_range"] == 0.5
    assert set(out.timeseries.groupby("system")["layer"].unique().map(tuple)) == {
        ("medium_range",), ("very_short_range",)}


def test_the_baseline_layers_add_up_to_the_whole() -> None:
    """On the shipped baseline: at every deadline the members' weighted ready fire units of
    each layer, read from the timeseries, sum to the goal's value, and each layer's ratio is
    its value over its opening value."""
    scenario = stockpile.load_scenario(ROOT / "configs" / "baseline.yaml")
    out = simulate(scenario, deterministic=True)
    layer = {k: central(v) for k, v in scenario.goal.layer_weights.items()}  # medians
    weights = {k: float(v.capability_weight) * layer.get(v.layer, 1.0)
               for k, v in scenario.systems.items()}
    members = set(resolve.goal_members(scenario))
    ts = out.timeseries[out.timeseries.country.isin(members)]
    weighted = ts.assign(w=ts.ready_fire_units * ts.system.map(weights))
    by_layer = weighted.groupby(["date", "layer"])["w"].sum().unstack(fill_value=0.0)
    path = out.capability.set_index("date")
    implied: dict[str, set[float]] = {}  # each layer's baseline, value / ratio at each deadline
    for _, row in out.goal.iterrows():
        date = f"{row.deadline}-12"
        assert by_layer.loc[date].sum() == pytest.approx(row.value)
        for layer in LAYERS:
            ratio = row[f"ratio_{layer}"]
            assert ratio == path.loc[date, f"ratio_{layer}"] or math.isnan(ratio)
            if not math.isnan(ratio) and ratio > 0:
                implied.setdefault(layer, set()).add(round(by_layer.loc[date, layer] / ratio, 9))
    assert set(by_layer.columns) <= set(LAYERS)
    assert len(implied) >= 3 and all(len(v) == 1 and min(v) > 0 for v in implied.values())


def test_layer_quantiles_count_never_as_later_than_the_horizon() -> None:
    """Four runs of one layer: met by 2030 in two; first met 2030-01, 2031-06, never,
    2029-03. Sorted: 2029-03, 2030-01, 2031-06, never: the median (inverted cdf, the second
    of four) is 2030-01, the 95% quantile falls among the never-met runs (blank)."""
    runs = pd.DataFrame({
        "point": [0] * 4, "deadline": [2030] * 4,
        "ratio_long_range": [5.2, 4.1, 2.0, 6.0], "met_long_range": [True, False, False, True],
        "first_met_long_range": ["2030-01", "2031-06", "", "2029-03"],
        "ratio_upper_tier": [math.nan] * 4, "met_upper_tier": [False] * 4,
        "first_met_upper_tier": [""] * 4})
    table = summarise_layers(runs)
    assert table["layer"].tolist() == ["long_range"]  # no baseline, no row
    row = table.iloc[0]
    assert (row["runs"], row["met"], row["p_met"]) == (4, 2, 0.5)
    assert (row["first_met_p5"], row["first_met_p50"], row["first_met_p95"]) == (
        "2029-03", "2030-01", "")
    assert (row["never_met"], row["never_met_share"]) == (1, 0.25)


def test_a_sweep_writes_each_layers_verdict_as_counted_from_its_runs(tmp_path: Path) -> None:
    config = quick(tmp_path, systems={"sam": {"layer": "medium_range"}})
    stockpile.sweep(config, runs=12, jobs=1, out=tmp_path / "sw", progress=False)
    runs = read_table(tmp_path / "sw" / "runs.csv")
    layers = read_table(tmp_path / "sw" / "layers_summary.csv")
    assert layers["layer"].unique().tolist() == ["medium_range"]
    for _, row in layers.iterrows():
        mine = runs[runs.deadline == row.deadline]
        assert row["met"] == int(mine["met_medium_range"].sum())
        assert row["never_met"] == int((mine["first_met_medium_range"] == "").sum())
        # one system, one layer: the layer's verdict is the goal's
        assert row["met"] == int(mine["met"].sum())


def test_the_terminal_verdict_lists_each_layer_with_a_baseline() -> None:
    text = verdict_table(run().reset_index())
    lines = text.splitlines()
    assert lines[-4] == "by layer (ratio to the layer's own baseline):"
    assert lines[-3].split() == ["layer", "2026", "2027", "first", "reached"]
    assert lines[-2].split() == ["medium_range", "1.00", "1.00", "2025-01"]
    assert lines[-1].split() == ["very_short_range", "0.50", "0.50", "2025-01"]
    assert "long_range" not in text  # no baseline, no row


def test_the_verdict_across_a_layer_weight_is_counted_by_thirds() -> None:
    """Six runs, weights 0.5 .. 1.5: the lowest third (<= 0.833, runs 0-1) met once, the
    highest third (>= 1.167, runs 4-5) twice."""
    runs = pd.DataFrame({"point": [0] * 6, "deadline": [2035] * 6,
                         "goal.layer_weights.short_range": [0.5, 0.7, 0.9, 1.1, 1.3, 1.5],
                         "met": [True, False, False, True, True, True],
                         "ratio": [5.1, 4.0, 4.5, 5.2, 5.5, 6.0]})
    table = layer_weight_view(runs, 0, 2035)
    row = table.iloc[0]
    assert row["layer"] == "short_range"
    assert (row["p_met_low"], row["p_met_high"]) == (0.5, 1.0)
    assert (row["ratio_p50_low"], row["ratio_p50_high"]) == (4.55, 5.75)
    # two runs a side: 1 of 2 against 2 of 2 is no evidence of an effect
    assert row["p_value"] == round(fisher_exact([[1, 1], [2, 0]]).pvalue, 4) == 1.0
