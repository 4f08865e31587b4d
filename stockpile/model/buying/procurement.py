"""Yearly national buying decisions, and the national contracting channel.

Each year a country splits its free GBAD money over the systems of its plan.
For each system it first buys interceptors to fill the combat loads (plus a
reserve) of the fire units it has and has ordered, then fire units, each with
its own loads, until the money runs out or the country reaches the cap of its target
rule (``procurement.target``, see ``targets``). A decision becomes a contract after the
contracting delay, and a contract an order on the line that delivers soonest.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from stockpile.model.buying.targets import RULES as TARGETS

if TYPE_CHECKING:
    from stockpile.model.world import World

PHASE = 0.1


@dataclass
class Demand:
    """Units a country has decided to buy and earmarked money for, not yet under contract."""

    country: str
    system: str
    product: str
    quantity: int
    unit_price: float
    tier: int = 0  # 0: fire units and their first combat loads; 1: reserve stocks

    @property
    def value(self) -> float:
        return self.quantity * self.unit_price


def largest_remainder(total: int, weights: dict[str, float]) -> dict[str, int]:
    """Split a whole number by weights so the parts add up exactly."""
    weight_sum = sum(weights.values())
    if total <= 0 or weight_sum <= 0:
        return dict.fromkeys(weights, 0)
    exact = {k: total * w / weight_sum for k, w in weights.items()}
    parts = {k: math.floor(v) for k, v in exact.items()}
    for k in sorted(weights, key=lambda k: (-(exact[k] - parts[k]), k))[: total - sum(
            parts.values())]:
        parts[k] += 1
    return parts


class NationalChannel:
    """A country negotiates and signs its own contract, one per product.

    Decisions taken at the same moment wait out the contracting delay together, in one
    process, and are signed in the order they were taken.
    """

    def __init__(self, world: World):
        self.world = world
        self.delay = max(0, round(float(world.scenario.procurement.contracting_delay_months)))
        self._batch: list[Demand] = []
        self._batch_time = -1.0

    def submit(self, demand: Demand) -> None:
        now = self.world.env.now
        if now != self._batch_time:
            self._batch = []
            self._batch_time = now
            self.world.env.process(self._contract(self._batch))
        self._batch.append(demand)

    def _contract(self, demands: list[Demand]) -> Generator:
        yield self.world.env.timeout(self.delay)
        if demands is self._batch:  # closed: a decision taken now starts a new batch
            self._batch_time = -1.0
        for demand in demands:
            self.world.sign(demand.product, {demand.country: demand.quantity},
                            demand.unit_price, channel="national",
                            earmarks={demand.country: demand.value}, tier=demand.tier)


class Buyer:
    """One country's yearly decisions."""

    def __init__(self, world: World, iso: str):
        self.world = world
        self.iso = iso
        self.money_limited = False
        scenario = world.scenario
        self.reserve = float(scenario.procurement.reserve_loads)
        self.plan = {s: w for s, w in world.plans[iso].items() if w > 0}
        self.target = TARGETS[scenario.procurement.target](world, iso)
        # interceptors bought with a fire unit: with the reserve, and its first load alone
        self._per_unit: dict[str, tuple[dict[str, int], dict[str, int]]] = {}

    def process(self) -> Generator:
        world = self.world
        cal = world.calendar
        yield world.env.timeout(PHASE)
        decision_month = world.scenario.procurement.decision_month
        t = 0
        while t < cal.months:
            self.decide(t)
            step = (decision_month - cal.month_of_year(t)) % 12 or 12
            t += step
            yield world.env.timeout(step)

    def decide(self, t: int) -> None:
        account = self.world.accounts[self.iso]
        money = account.free
        self.money_limited = False
        total = sum(self.plan.values())
        if money <= 1e-9 or total <= 0:
            self.money_limited = bool(self.plan)
            return
        year = self.world.calendar.year(t)
        for system, weight in sorted(self.plan.items()):
            self._buy_system(system, money * weight / total, year)

    def _projected_capability(self) -> float:
        world = self.world
        total = 0.0
        for system in self.plan:
            holding = world.holding(self.iso, system)
            total += world.weights[system] * (holding.fire_units + holding.fu_on_order
                                              + holding.fu_pending)
        return total

    def _buy_system(self, system: str, budget: float, year: int) -> None:
        world = self.world
        holding = world.holding(self.iso, system)
        fire_unit, interceptors = world.system_products[system]
        mix = world.mix[system]
        load = holding.combat_load
        cached = self._per_unit.get(system)
        if cached is None:  # the same every year: loads and mix are fixed for the run
            cached = self._per_unit[system] = (
                largest_remainder(round(load * (1 + self.reserve)), mix),
                largest_remainder(load, mix))
        per_unit, loads = cached
        prices = {p: world.prices.quote(p, year) for p in interceptors}
        fleet = holding.fire_units + holding.fu_on_order + holding.fu_pending
        have = holding.interceptors + holding.on_order + holding.pending
        need = max(0, math.ceil(fleet * load * (1 + self.reserve)) - have)
        first = max(0, fleet * load - have)  # of which first combat loads (tier 0)
        buy = {}
        for product in interceptors:
            share = mix[product]
            wanted = math.ceil(need * share)
            afford = math.floor(budget * share / prices[product]) if prices[product] > 0 else wanted
            buy[product] = min(wanted, afford)
        spent = sum(buy[p] * prices[p] for p in interceptors)
        if sum(buy.values()) < need:
            self.money_limited = True
        bundle = world.prices.quote(fire_unit, year) + sum(per_unit[p] * prices[p]
                                                           for p in interceptors)
        afford = math.floor((budget - spent) / bundle) if bundle > 0 else 0
        weight = world.weights[system]
        cap = math.inf
        if self.target is not None and weight > 0:
            cap = max(0, math.floor((self.target - self._projected_capability()) / weight + 1e-9))
        units = int(min(afford, cap))
        if afford < cap:
            self.money_limited = True
        for product in interceptors:
            buy[product] += units * per_unit[product]
        if units:
            self._order(system, fire_unit, units, year, True)
        for product, quantity in buy.items():
            first_part = min(quantity, math.ceil(first * mix[product]) + units * loads[product])
            if first_part:
                self._order(system, product, first_part, year, False)
            if quantity > first_part:
                self._order(system, product, quantity - first_part, year, False, tier=1)

    def _order(self, system: str, product: str, quantity: int, year: int,
               is_fire_unit: bool, tier: int = 0) -> None:
        world = self.world
        price = world.prices.quote(product, year, quantity)
        world.prices.book(product, quantity)
        demand = Demand(self.iso, system, product, quantity, price, tier)
        world.accounts[self.iso].earmark(demand.value)
        holding = world.holding(self.iso, system)
        if is_fire_unit:
            holding.fu_pending += quantity
        else:
            holding.pending += quantity
        world.channel(self.iso, system).submit(demand)

