"""Who carries the load: each goal member's capability beside its economic weight.

The goal is collective, so a verdict on Europe hides that some members build far beyond
their size and others far below it. For every deadline and member this sets the country's
part of the goal metric (as the goal counts it) beside its share of the members' GDP,
defence spending and GBAD money, and says when the country alone reached the goal's
multiple of its own baseline. GDP and defence spending are the budget's own figures.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from stockpile.model.money.budget import defence_spending_eur_m, gdp_eur_bn
from stockpile.model.recording.tables import frame, text
from stockpile.model.records import BurdenRow

if TYPE_CHECKING:
    from stockpile.model.world import World

TOLERANCE = 1e-9  # as the goal's own test: a metric this close to its target has reached it


def first_months(values: np.ndarray, baseline: np.ndarray, multiplier: float) -> np.ndarray:
    """Per country (column), the first month (row) its value reached ``multiplier`` × its
    baseline; -1 if never, or if it has no baseline (a multiple of nothing means nothing)."""
    reached = (values >= multiplier * baseline - TOLERANCE) & (baseline > 0)
    return np.where(reached.any(axis=0), reached.argmax(axis=0), -1)


def shares(values: np.ndarray) -> np.ndarray:
    """Each value over their total; blank (NaN) when the total is 0."""
    total = values.sum()
    return values / total if total > 0 else np.full(len(values), np.nan)


def quotient(top: np.ndarray, bottom: np.ndarray) -> np.ndarray:
    """top ÷ bottom, blank (NaN) where bottom is 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(bottom > 0, top / np.where(bottom > 0, bottom, 1.0), np.nan)


def burden_table(world: World, members: list[str], values: np.ndarray, baseline: np.ndarray,
                 money: dict[int, list[tuple[float, float, float]]]) -> pd.DataFrame:
    """burden.csv's rows: per deadline (goal order) and member (``members`` order).

    ``values``: each member's goal metric by month (months × members); ``baseline``: each
    member's at the baseline; ``money``: deadline month -> per member (credited, paid, idle).
    """
    cal, scenario = world.calendar, world.scenario
    economy = scenario.economy
    first = first_months(values, baseline, float(scenario.goal.multiplier))
    first_dates = [cal.date(int(t)) if t >= 0 else "" for t in first]
    parts: dict[str, list] = {name: [] for name in BurdenRow._fields}
    for year in scenario.goal.deadlines:
        t = cal.deadline(year)
        capability = values[t]
        countries = [world.countries[iso] for iso in members]
        gdp = np.array([gdp_eur_bn(c, economy, year) for c in countries], dtype=np.float64)
        defence = np.array([defence_spending_eur_m(c, economy, year) for c in countries],
                           dtype=np.float64)
        cash = np.array(money.get(t) or [(0.0, 0.0, 0.0)] * len(members),
                        dtype=np.float64).reshape(len(members), 3)
        capability_share, gdp_share, defence_share = (shares(capability), shares(gdp),
                                                      shares(defence))
        columns = {
            "deadline": np.full(len(members), year, dtype=np.int64),
            "country": text(members), "capability": capability, "own_baseline": baseline,
            "own_ratio": quotient(capability, baseline),
            "own_first_met_date": text(first_dates), "capability_share": capability_share,
            "gdp_eur_bn": gdp, "gdp_share": gdp_share, "defence_spending_eur_m": defence,
            "defence_spending_share": defence_share,
            "burden_gdp": quotient(capability_share, gdp_share),
            "burden_defence": quotient(capability_share, defence_share),
            "gbad_credited_eur_m": cash[:, 0], "gbad_paid_eur_m": cash[:, 1],
            "gbad_idle_eur_m": cash[:, 2]}
        for name, column in columns.items():
            parts[name].append(column)
    if not members or not parts["deadline"]:
        return pd.DataFrame(columns=list(BurdenRow._fields))
    return frame(BurdenRow._fields, {name: np.concatenate(column)
                                     for name, column in parts.items()})
