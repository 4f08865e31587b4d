"""Scenario discovery against the reference: EMA Workbench's PRIM on the same inputs and outcome.

Both peel 5% at a time down to a 5% mass; the box is chosen from EMA's trajectory by the rule
``discovery.choose`` applies (highest density covering half of the outcome; within 2 points,
the larger box). The same inputs must be restricted, at limits within 2% of their range, with
density within 2 points and coverage at least the reference's (less 2 points): stockpile pastes
its box, recovering runs a 5% peel cut for nothing, which only adds coverage.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from stockpile.analysis.discovery import discover, usable_inputs
from tests.report_fixtures import DEADLINES, planted_runs

prim = pytest.importorskip("ema_workbench.analysis.prim")


def _reference_box(x: pd.DataFrame, y: np.ndarray) -> tuple[pd.DataFrame, float, float]:
    """EMA's first box, chosen from its peeling trajectory as stockpile chooses."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        finder = prim.Prim(x, y, threshold=0.5, peel_alpha=0.05, mass_min=0.05)
        box = finder.find_box()
    trajectory = box.peeling_trajectory
    eligible = trajectory[trajectory["coverage"] >= 0.5]
    top = eligible["density"].max()
    chosen = eligible[eligible["density"] >= top - 0.02]["mass"].idxmax()
    box.select(chosen)
    row = trajectory.loc[chosen]
    return box.box_lim, float(row["coverage"]), float(row["density"])


@pytest.mark.parametrize("seed", [7, 8, 9])
def test_first_box_matches_ema_workbench_prim(seed: int) -> None:
    runs = planted_runs(300, [0.1], seed=seed)
    deadline = DEADLINES[-1]
    ours = discover(runs, deadline)
    frame = runs[runs["deadline"] == deadline].reset_index(drop=True)
    x = frame[usable_inputs(frame, [])].astype(float)
    y = frame["met"].astype(bool).to_numpy()
    limits, coverage, density = _reference_box(x, y)
    assert ours is not None and ours["outcome"] == "met"
    assert coverage - 0.02 <= ours["coverage"] <= 1.0
    assert ours["density"] == pytest.approx(density, abs=0.02)
    found = {part.replace("<=", ">=").split(">=")[0] for part in ours["conditions"].split("; ")}
    span = x.max() - x.min()
    restricted = {c for c in x.columns
                  if limits.loc[0, c] > x[c].min() + 0.02 * span[c]
                  or limits.loc[1, c] < x[c].max() - 0.02 * span[c]}
    assert found == restricted
    for part in ours["conditions"].split("; "):
        column, value = part.split(">=") if ">=" in part else part.split("<=")
        side = 0 if ">=" in part else 1
        assert float(value) == pytest.approx(limits.loc[side, column], abs=0.02 * span[column])
