"""The invariants of SPEC 2.7, checked on a run's tables (used by many test files)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from stockpile.model.world import RunOutput
from stockpile.scenario import resolve
from stockpile.scenario.distributions import central
from stockpile.scenario.schema import Scenario

TOL = 1e-6


def combat_load(scenario: Scenario, system: str, sampled: dict[str, float]) -> int:
    """A system's load in this run: its sampled value, else the scenario's (or its median)."""
    return round(central(sampled.get(f"systems.{system}.combat_load",
                                     scenario.systems[system].combat_load)))


def opening_stocks(scenario: Scenario, sampled: dict[str, float] | None = None
                   ) -> dict[tuple[str, str], tuple[int, int]]:
    """(fire units, interceptors) each holding starts with, from the inventories (and the
    run's sampled values of uncertain stock factors)."""
    sampled = sampled or {}
    found = {}
    for iso, rows in scenario.inventories.items():
        for system, row in rows.items():
            load = combat_load(scenario, system, sampled)
            factor = sampled.get(f"systems.{system}.stock_factor",
                                 scenario.systems[system].stock_factor)
            factor = central(factor)
            fire_units = round(central(sampled.get(f"inventories.{iso}.{system}.fire_units",
                                                   row.fire_units)))
            interceptors = round(fire_units * float(row.loads_per_fire_unit) * factor * load)
            found[(iso, system)] = (fire_units, interceptors)
    return found


def check_stock_balance(scenario: Scenario, ts: pd.DataFrame,
                        sampled: dict[str, float] | None = None) -> None:
    """opening + delivered − consumed − donated − expired − lost = closing, per row."""
    opening = opening_stocks(scenario, sampled)
    numeric = ts.select_dtypes("number").fillna(0)  # loads_held is blank without fire units
    assert (numeric >= 0).all().all(), "a stock or flow went negative"
    for (iso, system), group in ts.groupby(["country", "system"], sort=False):
        fu0, int0 = opening.get((iso, system), (0, 0))
        prev_int = np.concatenate([[int0], group["interceptors"].to_numpy()[:-1]])
        flows = (group["delivered"] - group["consumed"] - group["donated"] - group["expired"]
                 - group["lost"]).to_numpy()
        assert (prev_int + flows == group["interceptors"].to_numpy()).all(), \
            f"interceptor balance broken for {iso}/{system}"
        prev_fu = np.concatenate([[fu0], group["fire_units"].to_numpy()[:-1]])
        fu_flows = (group["fire_units_delivered"] - group["fire_units_donated"]
                    - group["fire_units_retired"] - group["fire_units_lost"]).to_numpy()
        assert (prev_fu + fu_flows == group["fire_units"].to_numpy()).all(), \
            f"fire-unit balance broken for {iso}/{system}"
        assert (group["fire_units_away"] <= group["fire_units"]).all(), \
            f"more fire units away than held for {iso}/{system}"
        load = combat_load(scenario, system, sampled or {})
        ready = np.minimum(group["fire_units"], group["interceptors"] // load)
        assert (ready == group["ready_fire_units"]).all()
        held = group["interceptors"] / group["fire_units"].where(group["fire_units"] > 0) / load
        assert np.allclose(held, group["loads_held"], atol=1e-3, equal_nan=True)


def check_money(budget: pd.DataFrame) -> None:
    """credited = available + committed + paid + lapsed; nothing negative."""
    for column in ("credited_eur_m", "available_eur_m", "committed_eur_m", "paid_eur_m",
                   "lapsed_eur_m"):
        assert (budget[column] >= -TOL).all(), f"{column} went negative"
    gap = budget["credited_eur_m"] - (budget["available_eur_m"] + budget["committed_eur_m"]
                                      + budget["paid_eur_m"] + budget["lapsed_eur_m"])
    assert gap.abs().max() < 1e-6 * max(1.0, budget["credited_eur_m"].abs().max()), \
        "money is not conserved"
    for _, group in budget.groupby("account"):
        for column in ("credited_eur_m", "paid_eur_m", "lapsed_eur_m"):
            assert (group[column].diff().dropna() >= -TOL).all(), f"{column} went backwards"


def check_production(production: pd.DataFrame) -> None:
    """opening work + started = delivered + in work + rejected; output never above capacity."""
    for line, group in production.groupby("line", sort=False):
        started = group["started"].cumsum()
        done = group["delivered"].cumsum() + group["rejected"].cumsum() + group["in_work"]
        opening = done.iloc[0] - started.iloc[0]  # work in progress at the start
        assert opening >= 0, f"line {line} opened with negative work in progress"
        assert (started + opening == done).all(), f"units lost on line {line}"
        used = (group["started"] + group["other_output"]).cumsum()
        capacity = group["capacity_per_month"].cumsum()
        # within the carries: a unit a slow line holds ready, and a fraction in each book
        assert (used <= capacity + 3 + TOL).all(), f"line {line} beat its capacity"
        europe = group["europe_capacity_per_month"].cumsum()
        assert (started <= capacity + 1 + TOL).all() and (europe <= capacity + TOL).all()
        assert (group[["started", "delivered", "rejected", "in_work", "backlog"]] >= 0).all().all()


def check_all(scenario: Scenario, output: RunOutput) -> None:
    if scenario.output.frequency == "month":
        check_stock_balance(scenario, output.timeseries, output.sampled)
        check_production(output.production)
    check_money(output.budget)
    members = resolve.goal_members(scenario)
    assert set(output.goal["deadline"]) == set(scenario.goal.deadlines)
    assert members
