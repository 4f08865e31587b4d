"""Production lines: order books, capacity, expansions, components, stoppages.

A line works in monthly batches: one SimPy step a month starts as many units as
its capacity, its backlog and its component pools allow, and finishes the batches
whose manufacturing lead time has passed. A line that makes 2,000 units a year
costs twelve events a year, not 2,000.

A line keeps two order books. Europe's share of capacity serves European buyers;
the rest serves the modelled buyers outside Europe (Canada, other customers named
in the contracts table), and whatever slots the modelled buyers leave are taken by
the unmodelled rest of the world (``other_output``): the lines in the data sell all
they make. Units of a contract with a delivery schedule are released for starting
only a manufacturing lead time before they are due.
"""

from __future__ import annotations

import bisect
import heapq
import math
from collections import deque
from collections.abc import Callable, Generator, Iterator
from typing import TYPE_CHECKING

import numpy as np

from stockpile.model.buying.procurement import largest_remainder
from stockpile.model.calendar import each_every_month
from stockpile.model.industry.allocation import RULES, in_turn
from stockpile.model.industry.expansion import self_funded
from stockpile.scenario.schema import LineRow as LineConfig

if TYPE_CHECKING:
    from stockpile.model.world import World

PHASE = 0.2  # lines run after budgets (0.0) and procurement (0.1) within a month
NO_LIMIT = 1 << 60  # starts a line without components could make, as far as parts go


class Order:
    """A contract's units on one line, delivered to its buyers in proportion to their shares."""

    __slots__ = ("buyers", "channel", "contract_id", "delivered", "european", "given", "held",
                 "in_work", "priority", "product", "settle", "single", "tier", "total",
                 "unit_price", "unstarted")

    def __init__(self, contract_id: int, product: str, buyers: dict[str, int], unit_price: float,
                 channel: str, priority: int = 1,
                 settle: Callable[[str, float], None] | None = None, european: bool = True,
                 tier: int = 0):
        self.contract_id = contract_id
        self.product = product
        self.buyers = buyers
        self.unit_price = unit_price
        self.channel = channel
        self.priority = priority  # 0 is served first (framework contracts)
        self.settle = settle  # pays a buyer's delivered value; None for pre-funded orders
        self.european = european  # which order book, and which share of capacity, serves it
        self.tier = tier  # 0: fire units and their first combat loads; 1: reserve stocks
        self.total = sum(buyers.values())  # a contract's buyers and quantities never change
        self.single = next(iter(buyers)) if len(buyers) == 1 else None  # its one buyer, if so
        self.unstarted = self.total
        self.held = 0  # units of a delivery schedule not yet released for starting
        self.in_work = 0
        self.delivered = 0
        self.given = dict.fromkeys(buyers, 0)

    @property
    def quantity(self) -> int:
        return self.total

    def split(self, units: int) -> dict[str, int]:
        """Which buyer gets which of the next ``units``: pro rata, furthest behind first.

        Each buyer's entitlement after these units is its share of all units split so far;
        the units go by largest remainder over the shortfalls from it. Unlike rounding the
        cumulative totals, this never takes back a unit given earlier (no Alabama paradox),
        so the parts always add up to ``units``.
        """
        buyer = self.single
        if buyer is not None:
            self.given[buyer] += units
            return {buyer: units}
        total = self.total
        after = sum(self.given.values()) + units
        behind = {b: min(q - self.given[b], max(0.0, q * after / total - self.given[b]))
                  for b, q in self.buyers.items()}
        shares = {b: n for b, n in largest_remainder(units, behind).items() if n}
        for b, n in shares.items():
            self.given[b] += n
        return shares


def _shares(order: Order, units: float) -> Iterator[tuple[str, float]]:
    """Each buyer's part of an order's units: all of them, or pro rata where it has several."""
    if order.single is not None:
        yield order.single, float(units)
        return
    total = order.total
    for buyer, quantity in order.buyers.items():
        yield buyer, units * quantity / total


def _add_shares(due: dict[str, float], order: Order, units: float) -> None:
    """Add each buyer's part of an order's units to ``due`` (as ``_shares`` splits them)."""
    buyer = order.single
    if buyer is not None:
        due[buyer] = due.get(buyer, 0.0) + float(units)
        return
    for buyer, share in _shares(order, units):
        due[buyer] = due.get(buyer, 0.0) + share


