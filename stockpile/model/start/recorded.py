"""Recorded purchases: contracts signed on their historical dates instead of decided; and
the other dated inputs (transfers, funds), which apply whatever the decisions.

Used by replays (``procurement.decisions: recorded``) to test the production,
delivery and stock mechanics apart from the buying policy.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

from stockpile.model.start.funds import funds_process
from stockpile.model.start.opening import book_contract
from stockpile.model.stocks.transfers import transfers_process
from stockpile.scenario.schema import ContractRow

if TYPE_CHECKING:
    from stockpile.model.world import World

PHASE = 0.1  # with the yearly decisions: after budgets, before lines


def recorded_process(world: World, contracts: list[tuple[str, ContractRow]]) -> Generator:
    """Sign each contract in the month the record gives."""
    env = world.env
    yield env.timeout(PHASE)
    now = 0
    for contract_id, row in contracts:
        t = world.calendar.index(row.signed)
        if t >= world.calendar.months:
            return
        if t > now:
            yield env.timeout(t - now)
            now = t
        book_contract(world, contract_id, row, opening=False)


def dated_processes(world: World) -> None:
    """Start the processes of the transfers and funds a scenario gives, if any."""
    if world.scenario.transfers:
        world.env.process(transfers_process(world))
    if world.scenario.funds:
        world.env.process(funds_process(world))
