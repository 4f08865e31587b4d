"""Capability metrics, the fivefold goal, and the monthly recorder of all tables.

The goal metric is summed over the goal's member countries and weighted by each
system's ``capability_weight`` (fire-unit metrics only: an interceptor is counted
as one). The baseline is the metric at the close of the baseline month.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from operator import attrgetter
from typing import TYPE_CHECKING

from stockpile.model.calendar import every_month
from stockpile.model.inventory import Holding
from stockpile.model.records import CapabilityRow, GoalRow

if TYPE_CHECKING:
    from stockpile.model.world import World

PHASE = 0.9  # after everything else in the month: the state at the month's close
BINDING_ORDER = ("components", "capacity", "money", "none")
#: a holding's and an account's fields in StockRow / AccountRow order (after the date)
STOCK_STATE = attrgetter(
    "country", "system", "fire_units", "interceptors", "ready_fire_units", "on_order",
    "fu_on_order", "delivered", "consumed", "donated", "expired", "lost", "unmet",
    "fu_delivered", "fu_donated", "fu_retired", "fu_lost", "delivered_joint")
ACCOUNT_STATE = attrgetter("name", "credited", "available", "committed", "paid", "lapsed",
                           "received", "owed")
LIMIT_KIND = {"components": "components", "capacity": "capacity", "stopped": "capacity"}
RECORD_MONTHS = {"month": set(range(1, 13)), "quarter": {3, 6, 9, 12}, "year": {12}}


def metric(holding: Holding, name: str) -> int:
    if name == "fire_units":
        return holding.fire_units
    if name == "interceptors":
        return holding.interceptors
    return holding.ready_fire_units


class Recorder:
    """Closes each month: the goal metric every month, table rows at the output frequency."""

    def __init__(self, world: World):
        self.world = world
        scenario = world.scenario
        self.metric = scenario.goal.metric
        self.members = set(world.members)
        self.record_months = RECORD_MONTHS[scenario.output.frequency]
        self.values: list[float] = []
        self.stocks: list[tuple] = []  # StockRow fields
        self.lines: list = []
        self.accounts: list[tuple] = []  # AccountRow fields
        self.constraints: list[tuple] = []  # ConstraintRow fields
        self._counted: list[tuple[Holding, float]] = []
        self._seen = -1

    def process(self) -> Generator:
        return every_month(self.world.env, self.world.calendar.months, PHASE, self.close)

    def close(self, t: int) -> None:
        cal = self.world.calendar
        self.values.append(self.goal_value())
        if cal.month_of_year(t) in self.record_months or t == cal.months - 1:
            self.record(cal.date(t))

    def goal_value(self) -> float:
        """The metric summed over member countries (holdings may appear during the run)."""
        holdings = self.world.holdings
        if len(holdings) != self._seen:
            weights = self.world.weights
            self._counted = [(h, 1.0 if self.metric == "interceptors" else weights[system])
                             for (iso, system), h in holdings.items() if iso in self.members]
            self._seen = len(holdings)
        if self.metric == "ready_fire_units":
            return sum(w * min(h.fire_units, h.interceptors // h.combat_load)
                       for h, w in self._counted)
        return sum(w * metric(h, self.metric) for h, w in self._counted)

    def record(self, date: str) -> None:
        """Rows as plain tuples read in C by ``attrgetter``: this runs for every month."""
        world = self.world
        stocks = self.stocks
        for holding in world.holdings.values():
            stocks.append((date, *STOCK_STATE(holding)))
            holding.reset_flows()
        self.lines.extend(line.row(date) for line in world.lines.values())
        self.accounts.extend((date, *ACCOUNT_STATE(a)) for a in world.all_accounts())
        binding = self.binding()
        self.constraints.extend((date, iso, binding[iso]) for iso in world.countries)

    def binding(self) -> dict[str, str]:
        """What held each country back this month: components, capacity, money or none."""
        world = self.world
        rank = {kind: i for i, kind in enumerate(BINDING_ORDER)}
        found = {iso: "money" if buyer.money_limited else "none"
                 for iso, buyer in world.buyers.items()}
        for line in world.lines.values():
            kind = LIMIT_KIND.get(line.limited_by)
            if kind is None:
                continue
            for buyer in line.waiting:
                if rank[kind] < rank[found[buyer]]:
                    found[buyer] = kind
        return found

    def goal(self) -> tuple[list[GoalRow], list[CapabilityRow]]:
        """Verdict per deadline, and the metric's path as a ratio of the baseline."""
        world = self.world
        cal = world.calendar
        goal = world.scenario.goal
        base_t = cal.index(goal.baseline_date) if goal.baseline_date else 0
        baseline = self.values[base_t]
        target = float(goal.multiplier) * baseline
        first = next((t for t in range(base_t, len(self.values))
                      if self.values[t] >= target - 1e-9), None)
        first_met = cal.date(first) if first is not None else ""
        rows = []
        for year in goal.deadlines:
            value = self.values[cal.deadline(year)]
            ratio = value / baseline if baseline > 0 else math.nan
            rows.append(GoalRow(year, value, baseline, target, ratio,
                                value >= target - 1e-9, first_met))
        path = [CapabilityRow(cal.date(t), v, v / baseline if baseline > 0 else math.nan)
                for t, v in enumerate(self.values)]
        return rows, path
