"""Fire units and interceptors passing between holders on their dates (``transfers``).

- A gift: a scenario country gives from its stock, as far as it goes (counted as donated,
  like ``consumption.donations``); a giver outside the scenario (the USA, Egypt) gives units
  the model never held. The receiver gets what left the giver, interceptors with their ages,
  counted as delivered to it; a receiver outside the scenario (Ukraine) is held apart from
  the goal and never consumes.
- A lease or deployment (``until`` given): the fire units stay the giver's, in its
  ``fire_units`` and its capability, but are counted away from home (``fire_units_away``)
  until they come back. Their interceptors are not moved (what a deployment takes is not
  published).
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import TYPE_CHECKING

from stockpile.model.buying.procurement import largest_remainder
from stockpile.model.calendar import on_dates

if TYPE_CHECKING:
    from stockpile.model.world import World
    from stockpile.scenario.schema import TransferRow

PHASE = 0.35  # after the month's consumption and donations (0.3), before recording (0.9)


def transfers_process(world: World) -> Generator:
    """Each transfer in its month; a lease's units come home in the month of ``until``."""
    events: list[tuple[int, int, Callable[[], None]]] = []
    index = world.calendar.index
    for order, (_, row) in enumerate(sorted(world.scenario.transfers.items(),
                                            key=lambda item: (item[1].date, item[0]))):
        if row.until is None:
            events.append((index(row.date), order, _gift(world, row)))
        else:
            lend, home = _lease(world, row)
            events.append((index(row.date), order, lend))
            events.append((index(row.until), order, home))
    events.sort(key=lambda event: event[:2])
    return on_dates(world.env, world.calendar.months, PHASE,
                    [(t, act) for t, _, act in events])


def _gift(world: World, row: TransferRow) -> Callable[[], None]:
    def give() -> None:
        fire_units, interceptors = int(row.fire_units), int(row.interceptors)
        if row.giver in world.countries:
            given, cohorts = world.holding(row.giver, row.system).give_away(fire_units,
                                                                          interceptors)
        else:  # a donor outside the scenario: new interceptors, of the system's mix
            given, cohorts = fire_units, []
            expiry = int(world.env.now) + 0.0
            for product, count in largest_remainder(interceptors,
                                                    world.mix[row.system]).items():
                if count:
                    cohorts.append([expiry + world.life_months[product], count, product])
        world.holding(row.receiver, row.system).receive(given, cohorts)
    return give


def _lease(world: World, row: TransferRow) -> tuple[Callable[[], None], Callable[[], None]]:
    away = [0]

    def lend() -> None:
        away[0] = world.holding(row.giver, row.system).lend(int(row.fire_units))

    def home() -> None:
        world.holding(row.giver, row.system).come_home(away[0])
    return lend, home