def _by_buyer(batch: list[tuple[Order | None, int]]) -> dict[str, int] | None:
    """A batch's units by buyer, or None if an order in it is shared (see ``_due_in_work``)."""
    found: dict[str, int] = {}
    for order, count in batch:
        if order is None:
            continue
        buyer = order.single
        if buyer is None:
            return None
        found[buyer] = found.get(buyer, 0) + count
    return found


class ComponentPool:
    """Upstream parts (rocket motors, seekers) waiting for the lines that need them.

    Lines that share a pool share it in proportion to what each could start this month
    (``ProductionLine.part_weight``), each taking its part of what the lines served before
    it left: a supplier short of seekers allocates them across its customers' lines; it does
    not hand them all to whichever line happens to come first. With one line, it takes all.
    """

    __slots__ = ("buffer_months", "level", "month", "product", "served", "users")

    def __init__(self, product: str, buffer_months: float):
        self.product = product
        self.buffer_months = buffer_months  # stock the supply chain keeps, in months of use
        self.level = 0
        self.users: list[ProductionLine] = []  # the lines that fit these parts
        self.month = -1
        self.served: set[str] = set()  # lines that have drawn their share this month

    def share(self, line: ProductionLine, t: int) -> float:
        """The parts ``line`` may draw in month ``t``."""
        if len(self.users) < 2:
            return self.level
        if self.month != t:
            self.month, self.served = t, set()
        weights = {u.name: u.part_weight(t) for u in self.users if u.name not in self.served}
        self.served.add(line.name)
        total = sum(weights.values())
        return self.level * weights.get(line.name, 0.0) / total if total > 0 else self.level


def industry_process(world: World, lines: list[ProductionLine]) -> Generator:
    """Every line's month, in the given order, from one SimPy process (the event loop's
    own cost was a tenth of a run with a process a line).

    One case differs from a process a line: a line's own expansion with a one-month lead
    (no shipped line has one) reached the lines after it in the month it was done and the
    line itself a month later; now every line gets it a month later, as the line itself
    always did.
    """
    return each_every_month(world.env, world.calendar.months, PHASE,
                            [line.month for line in lines])


