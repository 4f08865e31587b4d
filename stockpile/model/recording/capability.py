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

import numpy as np
import pandas as pd

from stockpile.model.buying.procurement import IDLE_REASONS
from stockpile.model.calendar import every_month
from stockpile.model.recording.burden import burden_table
from stockpile.model.recording.tables import Snapshots, frame, labels, per_period
from stockpile.model.records import (
    AccountRow,
    CapabilityRow,
    ConstraintRow,
    GoalRow,
    LineRow,
    StockRow,
)
from stockpile.model.stocks.inventory import Holding
from stockpile.scenario.schema import LAYERS

if TYPE_CHECKING:
    from stockpile.model.world import World

PHASE = 0.9  # after everything else in the month: the state at the month's close
BINDING_ORDER = ("components", "capacity", "money", "none")
BINDING_RANK = {kind: i for i, kind in enumerate(BINDING_ORDER)}
#: a holding's numbers in StockRow order, without ready_fire_units (worked out from the
#: first two at the end); the first five are stocks, from ``delivered`` on running totals
STOCK_COUNTS = ("fire_units", "interceptors", "on_order", "fu_on_order", "fu_away",
                "delivered", "consumed", "donated", "expired", "lost", "unmet", "fu_delivered",
                "fu_donated", "fu_retired", "fu_lost", "delivered_joint")
STOCK_FLOWS = slice(5, None)
STOCK_COLUMNS = [c for c in StockRow._fields
                 if c not in ("date", "country", "system", "layer", "ready_fire_units",
                              "loads_held")]
#: a line's numbers; started, delivered, rejected and other_output are running totals
LINE_STATE = ("capacity", "started", "delivered", "rejected", "other_output", "in_work",
              "on_books", "pending_expansions", "capex", "europe_share")
LINE_FLOWS = slice(1, 5)
ACCOUNT_STATE = ("credited", "available", "committed", "paid", "lapsed", "received", "owed",
                 "supplemental", "defence")
LIMIT_KIND = {"components": "components", "capacity": "capacity", "stopped": "capacity"}
LAYER_INDEX = {layer: i for i, layer in enumerate(LAYERS)}
RECORD_MONTHS = {"month": set(range(1, 13)), "quarter": {3, 6, 9, 12}, "year": {12}}


