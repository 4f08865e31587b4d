"""Money beside the yearly budgets (``funds``): equipment money a country gets on a date, such
as Germany's special fund of 2022; the country's ``gbad_share`` of it is credited to its GBAD
account that month, after the January lapse and before that month's decisions, and is then
spent and carried over like the rest of the account.
"""

from __future__ import annotations

from collections.abc import Generator
from functools import partial
from typing import TYPE_CHECKING

from stockpile.model.calendar import on_dates

if TYPE_CHECKING:
    from stockpile.model.world import World

PHASE = 0.05  # after budgets (0.0), before decisions (0.1)


def funds_process(world: World) -> Generator:
    index = world.calendar.index
    credits = sorted((index(date), iso, float(row.equipment_eur_m))
                     for iso, rows in world.scenario.funds.items() for date, row in rows.items())
    events = [(t, partial(_credit, world, iso, money)) for t, iso, money in credits]
    return on_dates(world.env, world.calendar.months, PHASE, events)


def _credit(world: World, iso: str, money: float) -> None:
    world.accounts[iso].credit(money * float(world.countries[iso].gbad_share))
