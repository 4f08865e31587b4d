"""The opening state: a world already in motion when the clock starts.

Turns a scenario into what holds at its first month: opening stocks and legacy
retirements, contracts signed before the start sitting in their lines' order books
(paid as delivered, the down payment made before the start), work in progress
matching each line's current output, component pools holding their supply
chain's buffer, and the announced capacity steps still to come. ``World`` calls
``build`` once; nothing here runs during the simulation.
"""

from __future__ import annotations

import math
from collections import Counter
from functools import lru_cache
from typing import TYPE_CHECKING

from stockpile.model.buying.procurement import largest_remainder
from stockpile.model.calendar import Calendar
from stockpile.scenario.schedules import due_counts
from stockpile.scenario.schema import ContractRow, HoldingRow

if TYPE_CHECKING:
    from stockpile.model.world import World


def build(world: World) -> list[tuple[str, ContractRow]]:
    """Set up the opening state; return the contracts signed after the start, by date."""
    _capacity_steps(world)
    _stocks(world)
    later = []
    start = world.scenario.time.start
    for contract_id, row in sorted(world.scenario.contracts.items(),
                                   key=lambda item: (item[1].signed, item[0])):
        if row.signed < start:
            book_contract(world, contract_id, row, opening=True)
        else:
            later.append((contract_id, row))
    for line in world.lines.values():
        line.warm_start()
    _fill_pools(world)
    return later


# -- stocks -------------------------------------------------------------------------
def _stocks(world: World) -> None:
    """Opening stocks, legacy retirements and the orders the inventories table lists."""
    for iso in world.countries:
        for system in world.plans[iso]:
            if system in world.scenario.systems:
                world.holding(iso, system)
    for iso, rows in sorted(world.scenario.inventories.items()):
        for system, row in sorted(rows.items()):
            holding = world.holding(iso, system)
            holding.fire_units = int(row.fire_units)
            if row.retire_year is not None:
                holding.legacy.append([world.calendar.index(f"{row.retire_year}-01"),
                                       holding.fire_units])
            factor = float(world.scenario.systems[system].stock_factor)
            total = round(holding.fire_units * float(row.loads_per_fire_unit) * factor
                          * holding.combat_load)
            for product, count in largest_remainder(total, world.mix[system]).items():
                _stock_cohorts(world, holding, product, count)
            _inventory_orders(world, iso, system, row)


def _stock_cohorts(world: World, holding, product: str, count: int) -> None:
    """Opening interceptors of every age: an equal share expires in each remaining year."""
    life = world.scenario.products[product].shelf_life_years
    if life is None:
        holding.add_interceptors(product, count, math.inf)
        return
    years = max(1, math.ceil(float(life)))
    for k, part in enumerate(largest_remainder(count, dict.fromkeys(range(years),
                                                                      1.0)).values()):
        holding.add_interceptors(product, part, 12 * (k + 1))


def _inventory_orders(world: World, iso: str, system: str, row: HoldingRow) -> None:
    """Orders given as inventory columns: pre-funded, delivered as capacity allows."""
    fire_unit, _ = world.system_products[system]
    holding = world.holding(iso, system)
    if row.on_order_fire_units:
        holding.fu_on_order += int(row.on_order_fire_units)
        world.place(fire_unit, {iso: int(row.on_order_fire_units)}, 0.0, "existing", 1, None)
    count = round(float(row.on_order_interceptors))
    mix = {row.on_order_product: 1.0} if row.on_order_product else world.mix[system]
    for product, part in largest_remainder(count, mix).items():
        if part:
            holding.on_order += part
            world.place(product, {iso: part}, 0.0, "existing", 1, None)


# -- contracts ----------------------------------------------------------------------
def unit_price(world: World, row: ContractRow) -> float:
    quantity = sum(int(q) for q in row.buyers.values())
    if row.value_eur_m is not None and quantity:
        return float(row.value_eur_m) / quantity
    return world.prices.quote(row.product, int(row.signed[:4]))


def book_contract(world: World, contract_id: str, row: ContractRow, opening: bool) -> None:
    """Put a contract's undelivered units in its line's order book and commit its money.

    Before the start, only what is still owed is committed (credited as money voted
    before the start); a contract signed during the run commits its whole value and
    pays the down payment at signature (credited as the recorded purchase's funding).
    """
    buyers = {b: int(q) for b, q in row.buyers.items() if int(q) > 0}
    quantity = sum(buyers.values())
    delivered = min(int(row.delivered), quantity)
    if not quantity or delivered >= quantity:
        return
    price = unit_price(world, row)
    remaining = largest_remainder(quantity - delivered, buyers) if delivered else buyers
    remaining = {b: q for b, q in remaining.items() if q}
    start_t = 0 if opening else int(world.env.now)
    due = _due(world, row, quantity, delivered, start_t)
    down = world.down_share
    system = world.product_system[row.product]
    is_fire_unit = row.product in world.fire_unit_products
    for buyer, units in remaining.items():
        holding = world.holding(buyer, system)
        if is_fire_unit:
            holding.fu_on_order += units
        else:
            holding.on_order += units
        account = world.accounts.get(buyer)
        if account is None or price <= 0:
            continue
        owed = units * price * ((1.0 - down) if opening else 1.0)
        account.credit(owed)
        account.commit(owed)
        if not opening:
            account.pay(owed * down)
    world.place(row.product, remaining, price, "existing" if opening else "recorded", 1,
                world.settle_national, signed=row.signed, due=due, label=contract_id)


def _due(world: World, row: ContractRow, quantity: int, delivered: int,
         start_t: int) -> list[tuple[int, int]] | None:
    """Units due per month (month indices, overdue units due now); None: no schedule."""
    if not row.schedule:
        return None
    return list(_due_months(row.schedule, quantity, delivered, start_t, world.calendar))


@lru_cache(maxsize=4096)
def _due_months(schedule: str, quantity: int, delivered: int, start_t: int,
                calendar: Calendar) -> tuple[tuple[int, int], ...]:
    """``_due`` for the numbers it depends on: the same in every run of a scenario unless
    the contract's quantities are sampled, and each run books some 60 schedules."""
    due: Counter[int] = Counter()
    for date, units in due_counts(schedule, quantity, skip=delivered):
        due[max(start_t, calendar.index(date))] += units
    return tuple(sorted(due.items()))


# -- lines --------------------------------------------------------------------------
def _capacity_steps(world: World) -> None:
    """Steps after the start become increments on the line's capacity at the start."""
    start = world.scenario.time.start
    for name, steps in world.scenario.capacity_steps.items():
        line = world.lines[name]
        level = float(world.scenario.lines[name].capacity_per_month)
        for date, step in sorted(steps.items()):
            new = float(step.capacity_per_month)
            if date > start:
                share = None if step.europe_share is None else float(step.europe_share)
                line.steps.append((world.calendar.index(date), new - level, share))
            level = new


def _fill_pools(world: World) -> None:
    """Supply chains are running at the start: each pool holds its buffer of parts.

    An empty pool would idle every downstream line for a component's manufacturing
    lead time, an artefact of starting the clock, not a bottleneck.
    """
    for line in world.lines.values():
        for component, quantity in line.components.items():
            pool = world.pools[component]
            pool.level += math.ceil(quantity * line.capacity * pool.buffer_months)