class ProductionLine:
    """One product at one manufacturer and site."""

    def __init__(self, world: World, name: str, config: LineConfig, is_component: bool):
        self.world = world
        self.name = name
        self.product = config.product
        self.is_component = is_component
        self.capacity = float(config.capacity_per_month)
        self.ceiling = float(config.ceiling_per_month)
        self.europe_share = float(config.europe_share)
        self.threshold = float(config.expansion_threshold_months)
        self.step = float(config.expansion_step_per_month)
        self.expansion_lead = max(0, round(float(config.expansion_lead_months)))
        self.expansion_cost = float(config.expansion_cost_eur_m)
        self.at_once = max(1, round(float(config.expansions_at_once)))
        self.manufacturer = config.manufacturer or name
        self.lead = max(0, round(float(config.manufacturing_lead_months)))
        self.acceptance = float(config.acceptance_rate)
        self.failure = 1.0 - self.acceptance
        self.components = {k: float(v) for k, v in config.components.items() if float(v) > 0}
        self.stoppage_chance = 1.0 - math.exp(-float(config.stoppage_rate_per_year) / 12.0)
        self.stoppage_months = float(config.stoppage_months)
        self.random_stoppages = self.stoppage_chance > 0 and not world.deterministic
        start = config.start_date
        self.start_t = world.calendar.index(start) if start else 0
        self.book_key, self.split = RULES[config.allocation]
        self.system = world.product_system.get(self.product)
        self.makes_fire_units = self.product in world.fire_unit_products
        self.mix_share = (world.mix[self.system].get(self.product, 0.0)
                          if self.system and not self.makes_fire_units else 0.0)
        # units of this product in one fire unit's combat load (at least one)
        self.load_units = max(1, round(float(world.scenario.systems[self.system].combat_load)
                                       * self.mix_share)) if self.mix_share else 1
        self._fire_unit_lines: list[ProductionLine] | None = None  # its system's, on first use
        self._due: tuple[tuple, dict[str, float]] = ((), {})  # due_within's last answer
        self.orders: list[Order] = []  # European book
        self.others: list[Order] = []  # book of modelled buyers outside Europe
        self.unstarted = 0  # European units released and not started, all orders
        self.other_unstarted = 0
        self.waiting: dict[str, int] = {}  # buyer -> orders with units not yet started
        self.backlog = 0  # European units contracted and not yet delivered, all orders
        self.other_backlog = 0
        self.releases: list[tuple[int, int, Order, int]] = []  # (month, seq, order, units)
        self.steps: list[tuple[int, float, float | None]] = []  # (month, added, new share)
        # batches in work: (month they finish, (order, units) started, units by buyer)
        self.wip: deque[tuple[int, list[tuple[Order | None, int]], dict[str, int] | None]] = \
            deque()
        self._in_work_by_buyer: dict[str, int] = {}  # units in work, batches of one-buyer orders
        self._shared_batches = 0  # batches in work with an order shared by several buyers
        self.downstream: list[ProductionLine] = []
        self.framework_units = 0.0  # committed future demand that counts toward expansion
        self.carry = 0.0
        self.other_carry = 0.0
        self.reject_carry = 0.0
        self.stopped_until = -1
        self.next_stoppage = math.inf  # the first month of the next random stoppage
        self.pending_expansions = 0
        self.pending_added = 0.0  # capacity under construction
        self.capex = 0.0
        self.limited_by = "idle"
        self.in_work = 0
        # running totals; other_output: units the unmodelled rest of the world took
        self.started = self.delivered = self.rejected = self.other_output = 0
        self._rng: np.random.Generator | None = None
        if self.random_stoppages:
            self.next_stoppage = int(self.rng.geometric(self.stoppage_chance)) - 1

    @property
    def rng(self) -> np.random.Generator:
        """The line's stream, made on first use (most lines in deterministic runs never draw)."""
        if self._rng is None:
            self._rng = self.world.streams.rng(f"production:{self.name}")
        return self._rng

    # -- order book -------------------------------------------------------------
    def add(self, order: Order, due: list[tuple[int, int]] | None = None) -> None:
        """Book an order; ``due``: (month, units) released a lead time before they are due."""
        if due:
            for month, units in due:
                release = month - self.lead
                order.unstarted -= units
                order.held += units
                heapq.heappush(self.releases, (release, order.contract_id, order, units))
        if order.european:
            bisect.insort(self.orders, order, key=self.book_key)
            self.unstarted += order.unstarted
            self.backlog += order.unstarted + order.held + order.in_work
        else:
            bisect.insort(self.others, order, key=self.book_key)
            self.other_unstarted += order.unstarted
            self.other_backlog += order.unstarted + order.held + order.in_work
        if order.unstarted:
            self._wait(order, 1)

    def _release(self, t: int) -> None:
        """Scheduled units whose start month has come join the units waiting for a start."""
        releases = self.releases
        while releases and releases[0][0] <= t:
            _, _, order, units = heapq.heappop(releases)
            if not order.unstarted:
                self._wait(order, 1)
            order.held -= units
            order.unstarted += units
            if order.european:
                self.unstarted += units
            else:
                self.other_unstarted += units

    def _wait(self, order: Order, change: int) -> None:
        """Keep count of who waits for a start, so the recorder need not scan order books."""
        waiting = self.waiting
        for buyer in order.buyers:
            count = waiting.get(buyer, 0) + change
            if count:
                waiting[buyer] = count
            else:
                del waiting[buyer]

    def rate(self, european: bool = True) -> float:
        """Units a month this line makes for one book (European buyers' or the others')."""
        return self.capacity * (self.europe_share if european else 1.0 - self.europe_share)

    def months_to_deliver(self, t: int, extra: int, european: bool = True) -> float:
        """Months until a new order of ``extra`` units signed in month ``t`` is delivered:
        the backlog ahead at this line's rate, then the manufacturing lead (a line with a
        short queue but a long lead is not the sooner one)."""
        rate = self.rate(european)
        if rate <= 0:
            return math.inf
        backlog = self.backlog if european else self.other_backlog
        return max(0, self.start_t - t) + (backlog + extra) / rate + self.lead

    # -- one month ----------------------------------------------------------------
    def month(self, t: int) -> None:
        if self.steps and self.steps[0][0] <= t:
            self._step_capacity(t)
        if self.releases and self.releases[0][0] <= t:
            self._release(t)
        if self.wip and self.wip[0][0] <= t:
            self._finish(t)
        if self.random_stoppages and t >= self.next_stoppage:
            self._stop(t)
        capacity = self.capacity if t >= self.start_t and t >= self.stopped_until else 0.0
        slots, other_slots = self._slots(capacity)
        want = self._component_want() if self.is_component else self.unstarted
        parts = self._parts_limit(t) if self.components else NO_LIMIT
        started = min(slots, want, parts)
        if capacity == 0.0 and t < self.stopped_until:
            self.limited_by = "stopped"
        elif want == 0:
            self.limited_by = "idle"
        elif parts < min(slots, want):
            self.limited_by = "components"
        elif slots < want:
            self.limited_by = "capacity"
        else:
            self.limited_by = "none"
        if started > 0:
            self._start(t, started, True)
        spare = slots - started if started == want else 0
        if spare and capacity * self.europe_share < 1.0:
            self._keep_idle(spare)
            spare = 0
        if self.is_component:
            self.other_output += other_slots  # the share sold outside the modelled lines
        else:
            self._serve_others(t, spare, other_slots, parts - started)
        self_funded(self)

    def _slots(self, capacity: float) -> tuple[int, int]:
        """Whole starts this month in Europe's share and in the rest; fractions carry over."""
        allowance = self.carry + capacity * self.europe_share
        slots = int(allowance)
        self.carry = allowance - slots
        allowance = self.other_carry + capacity * (1.0 - self.europe_share)
        other_slots = int(allowance)
        self.other_carry = allowance - other_slots
        return slots, other_slots

    def _keep_idle(self, spare: int) -> None:
        """A line making less than a unit a month keeps one unit of idle capacity, so a unit
        ordered after a quiet spell starts at once instead of a year later; the rest of its
        unused capacity passes to the buyers outside Europe."""
        total = self.carry + spare
        self.carry = min(1.0, total)
        self.other_carry += total - self.carry

    def warm_start(self) -> None:
        """Run the line's starts over the lead time before the start, without parts or
        deliveries, so it opens with the work in progress its current output implies.

        A line making 50 a month with a 24-month lead opens with up to 24 months of batches
        in work and delivers at its current rate from month 1 where its books hold the units;
        a component line opens with its downstream lines' use in work.
        """
        if self.lead <= 0 or self.start_t > 0:
            return
        slow = self.capacity * self.europe_share < 1.0
        if slow:
            self.carry = 1.0  # a slow line's idle capacity: one unit can start at once
        for t in range(-self.lead, 0):
            if self.releases and self.releases[0][0] <= t:
                self._release(t)
            slots, other_slots = self._slots(self.capacity)
            if self.is_component:
                want = math.ceil(sum(d.capacity * d.components[self.product]
                                     for d in self.downstream))
            else:
                want = self.unstarted
            count = min(slots, want)
            if count > 0:
                self._start(t, count, True, parts=False)
            spare = slots - count
            if spare and slow:
                self._keep_idle(spare)
                spare = 0
            others = min(other_slots + spare, self.other_unstarted)
            if others > 0 and not self.is_component:
                self._start(t, others, False, parts=False)
        self.started = 0  # running totals count from the start

    def _serve_others(self, t: int, spare: int, other_slots: int, parts: int) -> None:
        """Modelled buyers outside Europe first, in their share and any slots Europe left;
        the unmodelled rest of the world takes what is left."""
        want = self.other_unstarted
        slots = other_slots + spare
        started = min(slots, want, parts)
        if started > 0:
            self._start(t, started, False)
        rest = slots - started if started == want else 0
        if rest and self.components:  # the rest of the world's units need parts too
            rest = max(0, min(rest, parts - started))
            for name, qty in self.components.items():
                self.world.pools[name].level -= math.ceil(rest * qty)
        self.other_output += rest

    def _step_capacity(self, t: int) -> None:
        """An announced capacity step: the announced increase, on top of any expansions."""
        while self.steps and self.steps[0][0] <= t:
            _, added, share = self.steps.pop(0)
            self.capacity = max(0.0, self.capacity + added)
            self.ceiling = max(self.ceiling, self.capacity)
            if share is not None:
                self.europe_share = share

    def _stop(self, t: int) -> None:
        """A stoppage starts; the next one starts after a geometric number of working months.

        Drawing the wait, not a coin each month, gives the same chance of a stoppage in
        each month the line works, with one draw per stoppage instead of one per month.
        """
        self.stopped_until = t + max(1, math.ceil(self.rng.exponential(self.stoppage_months)))
        self.next_stoppage = self.stopped_until + int(self.rng.geometric(self.stoppage_chance)) - 1

    def _component_want(self) -> int:
        """Parts in the pool and in work to cover the downstream lines' use over this line's
        lead time plus the buffer the supply chain keeps (a base-stock rule), for every
        customer of those lines (the rest of the world's units take parts too), plus their
        orders waiting for a start."""
        pool = self.world.pools[self.product]
        need = 0.0
        cover = pool.buffer_months + self.lead
        horizon = int(self.world.env.now) + cover
        for line in self.downstream:
            qty = line.components[self.product]
            need += qty * (line.unstarted + line.other_unstarted
                           + cover * line.planned_capacity(horizon))
        return max(0, math.ceil(need) - pool.level - self.in_work)

    def planned_capacity(self, t: int) -> float:
        """Capacity once the announced steps due by month ``t`` have come: what suppliers
        plan for, so a ramp does not starve the line for a component's lead time."""
        return self.capacity + sum(added for month, added, _ in self.steps if month <= t)

    def _parts_limit(self, t: int) -> int:
        pools = self.world.pools
        return min(int(pools[name].share(self, t) // qty)
                   for name, qty in self.components.items())

    def part_weight(self, t: int) -> float:
        """What this line could start this month, for sharing a component pool: its whole
        capacity if part of it serves buyers outside Europe (the rest of the world takes
        any slots left), else its capacity up to the units waiting; none while it is not
        yet open or stopped."""
        if t < self.start_t or t < self.stopped_until:
            return 0.0
        if self.europe_share < 1.0:
            return self.capacity
        return min(self.capacity, float(self.unstarted + self.other_unstarted))

    def _start(self, t: int, count: int, european: bool, parts: bool = True) -> None:
        """Start ``count`` units, oldest orders first; ``parts``: draw components for them."""
        if parts:
            for name, qty in self.components.items():
                self.world.pools[name].level -= math.ceil(count * qty)
        batch: list[tuple[Order | None, int]] = []
        if self.is_component:
            batch.append((None, count))
        else:
            book = self.orders if european else self.others
            waiting = self.unstarted if european else self.other_unstarted
            # every waiting unit starts: any rule gives the same, so skip the rule's work
            split = self.split if count < waiting else in_turn
            for order, part in split(book, count, self):
                order.unstarted -= part
                if not order.unstarted:
                    self._wait(order, -1)
                order.in_work += part
                self._follow(order, part)
                batch.append((order, part))
            if european:
                self.unstarted -= count
            else:
                self.other_unstarted -= count
        by_buyer = _by_buyer(batch)
        self.wip.append((t + self.lead, batch, by_buyer))
        self._count_in_work(by_buyer, 1)
        self.in_work += count
        self.started += count
        if self.lead <= 0 and t >= 0:
            self._finish(t)

    def _finish(self, t: int) -> None:
        wip = self.wip
        checks = self.failure > 0
        deliver = self.world.deliver
        while wip and wip[0][0] <= t:
            _, batch, by_buyer = wip.popleft()
            self._count_in_work(by_buyer, -1)
            for order, count in batch:
                rejected = self._rejections(count) if checks else 0
                accepted = count - rejected
                self.in_work -= count
                self.rejected += rejected
                self.delivered += accepted
                if order is None:
                    self.world.pools[self.product].level += accepted
                    continue
                order.in_work -= count
                self._follow(order, -count)
                if rejected:
                    if not order.unstarted:
                        self._wait(order, 1)
                    order.unstarted += rejected  # failed units are built again
                if order.european:
                    self.unstarted += rejected
                    self.backlog -= accepted
                else:
                    self.other_unstarted += rejected
                    self.other_backlog -= accepted
                if accepted:
                    order.delivered += accepted
                    deliver(order, order.split(accepted))
                if not (order.unstarted or order.in_work or order.held):
                    (self.orders if order.european else self.others).remove(order)

    def _follow(self, order: Order, count: int) -> None:
        """Keep each buyer's interceptors in work on its holding (its share of a shared
        order), so that a short line does not send a second load to the same launchers."""
        if self.makes_fire_units:
            return
        holdings = self.world.holdings
        if order.single is not None:  # most orders: one buyer, all the units
            holding = holdings.get((order.single, self.system))
            if holding is not None:
                holding.in_work += float(count)
            return
        for buyer, share in _shares(order, count):
            holding = holdings.get((buyer, self.system))
            if holding is not None:
                holding.in_work += share

    def shortfalls(self) -> dict[str, float]:
        """Interceptors of this line's product each waiting buyer lacks for a combat load on
        its fire units in service or due within this line's lead (the product's share of the
        mix): a missile started now should arm a launcher that will be there when it is."""
        if not self.mix_share:
            return {}
        world = self.world
        holdings = world.holdings
        system = self.system
        waiting = [(buyer, holding) for buyer in self.waiting
                   if (holding := holdings.get((buyer, system))) is not None]
        if not waiting:  # only buyers without holdings here (the rest of the world's)
            return {}
        if self._fire_unit_lines is None:  # every line exists by the first month's starts
            self._fire_unit_lines = world.lines_by_product.get(
                world.system_products[system][0], [])
        t = int(world.env.now)
        dues = [line.due_within(t, self.lead) for line in self._fire_unit_lines]
        found = {}
        for buyer, holding in waiting:
            coming = 0.0
            for due in dues:
                if buyer in due:
                    coming += due[buyer]
            short = (holding.unarmed + coming * holding.combat_load) * self.mix_share
            if short > 0:
                found[buyer] = short
        return found

    def due_within(self, t: int, months: int) -> dict[str, float]:
        """Units each buyer will have from this line within ``months``: batches in work that
        finish by then, and the European book's next starts in turn at today's rate. Kept
        while nothing that decides it moves: every interceptor line of the system asks."""
        key = (t, months, self.started, self.delivered, self.rejected, self.unstarted,
               len(self.wip), self.capacity, self.europe_share)
        if self._due[0] == key:
            return self._due[1]
        due = self._due_in_work(t + months)
        room = self.capacity * self.europe_share * max(0, months - self.lead)
        for order in self.orders:
            if room <= 0:
                break
            part = min(room, order.unstarted)
            _add_shares(due, order, part)
            room -= part
        self._due = (key, due)
        return due

    def _count_in_work(self, by_buyer: dict[str, int] | None, sign: int) -> None:
        """Keep the units in work by buyer (batches whose orders each have one buyer)."""
        if by_buyer is None:
            self._shared_batches += sign
            return
        totals = self._in_work_by_buyer
        for buyer, units in by_buyer.items():
            totals[buyer] = totals.get(buyer, 0) + sign * units

    def _due_in_work(self, end: int) -> dict[str, float]:
        """Each buyer's units in batches finishing by month ``end``. Whole units, summed as
        integers, while every order in them has one buyer (the sum is then exact in any
        order); unit by unit in batch order where an order is shared."""
        wip = self.wip
        if not self._shared_batches and (not wip or wip[-1][0] <= end):  # all of it
            return {buyer: float(units) for buyer, units in self._in_work_by_buyer.items()
                    if units}
        totals: dict[str, int] = {}
        for finish, _, by_buyer in wip:
            if finish > end:
                break
            if by_buyer is None:
                return self._due_shared(end)
            for buyer, units in by_buyer.items():
                totals[buyer] = totals.get(buyer, 0) + units
        return {buyer: float(units) for buyer, units in totals.items()}

    def _due_shared(self, end: int) -> dict[str, float]:
        due: dict[str, float] = {}
        for finish, batch, _ in self.wip:
            if finish > end:
                break
            for order, count in batch:
                if order is not None:
                    _add_shares(due, order, count)
        return due

    def _rejections(self, count: int) -> int:
        failure = self.failure
        if failure <= 0 or count <= 0:
            return 0
        if not self.world.deterministic:
            return int(self.rng.binomial(count, failure))
        self.reject_carry += count * failure
        rejected = min(count, int(self.reject_carry + 1e-9))
        self.reject_carry -= rejected
        return rejected

    # -- recording ----------------------------------------------------------------
    @property
    def on_books(self) -> int:
        """Units the line still owes: its backlog, or for a component line what it must make."""
        return self._component_want() if self.is_component else self.backlog
