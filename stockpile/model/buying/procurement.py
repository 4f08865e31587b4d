"""Yearly national buying decisions, and the national contracting channel.

Each year a country splits its free GBAD money over the systems of its plan
(``resolve.plan``: its own, else its announced plans with what it holds, else the default);
a plan announced after the start counts from the first decision in or after its month.
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

from stockpile.model.buying.choice import CHOICES
from stockpile.model.buying.funding import fund_expansions
from stockpile.model.buying.targets import RULES as TARGETS
from stockpile.model.records import DecisionRow
from stockpile.scenario import resolve

if TYPE_CHECKING:
    from stockpile.model.world import World

PHASE = 0.1
#: why GBAD money sits idle at a deadline, by the country's last decision
IDLE_REASONS = ("no_plan", "cap_reached", "too_little", "since_decision")
#: the same in decisions.csv, for a system the decision bought nothing of
IDLE_WORDS = {"no_plan": "idle: no plan", "cap_reached": "idle: cap reached",
              "too_little": "idle: less than one unit's price",
              "since_decision": "idle: less than one unit's price"}
NEVER = float(1 << 60)  # a product no line makes: it never arrives


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
        self.capped = False
        self._log: dict[str, tuple[int, int, float, str]] = {}
        scenario = world.scenario
        self.reserve = float(scenario.procurement.reserve_loads)
        self.plan = {s: w for s, w in world.plans[iso].items() if w > 0}
        # plans announced after the start: (first month it applies, the plan from then on)
        filled = world.countries[iso]
        self._later_plans = [
            (world.calendar.index(month),
             {s: w for s, w in resolve.plan(scenario, iso, filled, month).items() if w > 0})
            for month in resolve.plan_months(scenario, iso, filled)]
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
        """Take up the plans announced by month t, fund steps of late lines (``funding``),
        split the free money over the plan's systems by the choice rule and buy; log each
        system's decision."""
        world = self.world
        account = world.accounts[self.iso]
        self.money_limited = False
        self.capped = False
        self._log = {}
        while self._later_plans and self._later_plans[0][0] <= t:
            self.plan = self._later_plans.pop(0)[1]
        if not self.plan:
            self._record(t, "", "", 0.0, account.free, IDLE_WORDS["no_plan"])
            return
        money = account.free
        total = sum(self.plan.values())
        if money <= 1e-9 or total <= 0:
            self.money_limited = True
            for system in sorted(self.plan):
                self._record(t, system, "", 0.0, 0.0, "no free money")
            return
        year = world.calendar.year(t)
        deadline = self._next_deadline(t)
        options = {system: self._option(system, t, year) for system in sorted(self.plan)}
        funded = fund_expansions(self, options, deadline, money)
        money = account.free
        first = CHOICES[world.scenario.procurement.choice](
            options, deadline, lambda system: self._in_time(system, t, deadline))
        if first:  # systems that arrive in time get the money first, as far as in time
            weight = sum(self.plan[s] for s in first)
            for system, limit in first.items():
                self._buy_system(system, money * self.plan[system] / weight, year, limit)
            money = account.free
        if money > 1e-9:
            for system in sorted(self.plan):
                self._buy_system(system, money * self.plan[system] / total, year)
        considered = "; ".join(f"{s}: {world.calendar.date(a) if a < NEVER else 'never'}"
                               f" @{price:.0f}" for s, (a, price) in options.items())
        left = account.free
        for system in sorted(self.plan):
            bought = self._log.get(system, (0, 0, 0.0, ""))
            self._record(t, system, considered, funded.get(system, 0.0), left, bought[3],
                         bought)

    def _next_deadline(self, t: int) -> int:
        cal = self.world.calendar
        for year in sorted(self.world.scenario.goal.deadlines):
            month = cal.deadline(year)
            if month >= t:
                return month
        return cal.months - 1

    def _option(self, system: str, t: int, year: int) -> tuple[float, float]:
        """When a fire unit and its load ordered now would arrive (month), and their price."""
        world = self.world
        fire_unit, interceptors = world.system_products[system]
        signed = t + world.national.delay
        arrival = max(self._soonest(product, signed) for product in (fire_unit, *interceptors))
        load = world.holding(self.iso, system).combat_load
        price = world.prices.quote(fire_unit, year) + sum(
            load * world.mix[system][p] * world.prices.quote(p, year) for p in interceptors)
        return arrival, price

    def _in_time(self, system: str, t: int, deadline: int) -> int:
        """Fire units with their combat loads this system's lines could deliver by the
        deadline if ordered now: the fewest any of its products allows, each product's
        lines at this buyer's share of their rate after the queue ahead and the lead."""
        world = self.world
        fire_unit, interceptors = world.system_products[system]
        signed = t + world.national.delay
        european = self.iso in world.european
        load = world.holding(self.iso, system).combat_load
        units = self._deliverable(fire_unit, signed, deadline, european)
        for product in interceptors:
            per_unit = load * world.mix[system][product]
            if per_unit > 0:
                units = min(units, self._deliverable(product, signed, deadline, european)
                            / per_unit)
        return math.floor(units + 1e-9)

    def _deliverable(self, product: str, signed: int, deadline: int, european: bool) -> float:
        """Units of a product that could be delivered by the deadline on an order signed in
        month ``signed``, over all its lines."""
        total = 0.0
        for line in self.world.lines_by_product.get(product, []):
            months = line.months_to_deliver(signed, 0, european)
            if months < math.inf:
                total += max(0.0, deadline - signed - months) * line.rate(european)
        return total

    def _soonest(self, product: str, signed: int) -> float:
        lines = self.world.lines_by_product.get(product, [])
        return min((signed + line.months_to_deliver(signed, 1) for line in lines),
                   default=NEVER)

    def _record(self, t: int, system: str, considered: str, expansion: float, idle: float,
                reason: str, bought: tuple = (0, 0, 0.0, "")) -> None:
        if not reason:
            reason = "bought" if idle <= 1e-6 else IDLE_WORDS[self.idle_reason]
        self.world.decisions.append(DecisionRow(
            self.world.calendar.date(t), self.iso, system, considered, bought[0], bought[1],
            bought[2], expansion, idle, reason))

    @property
    def idle_reason(self) -> str:
        """Why this country's free money is idle since its last decision (a key of
        ``IDLE_REASONS``)."""
        if not self.plan:
            return "no_plan"
        if self.capped:
            return "cap_reached"
        return "too_little" if self.money_limited else "since_decision"

    def _projected_capability(self) -> float:
        world = self.world
        total = 0.0
        for system in self.plan:
            holding = world.holding(self.iso, system)
            total += world.weights[system] * (holding.fire_units + holding.fu_on_order
                                              + holding.fu_pending)
        return total

    def _buy_system(self, system: str, budget: float, year: int,
                    limit: float = math.inf) -> None:
        """Fill the loads (and reserves) of the fleet, then buy fire units with their loads:
        as many as the budget affords, up to the target's cap and ``limit``."""
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
        units = int(min(afford, cap, limit))
        if afford < cap:
            self.money_limited = True
        elif cap < math.inf:
            self.capped = True
        for product in interceptors:
            buy[product] += units * per_unit[product]
        ordered = sum(buy[p] * prices[p] for p in interceptors) + (
            units * world.prices.quote(fire_unit, year))
        before = self._log.get(system, (0, 0, 0.0, ""))
        why = ("bought" if units or any(buy.values()) else
               "cap reached" if cap <= afford else "money short of one fire unit with its load")
        self._log[system] = (before[0] + units, before[1] + sum(buy.values()),
                             before[2] + ordered, why if why == "bought" else before[3] or why)
        if units:
            self.order(system, fire_unit, units, year, True)
        for product, quantity in buy.items():
            first_part = min(quantity, math.ceil(first * mix[product]) + units * loads[product])
            if first_part:
                self.order(system, product, first_part, year, False)
            if quantity > first_part:
                self.order(system, product, quantity - first_part, year, False, tier=1)

    def order(self, system: str, product: str, quantity: int, year: int,
              is_fire_unit: bool, tier: int = 0) -> Demand:
        """Earmark the money and pass the decision to the channel's contracting."""
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
        return demand

