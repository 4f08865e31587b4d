"""One run: wires budgets, buyers, lines, stocks and the recorder into a SimPy environment.

Within a month the processes run in a fixed order by phase: budgets (0.0),
procurement (0.1), production (0.2), consumption (0.3), recording (0.9).
The world knows nothing of files or the CLI; it takes a scenario whose inputs
are already numbers and returns tables.
"""

from __future__ import annotations

import gc
import math
from dataclasses import dataclass, field

import pandas as pd
import simpy

from stockpile.model.buying.procurement import Buyer, NationalChannel
from stockpile.model.calendar import Calendar
from stockpile.model.industry.expansion import industry_account
from stockpile.model.industry.production import (
    ComponentPool,
    Order,
    ProductionLine,
    industry_process,
)
from stockpile.model.money.budget import Account, budget_process
from stockpile.model.money.pricing import PriceBook
from stockpile.model.recording.capability import Recorder
from stockpile.model.recording.tables import deliveries_frame, rows_frame
from stockpile.model.records import (
    BurdenRow,
    CapabilityRow,
    ContractRow,
    DecisionRow,
    DeliveryRow,
    ExpansionRow,
    GoalRow,
)
from stockpile.model.start.opening import build
from stockpile.model.start.recorded import dated_processes, recorded_process
from stockpile.model.stocks.consumption import Consumer, consumers_process
from stockpile.model.stocks.inventory import Holding
from stockpile.model.streams import Streams
from stockpile.scenario import resolve
from stockpile.scenario.schema import Scenario


@dataclass
class RunOutput:
    """The tables of one run (columns documented in ``records.COLUMNS``)."""

    seed: int
    goal: pd.DataFrame
    timeseries: pd.DataFrame
    production: pd.DataFrame
    budget: pd.DataFrame
    constraints: pd.DataFrame
    contracts: pd.DataFrame
    capability: pd.DataFrame
    deliveries: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=list(DeliveryRow._fields)))
    expansions: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=list(ExpansionRow._fields)))
    decisions: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=list(DecisionRow._fields)))
    burden: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=list(BurdenRow._fields)))
    sampled: dict[str, float] = field(default_factory=dict)
    events: int = 0