class Recorder:
    """Closes each month: the goal metric every month, snapshots at the output frequency."""

    def __init__(self, world: World):
        self.world = world
        scenario = world.scenario
        self.metric = scenario.goal.metric
        self.members = set(world.members)
        self.member_list = sorted(self.members)  # burden.csv's countries, in this order
        self._member_index = {iso: i for i, iso in enumerate(self.member_list)}
        self.record_months = RECORD_MONTHS[scenario.output.frequency]
        self.values: list[float] = []
        self.fielded: list[float] = []  # weighted fire units each month, whatever the metric
        self.by_layer: list[list[float]] = []  # the metric of each layer (LAYERS order) each month
        self.by_country: list[list[float]] = []  # each member's part of the value each month
        self.scope = scenario.goal.scope
        self.dates: list[str] = []
        self.stocks = Snapshots(attrgetter(*STOCK_COUNTS), len(STOCK_COUNTS))
        self.lines = Snapshots(attrgetter(*LINE_STATE), len(LINE_STATE))
        self.limits: list[str] = []  # each line's limited_by, in snapshot order
        self.accounts = Snapshots(attrgetter(*ACCOUNT_STATE), len(ACCOUNT_STATE))
        self.bindings: list[str] = []  # each country's binding constraint, in snapshot order
        self._holdings: list[Holding] = []
        # member holdings: capability weight, layer index (-1: none), counted in the goal's
        # value (scope: every layer, or the listed ones; a system without a layer counts in
        # the whole only), the country's index in member_list
        self._members: list[tuple[Holding, float, int, bool, int]] = []
        self._seen = -1
        cal = world.calendar
        self.deadline_months = {cal.deadline(y) for y in scenario.goal.deadlines}
        self.money: dict[int, tuple[float, ...]] = {}  # deadline month -> money columns
        # deadline month -> each member's (credited, paid, idle) GBAD money
        self.member_money: dict[int, list[tuple[float, float, float]]] = {}

    def process(self) -> Generator:
        return every_month(self.world.env, self.world.calendar.months, PHASE, self.close)

    def open(self) -> None:
        """The opening state, before any month's flows: the baseline, the same in every run
        unless the opening state itself is sampled."""
        self._follow_holdings()
        (self.opening, self.fielded_opening, self.layer_opening,
         self.country_opening) = self.measure()

    def close(self, t: int) -> None:
        cal = self.world.calendar
        self._follow_holdings()
        value, fielded, layers, countries = self.measure()
        self.values.append(value)
        self.fielded.append(fielded)
        self.by_layer.append(layers)
        self.by_country.append(countries)
        if cal.month_of_year(t) in self.record_months or t == cal.months - 1:
            self.record(cal.date(t))
        if t in self.deadline_months:
            self.money[t] = self._money()
            self.member_money[t] = self._member_money()

    def _money(self) -> tuple[float, ...]:
        """The goal members' GBAD money at a deadline: credited, idle, idle by reason
        (``IDLE_REASONS``), lapsed."""
        world = self.world
        by_reason = dict.fromkeys(IDLE_REASONS, 0.0)
        credited = lapsed = 0.0
        for iso in sorted(self.members):  # a set: sum in a fixed order, the same bytes out
            account = world.accounts[iso]
            credited += account.credited
            lapsed += account.lapsed
            by_reason[world.buyers[iso].idle_reason] += account.free
        idle = sum(by_reason.values()) + lapsed
        return (credited, idle, *by_reason.values(), lapsed)

    def _member_money(self) -> list[tuple[float, float, float]]:
        """Each member's GBAD money at a deadline: credited, paid, and idle as ``_money``
        counts it (free plus lapsed)."""
        accounts = self.world.accounts
        return [(a.credited, a.paid, a.free + a.lapsed)
                for a in (accounts[iso] for iso in self.member_list)]

    def _follow_holdings(self) -> None:
        """Holdings may appear during the run (a first purchase of a system)."""
        holdings = self.world.holdings
        if len(holdings) == self._seen:
            return
        self._seen = len(holdings)
        self._holdings = list(holdings.values())
        weights, layers = self.world.weights, self.world.layers
        scope = self.scope
        index = self._member_index
        self._members = [(h, weights[system], LAYER_INDEX.get(layers[system], -1),
                          isinstance(scope, str) or layers[system] in scope, index[iso])
                         for (iso, system), h in holdings.items() if iso in index]

    def measure(self) -> tuple[float, float, list[float], list[float]]:
        """The goal metric summed over member countries (over the goal's layers), their
        weighted fire units in service (the measure that does not hang on unknown stocks),
        the metric of each layer, and each member's part of the goal metric, in one pass.

        Interceptors are counted one each; fire-unit metrics are weighted by capability.
        """
        by_layer = [0.0] * len(LAYERS)
        by_country = [0.0] * len(self.member_list)
        fielded = total = 0.0
        metric = self.metric
        for h, w, layer, counted, country in self._members:
            fire_units = h.fire_units
            if metric == "ready_fire_units":
                ready = h.interceptors // h.combat_load
                value = w * (ready if ready < fire_units else fire_units)
            elif metric == "fire_units":
                value = w * fire_units
            else:
                value = float(h.interceptors)
            fielded += w * fire_units
            if layer >= 0:
                by_layer[layer] += value
            if counted:
                total += value
                by_country[country] += value
        return total, fielded, by_layer, by_country

    def record(self, date: str) -> None:
        """Numbers only: dates, names and per-period flows are added once, at the end."""
        world = self.world
        self.dates.append(date)
        self.stocks.take(self._holdings)
        self.lines.take(world.line_list)
        self.limits.extend([line.limited_by for line in world.line_list])
        self.accounts.take(world.account_list)
        binding = self.binding()
        self.bindings.extend([binding[iso] for iso in world.countries])

    def binding(self) -> dict[str, str]:
        """What held each country back this month: components, capacity, money or none."""
        world = self.world
        rank = BINDING_RANK
        found = {iso: "money" if buyer.money_limited else "none"
                 for iso, buyer in world.buyers.items()}
        for line in world.lines.values():
            kind = LIMIT_KIND.get(line.limited_by)
            if kind is None:
                continue
            for buyer in line.waiting:
                if buyer in found and rank[kind] < rank[found[buyer]]:
                    found[buyer] = kind
        return found

    def goal(self) -> tuple[list[GoalRow], list[CapabilityRow]]:
        """Verdict per deadline on the goal metric and on fielded fire units, and the metric's
        path as a ratio of the baseline.

        The baseline is the opening state (or ``goal.baseline`` as given, or the close of
        ``goal.baseline_date``); fielded fire units are always measured from the opening state.
        Each layer is judged against its own baseline (opening state or ``baseline_date``),
        whatever the scope; a layer without one has no ratio and is never met. Under scope
        ``each`` the goal is met when every layer with a baseline is, and its ratio is the
        smallest layer's.
        """
        world = self.world
        cal = world.calendar
        goal = world.scenario.goal
        multiplier = float(goal.multiplier)
        if goal.baseline is not None:
            baseline = float(goal.baseline)
        elif goal.baseline_date:
            baseline = self.values[cal.index(goal.baseline_date)]
        else:
            baseline = self.opening
        layer_base = (self.by_layer[cal.index(goal.baseline_date)] if goal.baseline_date
                      else self.layer_opening)
        layer_ratios = [[_ratio(v, b) for v, b in zip(month, layer_base, strict=True)]
                        for month in self.by_layer]
        with_base = {i for i, b in enumerate(layer_base) if b > 0}
        reached = [[r[i] >= multiplier - 1e-9 if i in with_base else False
                    for i in range(len(LAYERS))] for r in layer_ratios]
        if self.scope == "each":  # every layer with a baseline at its own multiple
            ratios = [min((r[i] for i in with_base), default=math.nan) for r in layer_ratios]
            met = [bool(with_base) and all(m[i] for i in with_base) for m in reached]
        else:
            ratios = [_ratio(v, baseline) for v in self.values]
            met = [v >= multiplier * baseline - 1e-9 for v in self.values]
        first_met = self._first(met)
        fielded_first = self._first([v >= multiplier * self.fielded_opening - 1e-9
                                     for v in self.fielded])
        layer_first = [self._first([m[i] for m in reached]) for i in range(len(LAYERS))]
        rows = []
        for year in goal.deadlines:
            t = cal.deadline(year)
            value, fielded = self.values[t], self.fielded[t]
            layers = [x for i in range(len(LAYERS))
                      for x in (layer_ratios[t][i], reached[t][i], layer_first[i])]
            rows.append(GoalRow(
                year, value, baseline, multiplier * baseline, ratios[t], met[t], first_met,
                fielded, self.fielded_opening, _ratio(fielded, self.fielded_opening),
                fielded >= multiplier * self.fielded_opening - 1e-9, fielded_first,
                *self.money.get(t, (0.0,) * 7), *layers))
        path = [CapabilityRow(cal.date(t), v, ratios[t], *layer_ratios[t])
                for t, v in enumerate(self.values)]
        return rows, path

    def burden(self) -> pd.DataFrame:
        """Each member's part of the goal metric at each deadline beside its GDP, defence
        spending and GBAD money (burden.csv); own baselines as the layers' are taken."""
        goal = self.world.scenario.goal
        months = np.array(self.by_country, dtype=np.float64).reshape(
            len(self.by_country), len(self.member_list))
        baseline = (months[self.world.calendar.index(goal.baseline_date)] if goal.baseline_date
                    else np.array(self.country_opening, dtype=np.float64))
        return burden_table(self.world, self.member_list, months, baseline, self.member_money)

    def _first(self, met: list[bool]) -> str:
        """The first month the target is reached, or '' if never in the horizon."""
        first = next((t for t, m in enumerate(met) if m), None)
        return self.world.calendar.date(first) if first is not None else ""

    # -- tables, once per run ---------------------------------------------------------
    def timeseries(self) -> pd.DataFrame:
        snapshot, thing = self.stocks.index()
        values = self.stocks.values(np.int64)
        values[:, STOCK_FLOWS] = per_period(values[:, STOCK_FLOWS], snapshot, thing)
        holdings = self._holdings
        loads = np.array([h.combat_load for h in holdings], dtype=np.int64)[thing]
        data = dict(zip(STOCK_COLUMNS, values.T, strict=True))
        data["ready_fire_units"] = np.minimum(data["fire_units"], data["interceptors"] // loads)
        fielded = data["fire_units"]
        with np.errstate(divide="ignore", invalid="ignore"):
            data["loads_held"] = np.where(fielded > 0, data["interceptors"]
                                          / np.maximum(fielded, 1) / loads, np.nan).round(3)
        data["date"] = labels(self.dates, snapshot)
        data["country"] = labels([h.country for h in holdings], thing)
        data["system"] = labels([h.system for h in holdings], thing)
        layers = self.world.layers
        data["layer"] = labels([layers.get(h.system) or "" for h in holdings], thing)
        return frame(StockRow._fields, data)

    def production(self) -> pd.DataFrame:
        lines = self.world.line_list
        snapshot, thing = self.lines.index()
        values = self.lines.values(np.float64)
        values[:, LINE_FLOWS] = per_period(values[:, LINE_FLOWS], snapshot, thing)
        (capacity, started, delivered, rejected, other, in_work, on_books, pending, capex,
         share) = values.T
        whole = np.int64
        return frame(LineRow._fields, {
            "date": labels(self.dates, snapshot),
            "line": labels([line.name for line in lines], thing),
            "product": labels([line.product for line in lines], thing),
            "capacity_per_month": capacity, "europe_capacity_per_month": capacity * share,
            "started": started.astype(whole), "delivered": delivered.astype(whole),
            "rejected": rejected.astype(whole), "in_work": in_work.astype(whole),
            "backlog": on_books.astype(whole), "other_output": other.astype(whole),
            "limited_by": np.asarray(self.limits, dtype=object),
            "expansions_pending": pending.astype(whole),
            "expansion_capex_eur_m": capex})

    def budget(self) -> pd.DataFrame:
        snapshot, thing = self.accounts.index()
        data = dict(zip(AccountRow._fields[2:], self.accounts.values(np.float64).T,
                        strict=True))
        data["date"] = labels(self.dates, snapshot)
        data["account"] = labels([a.name for a in self.world.account_list], thing)
        return frame(AccountRow._fields, data)

    def constraints(self) -> pd.DataFrame:
        countries = list(self.world.countries)
        dates = self.dates
        return frame(ConstraintRow._fields, {
            "date": labels(dates, np.repeat(np.arange(len(dates)), len(countries))),
            "country": labels(countries, np.tile(np.arange(len(countries)), len(dates))),
            "binding": np.asarray(self.bindings, dtype=object)})


def _ratio(value: float, baseline: float) -> float:
    return value / baseline if baseline > 0 else math.nan
