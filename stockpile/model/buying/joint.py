"""Joint procurement led by one nation (SPEC 2.4): pooled demand, framework contracts, financing.

Members of the programme send their yearly demand for the programme's systems to the lead
nation instead of contracting alone; everyone else, and every other system, stays national
(``World.channel``). What pooling changes, and how:

- **Time.** Pools close in the members' decision month and every
  ``pooling_interval_months`` after it (and in the first month, for the decisions taken
  then), right after the decisions (phase 0.15). Agreeing a pool takes the coordination
  delay, then ONE contracting delay for the whole pool, after which one framework contract
  per product is signed with every member as a buyer.
- **Price.** The pooled price is what the members would have paid, averaged, less a volume
  discount: ``(1 − d) × Σ earmarked / Σ quantity`` with
  ``d = max_share × Q / (Q + half_volume)`` and ``Q`` the pooled quantity. Each member's
  demand was quoted (learning curve, inflation) and its money earmarked when it decided.
- **Priority.** With ``priority`` the contract goes on the line with priority 0: it starts
  before every national order still waiting on that line, however early that was signed.
- **Industry.** See ``Framework``: the unplaced rest of a multi-year commitment counts toward
  the line's expansion trigger.
- **Money.** A member commits its share at signature (down payment then, the rest on
  delivery, through ``settle``), from the money it earmarked plus its free money. For a
  contract with at least ``min_buyers`` buyers, from ``first_year``, the EU loan facility
  (account ``eu_loan``) first lends each member its share of the contract, pro rata while the
  facility lasts; a loan's principal is repaid in equal monthly instalments after its grace
  years (SAFE: 10 of up to 45; interest is left out), from the member's free money. A member
  still short gets the lead nation's bridge money (account ``lead:ISO3``, at most
  ``limit_eur_m`` outstanding at once), repaid in equal monthly instalments over
  ``repayment_months`` from its free money, ahead of its next decisions (phase 0.05);
  unpaid instalments wait for later credits. Units a member
  still cannot pay for are dropped from the contract (it will decide again next year).
  Members only ever order what their own money covers at the national quote, so the bridge
  only closes gaps left by the pooled average price; the facility lends, to be repaid.
  Lending is ``paid`` in the lender's account and ``received`` (bridge: and ``owed``) in the
  member's; repayments are ``paid`` by the member and ``received`` by the lead.

A pooled contract is one contract (one id, one price, one signature) whose members'
demands are **call-offs**: each member's first loads and reserves, in the order they were
decided, booked on the product's lines as that member's own order would be (its tier, its
book, the line that would deliver it soonest). How framework contracts such as NSPA's work:
the nations call off under one contract and are delivered what they called off; a line does
not spread a pooled contract pro rata (that left every member's loads partial for months,
and sent a member outside Europe's whole pool to the other book).

Joint equals national, stock for stock, when pooling changes nothing: no discount
(``max_share: 0``), no framework (``framework_years: 0``), no priority, no financing (bridge
off, facility amount 0), a pool every month (``pooling_interval_months: 1``) with no
coordination delay and the national contracting delay, so that each contract is signed in
the same month as its national twin (a fraction of a month later, still before the lines
run); and members' quotes that are equal (no learning curve, ``learning_rate: 1``, or one
member per product), so the pooled average is each member's own price. With every country a
member and every system in the programme every stock, flow and account is then the same in
both modes, short lines included (tests/test_properties.py asserts the goal metric equal).
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import TYPE_CHECKING

from stockpile.model.buying.procurement import Demand
from stockpile.model.industry.production import Order, ProductionLine
from stockpile.model.money.budget import EPS, Account
from stockpile.scenario import resolve

if TYPE_CHECKING:
    from stockpile.model.world import World

PHASE_REPAY = 0.05  # after budgets (0.0), before decisions (0.1): debts are served first
PHASE_POOL = 0.15  # after decisions (0.1), before lines (0.2): demand is pooled the same month


def call_offs(demands: list[Demand], funded: dict[str, int]) -> list[tuple[str, int, int]]:
    """A pooled contract's call-offs: each member's demands in the order they were decided
    (first loads before reserves), as far as its funded units go, so a unit a member could
    not pay for leaves its reserve first. (country, units, tier)"""
    left = dict(funded)
    found = []
    for demand in demands:
        units = min(demand.quantity, left.get(demand.country, 0))
        if units:
            found.append((demand.country, units, demand.tier))
            left[demand.country] -= units
    return found


def volume_discount(quantity: float, max_share: float, half_volume: float) -> float:
    """Share of the price saved on a pooled quantity: max_share × q / (q + half_volume)."""
    if quantity <= 0 or max_share <= 0:
        return 0.0
    return max_share * quantity / (quantity + half_volume)


class Framework:
    """A multi-year commitment to one product, which lets its manufacturer invest early.

    Rule: when a pooled contract is signed and no commitment is open (none yet, term over,
    or all of it placed), the programme commits ``framework_years`` × its yearly pooled
    quantity of the product — the pooled quantity of the last 12 months (of the last
    pooling interval, scaled to a year, if that is longer) — for ``framework_years``. The
    contract itself places the first part; each later pooled contract places more. The
    unplaced rest is committed future demand: it is shared over the product's lines by their
    European capacity as ``ProductionLine.framework_units``, which the expansion trigger adds
    to the backlog. It falls as contracts are placed and ends with the term, whether or not
    the members bought it all (the manufacturer carries that risk).
    """

    def __init__(self, lines: list[ProductionLine], years: float, interval: int):
        self.lines = lines
        self.years = years
        self.window = max(12, interval)
        self.remaining = 0.0
        self.end = -math.inf
        self.placed: list[tuple[int, int]] = []  # (month, pooled quantity)

    def place(self, t: int, quantity: int) -> None:
        self.placed = [(s, q) for s, q in self.placed if s > t - self.window]
        self.placed.append((t, quantity))
        if self.remaining <= 0 or t >= self.end:
            yearly = sum(q for _, q in self.placed) * 12 / self.window
            self.remaining = max(0.0, self.years * yearly - quantity)
            self.end = t + 12 * self.years
        else:
            self.remaining = max(0.0, self.remaining - quantity)
        self._spread()

    def expire(self, t: int) -> None:
        if self.remaining > 0 and t >= self.end:
            self.remaining = 0.0
            self._spread()

    def _spread(self) -> None:
        weights = [line.capacity * line.europe_share for line in self.lines]
        total = sum(weights)
        for line, weight in zip(self.lines, weights, strict=True):
            share = weight / total if total > 0 else 1.0 / len(self.lines)
            line.framework_units = self.remaining * share


class BridgeLoan:
    """Bridge money lent to one member at a signature, repaid in equal monthly instalments."""

    __slots__ = ("amount", "country", "months", "repaid", "start")

    def __init__(self, country: str, amount: float, start: int, months: int):
        self.country = country
        self.amount = amount
        self.start = start
        self.months = months
        self.repaid = 0.0

    def due(self, t: int) -> float:
        """Instalments fallen due by month ``t`` and not yet repaid."""
        elapsed = t - self.start
        if elapsed <= 0:
            return 0.0
        scheduled = self.amount * min(1.0, elapsed / self.months) if self.months else self.amount
        return max(0.0, scheduled - self.repaid)


class LeadNation:
    """The lead nation's programme office: pools members' demand and signs for them."""

    def __init__(self, world: World):
        self.world = world
        s = world.scenario
        cfg = s.joint
        self.lead = cfg.lead
        self.members = set(resolve.joint_members(s))
        self.systems = set(cfg.systems)
        self.interval = int(cfg.pooling_interval_months)
        self.coordination = max(0, round(float(cfg.coordination_delay_months)))
        self.contracting = max(0, round(float(cfg.contracting_delay_months)))
        self.max_share = float(cfg.discount.max_share)
        self.half_volume = float(cfg.discount.half_volume)
        self.priority = 0 if cfg.priority else 1
        self.down = float(s.procurement.down_payment_share)
        self.bridge = Account(f"lead:{self.lead}")
        self.bridge_on = bool(cfg.bridge.enabled)
        self.repayment_months = max(0, round(float(cfg.bridge.repayment_months)))
        self.facility = Account("eu_loan")
        self.loan_amount = float(cfg.eu_loan.amount_eur_m)
        self.loan_first_t = self._first_month_of(int(cfg.eu_loan.first_year))
        self.min_buyers = int(cfg.eu_loan.min_buyers)
        self.loans: list[BridgeLoan] = []
        self.eu_loans: list[BridgeLoan] = []
        self.eu_grace = round(12 * float(cfg.eu_loan.grace_years))
        self.eu_months = round(12 * float(cfg.eu_loan.repayment_years))
        self.pool: list[Demand] = []
        years = float(cfg.framework_years)
        self.frameworks = {product: Framework(lines, years, self.interval)
                           for product, lines in world.lines_by_product.items()} \
            if years > 0 else {}
        cal = world.calendar
        decision = s.procurement.decision_month
        self.first_close = next(t for t in range(12) if cal.month_of_year(t) == decision)
        if self.bridge_on:
            self.bridge.credit(float(cfg.bridge.limit_eur_m))

    def _first_month_of(self, year: int) -> int:
        cal = self.world.calendar
        return next((t for t in range(cal.months) if cal.year(t) >= year), cal.months)

    # -- the interface World uses ------------------------------------------------------
    def covers(self, iso: str, system: str) -> bool:
        return iso in self.members and system in self.systems

    def submit(self, demand: Demand) -> None:
        """A member's decision joins the next pool (its money is already earmarked)."""
        self.pool.append(demand)

    def accounts(self) -> list[Account]:
        return [self.bridge, self.facility]

    def process(self) -> Generator:
        """Each month: open the facility, collect repayments, end frameworks; close pools."""
        env = self.world.env
        yield env.timeout(PHASE_REPAY)
        for t in range(self.world.calendar.months):
            if t == self.loan_first_t and self.loan_amount > 0:
                self.facility.credit(self.loan_amount)
            self._collect_repayments(t)
            for framework in self.frameworks.values():
                framework.expire(t)
            yield env.timeout(PHASE_POOL - PHASE_REPAY)
            if self.pool and self._closes(t):
                env.process(self._negotiate(self.pool))
                self.pool = []
            yield env.timeout(1 - (PHASE_POOL - PHASE_REPAY))

    def _closes(self, t: int) -> bool:
        return t == 0 or (t >= self.first_close and (t - self.first_close) % self.interval == 0)

    def _negotiate(self, demands: list[Demand]) -> Generator:
        """Agree the pool, then contract it: one framework contract per product."""
        env = self.world.env
        yield env.timeout(self.coordination)
        yield env.timeout(self.contracting)
        by_product: dict[str, list[Demand]] = {}
        for demand in demands:
            by_product.setdefault(demand.product, []).append(demand)
        for product in sorted(by_product):
            self._sign(product, by_product[product])

    # -- signing --------------------------------------------------------------------------
    def _sign(self, product: str, demands: list[Demand]) -> Order | None:
        quantity: dict[str, int] = {}
        earmark: dict[str, float] = {}
        for demand in demands:
            quantity[demand.country] = quantity.get(demand.country, 0) + demand.quantity
            earmark[demand.country] = earmark.get(demand.country, 0.0) + demand.value
        total = sum(quantity.values())
        discount = volume_discount(total, self.max_share, self.half_volume)
        price = (1.0 - discount) * sum(earmark.values()) / total
        quantity = self._finance(product, dict(sorted(quantity.items())), earmark, price)
        for iso in [iso for iso in earmark if not quantity.get(iso)]:
            self.world.accounts[iso].release(earmark.pop(iso))
        if not quantity:
            return None
        order = self.world.sign(product, quantity, price, channel="joint", earmarks=earmark,
                                lead=self.lead, discount=discount, priority=self.priority,
                                settle=self.settle, call_offs=call_offs(demands, quantity))
        if product in self.frameworks:
            self.frameworks[product].place(int(self.world.env.now), sum(quantity.values()))
        return order

    def _finance(self, product: str, quantity: dict[str, int], earmark: dict[str, float],
                 price: float) -> dict[str, int]:
        """Lend what the facility covers, bridge what members lack; drop what stays unpaid."""
        accounts = self.world.accounts
        value = {iso: q * price for iso, q in quantity.items()}
        self._lend(value)
        funded = {}
        for iso, q in quantity.items():
            account = accounts[iso]
            own = earmark[iso] + account.free
            short = value[iso] - own
            if short > EPS and self.bridge_on:
                own += self._bridge(iso, min(short, self.bridge.available))
            affordable = q if value[iso] <= own + EPS else min(q, math.floor(own / price + 1e-9))
            if affordable < q:
                self._drop(iso, product, q - affordable)
            if affordable:
                funded[iso] = affordable
        return funded

    def _lend(self, value: dict[str, float]) -> None:
        """The EU facility lends each member its share, pro rata while its money lasts."""
        total = sum(value.values())
        if len(value) < self.min_buyers or self.facility.available <= EPS or total <= 0:
            return
        cover = min(self.facility.available, total)
        for iso, amount in value.items():
            loan = cover * amount / total
            if loan > 0:
                self.facility.spend(loan)
                self.world.accounts[iso].receive(loan, repayable=True)
                start = int(self.world.env.now) + self.eu_grace
                self.eu_loans.append(BridgeLoan(iso, loan, start, self.eu_months))

    def _bridge(self, iso: str, amount: float) -> float:
        if amount <= EPS:
            return 0.0
        self.bridge.spend(amount)
        self.world.accounts[iso].receive(amount, repayable=True)
        self.loans.append(BridgeLoan(iso, amount, int(self.world.env.now),
                                     self.repayment_months))
        return amount

    def _drop(self, iso: str, product: str, units: int) -> None:
        """Units a member cannot pay for leave the pool; it will decide on them again."""
        world = self.world
        system = world.product_system[product]
        holding = world.holding(iso, system)
        if product in world.fire_unit_products:
            holding.fu_pending -= units
        else:
            holding.pending -= units

    def _collect_repayments(self, t: int) -> None:
        """Members repay bridge and EU instalments that have fallen due, from free money."""
        self._repay(self.loans, self.bridge, t)
        self._repay(self.eu_loans, self.facility, t)

    def _repay(self, loans: list[BridgeLoan], lender: Account, t: int) -> None:
        if not loans:
            return
        accounts = self.world.accounts
        for loan in loans:
            account = accounts[loan.country]
            amount = min(loan.due(t), account.free)
            if amount > EPS:
                account.spend(amount)
                account.owed = max(0.0, account.owed - amount)
                lender.receive(amount)
                loan.repaid += amount
        self.loans = [loan for loan in self.loans if loan.amount - loan.repaid > EPS]

    def settle(self, iso: str, units: int, order: Order) -> None:
        """A member pays for its delivered share: the price less the down payment made."""
        self.world.accounts[iso].pay(units * order.unit_price * (1.0 - self.down))