class World:
    def __init__(self, scenario: Scenario, seed: int, deterministic: bool = False):
        self.scenario = scenario
        self.deterministic = deterministic
        self.streams = Streams(seed)
        self.calendar = Calendar.between(scenario.time.start, scenario.time.end)
        self.env = simpy.Environment()
        self.countries = {iso: resolve.country(scenario, iso) for iso in scenario.countries}
        self.members = resolve.goal_members(scenario, self.countries)
        self.accounts = {iso: Account(iso) for iso in self.countries}
        self.plans = {iso: resolve.plan(scenario, iso, filled)
                      for iso, filled in self.countries.items()}
        self._read_systems()
        self.prices = PriceBook(scenario.products, scenario.economy)
        self._build_lines()
        self.holdings: dict[tuple[str, str], Holding] = {}
        self._by_country: dict[str, list[tuple[str, Holding]]] = {iso: [] for iso in
                                                                   self.countries}
        self.contracts: list[ContractRow] = []
        self.decisions: list[DecisionRow] = []
        self.deliveries: list[tuple[int, int, dict[str, int]]] = []  # (month, contract, shares)
        self._contract_count = 0
        self._divert_carry: dict[str, float] = {}
        self.european = {iso for iso, filled in self.countries.items() if filled.european}
        self.recorded = build(self)  # contracts signed after the start, by date
        self.buyers = {iso: Buyer(self, iso) for iso in self.countries}
        self.national = NationalChannel(self)
        self.joint = None
        if scenario.procurement.mode == "joint":
            from stockpile.model.buying.joint import LeadNation

            self.joint = LeadNation(self)
        conflict = scenario.consumption.conflict
        self.conflict_start = (self.calendar.from_decimal_year(float(conflict.start_year))
                               if conflict.enabled else math.inf)
        self.conflict_end = self.conflict_start + max(0, round(float(conflict.duration_months)))
        self.line_list = list(self.lines.values())
        self.account_list = self.all_accounts()
        self.recorder = Recorder(self)
        self.recorder.open()

    # -- set-up -------------------------------------------------------------------
    def _read_systems(self) -> None:
        s = self.scenario
        # a system's weight in the goal: its own, times its layer's (goal.layer_weights)
        layer_weights = {k: float(v) for k, v in s.goal.layer_weights.items()}
        self.weights = {name: float(row.capability_weight) * layer_weights.get(row.layer, 1.0)
                        for name, row in s.systems.items()}
        self.layers = {name: row.layer for name, row in s.systems.items()}
        self.training_rates = {name: float(row.training_shots_per_fu_year)
                               for name, row in s.systems.items()}
        self.system_products = {name: resolve.system_products(s, name) for name in s.systems}
        self.product_system = {p: row.system for p, row in s.products.items() if row.system}
        self.fire_unit_products = {fire_unit for fire_unit, _ in self.system_products.values()
                                   if fire_unit}  # a legacy system may have none
        self.life_months = {p: 12 * float(row.shelf_life_years)
                            if row.shelf_life_years is not None else math.inf
                            for p, row in s.products.items()}
        self.down_share = float(s.procurement.down_payment_share)
        self.diverted = {iso: float(v) for iso, v in s.consumption.diverted_share.items()}
        self.mix: dict[str, dict[str, float]] = {}
        for system, (_, interceptors) in self.system_products.items():
            shares = {p: float(s.products[p].mix_share) if s.products[p].mix_share is not None
                      else 1.0 for p in interceptors}
            total = sum(shares.values()) or 1.0
            self.mix[system] = {p: v / total for p, v in shares.items()}

    def _build_lines(self) -> None:
        s = self.scenario
        self.pools = {p: ComponentPool(p, float(row.buffer_months or 0.0))
                      for p, row in s.products.items() if row.kind == "component"}
        self.lines = {name: ProductionLine(self, name, row,
                                           s.products[row.product].kind == "component")
                      for name, row in sorted(s.lines.items())}
        self.expansions: list[ExpansionRow] = []
        self.industry: dict[str, Account] = {}  # manufacturers' own investment, by name
        for line in self.lines.values():
            industry_account(self, line)
        self.lines_by_product: dict[str, list[ProductionLine]] = {}
        for line in self.lines.values():
            self.lines_by_product.setdefault(line.product, []).append(line)
        for line in self.lines.values():
            for component in line.components:
                for upstream in self.lines_by_product.get(component, []):
                    upstream.downstream.append(line)
                self.pools[component].users.append(line)

    # -- lookups --------------------------------------------------------------------
    def holding(self, iso: str, system: str) -> Holding:
        key = (iso, system)
        holding = self.holdings.get(key)
        if holding is None:
            load = int(self.scenario.systems[system].combat_load)
            holding = self.holdings[key] = Holding(iso, system, load)
            self._by_country.setdefault(iso, []).append((system, holding))
        return holding

    def holdings_of(self, iso: str) -> list[tuple[str, Holding]]:
        return self._by_country[iso]

    def channel(self, iso: str, system: str):
        if self.joint is not None and self.joint.covers(iso, system):
            return self.joint
        return self.national

    def conflict_active(self, t: int) -> bool:
        return self.conflict_start <= t < self.conflict_end

    def all_accounts(self) -> list[Account]:
        extra = self.joint.accounts() if self.joint is not None else []
        return [*self.accounts.values(), *extra,
                *(self.industry[name] for name in sorted(self.industry))]

    # -- contracts and deliveries ----------------------------------------------------
    def sign(self, product: str, buyers: dict[str, int], unit_price: float, channel: str,
             earmarks: dict[str, float], lead: str = "", discount: float = 0.0,
             priority: int = 1, settle=None, tier: int = 0,
             call_offs: list[tuple[str, int, int]] | None = None) -> Order:
        """Commit the buyers' money, pay the down payment, and put the order on a line."""
        down = self.down_share
        system = self.product_system[product]
        is_fire_unit = product in self.fire_unit_products
        for iso, quantity in buyers.items():
            value = quantity * unit_price
            account = self.accounts[iso]
            account.commit(value, earmarked=earmarks.get(iso, 0.0))
            account.pay(value * down)
            holding = self.holding(iso, system)
            if is_fire_unit:
                holding.fu_pending -= quantity
                holding.fu_on_order += quantity
            else:
                holding.pending -= quantity
                holding.on_order += quantity
        settle = settle or self.settle_national
        return self.place(product, buyers, unit_price, channel, priority, settle, lead, discount,
                          tier=tier, call_offs=call_offs)

    def place(self, product: str, buyers: dict[str, int], unit_price: float, channel: str,
              priority: int, settle, lead: str = "", discount: float = 0.0,
              signed: str | None = None, due: list[tuple[int, int]] | None = None,
              label: str = "", tier: int = 0,
              call_offs: list[tuple[str, int, int]] | None = None) -> Order:
        """Put an order on the line of its product that would deliver it soonest.

        European buyers' orders go to the lines' European books; any other buyer's to the
        books of buyers outside Europe. ``due``: a delivery schedule, (month, units).
        ``call_offs``: (buyer, units, tier) of a pooled contract, each booked as that
        buyer's own order under the one contract (the first is returned).
        """
        t = int(self.env.now)
        self._contract_count += 1
        contract_id = self._contract_count
        date = signed or self.calendar.date(t)
        parts = ([({iso: units}, part_tier) for iso, units, part_tier in call_offs]
                 if call_offs else [(buyers, tier)])
        lines = self.lines_by_product[product]
        first = None
        for part, part_tier in parts:  # each call-off on its line, as a national contract
            european = all(iso in self.european for iso in part)
            line = lines[0] if len(lines) == 1 else min(lines, key=lambda ln: (
                ln.months_to_deliver(t, sum(part.values()), european), ln.name))
            order = Order(contract_id, product, part, unit_price, channel, priority, settle,
                          european, part_tier)
            line.add(order, due)
            first = first or order
            for iso, quantity in sorted(part.items()):
                self.contracts.append(ContractRow(contract_id, date, product, line.name,
                                                  channel, lead, iso, quantity, unit_price,
                                                  discount, quantity * unit_price, label))
        return first

    def settle_national(self, iso: str, units: int, order: Order) -> None:
        account = self.accounts.get(iso)
        if account is not None:
            account.pay(units * order.unit_price * (1.0 - self.down_share))

    def deliver(self, order: Order, shares: dict[str, int]) -> None:
        """Units accepted by the line reach their buyers, who pay for them."""
        t = int(self.env.now)
        product = order.product
        system = self.product_system[product]
        self.deliveries.append((t, order.contract_id, shares))
        holdings = self.holdings
        joint = order.channel == "joint"
        settle = order.settle
        if product in self.fire_unit_products:
            for iso, units in shares.items():
                holding = holdings[iso, system]
                holding.fire_units += units
                holding.fu_on_order -= units
                holding.fu_delivered += units
                if joint:
                    holding.delivered_joint += units
                if settle is not None:
                    settle(iso, units, order)
            return
        expiry = t + self.life_months[product]
        for iso, units in shares.items():
            holding = holdings[iso, system]
            holding.add_interceptors(product, units, expiry)
            holding.on_order -= units
            holding.delivered += units
            if joint:
                holding.delivered_joint += units
            if iso in self.diverted:
                self._divert(holding, units)
            if settle is not None:
                settle(iso, units, order)

    def _divert(self, holding: Holding, units: int) -> None:
        """A share of interceptor deliveries goes straight on to Ukraine."""
        share = self.diverted.get(holding.country, 0.0)
        if share <= 0:
            return
        if self.deterministic:
            due = self._divert_carry.get(holding.country, 0.0) + share * units
            count = int(due + 1e-9)
            self._divert_carry[holding.country] = due - count
        else:
            rng = self.streams.rng(f"donations:{holding.country}")
            count = int(rng.binomial(units, share))
        holding.donated += holding.take_interceptors(count)

    # -- running ----------------------------------------------------------------------
    def run(self) -> RunOutput:
        env = self.env
        for iso in self.countries:
            env.process(budget_process(self, iso))
        recorded = self.recorded
        if self.scenario.procurement.decisions == "model":
            for buyer in self.buyers.values():
                env.process(buyer.process())
            # other customers' orders are inputs, not decisions: they are signed either way
            recorded = [(c, row) for c, row in recorded
                        if not any(b in self.countries for b in row.buyers)]
        if recorded:
            env.process(recorded_process(self, recorded))
        if self.joint is not None:
            env.process(self.joint.process())
        # upstream first: parts finished this month can be fitted this month
        env.process(industry_process(self, sorted(
            self.lines.values(), key=lambda ln: (not ln.is_component, ln.name))))
        env.process(consumers_process(self, [Consumer(self, iso) for iso in self.countries]))
        dated_processes(self)  # transfers and funds on their dates
        env.process(self.recorder.process())
        collecting = gc.isenabled()
        gc.disable()  # a run makes many small objects and no garbage worth a collector pass
        try:
            env.run(until=self.calendar.months)
            return self._output()
        finally:
            if collecting:
                gc.enable()

    def dismantle(self) -> None:
        """Break a finished run's reference cycles (lines, buyers, orders and SimPy's
        processes all point back to the world), so reference counting frees its ~20,000
        objects at once instead of the garbage collector tracing them: a sweep spent ~20 ms
        a run in ``gc.collect``. The world cannot be used afterwards."""
        for *_, event in self.env._queue:  # type: ignore[attr-defined]
            event.callbacks = None  # a waiting event and its process point at each other
        self.env._queue.clear()  # type: ignore[attr-defined]
        self.__dict__.clear()

    def _output(self) -> RunOutput:
        rec = self.recorder
        goal, path = rec.goal()
        return RunOutput(
            seed=self.streams.seed,
            goal=rows_frame(goal, GoalRow),
            timeseries=rec.timeseries(),
            production=rec.production(),
            budget=rec.budget(),
            constraints=rec.constraints(),
            contracts=rows_frame(self.contracts, ContractRow),
            capability=rows_frame(path, CapabilityRow),
            deliveries=deliveries_frame(self.deliveries, self.calendar),
            expansions=rows_frame(self.expansions, ExpansionRow),
            decisions=rows_frame(self.decisions, DecisionRow),
            burden=rec.burden(),
            events=events_scheduled(self.env),
        )


def events_scheduled(env: simpy.Environment) -> int:
    """SimPy numbers every event it schedules; the next number is the count so far."""
    return next(env._eid)  # type: ignore[attr-defined]
