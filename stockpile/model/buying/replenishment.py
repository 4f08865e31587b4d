"""What a country re-orders while a conflict fires its stocks: ``consumption.conflict.replenish``.

- ``fired`` (default): each month of the conflict, the interceptors it fired, product by
  product, as first loads (tier 0) through its usual channel and delays (national, or the
  joint programme's pool), paid by a wartime supplemental voted on top of its GBAD money
  (``Account.supplemental``). Governments replace missiles spent in a war with money found
  for it (the US THAAD order after June 2025; Germany's GEM-T re-ordered through NSPA); a
  model that leaves it to the yearly GBAD budget makes a line that delivers before the war
  worse than a slow one, because what it delivered is fired and nothing replaces it
  (docs/decisions.md, "Wartime re-orders").
- ``none``: only the yearly decisions buy, from GBAD money.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stockpile.model.world import World


def _fired(world: World, iso: str, system: str, fired: dict[str, int]) -> None:
    buyer = world.buyers[iso]
    account = world.accounts[iso]
    year = world.calendar.year(int(world.env.now))
    for product, quantity in sorted(fired.items()):
        if quantity and world.lines_by_product.get(product):  # a legacy round is not made
            demand = buyer.order(system, product, quantity, year, False)
            account.supplement(demand.value)


def _none(world: World, iso: str, system: str, fired: dict[str, int]) -> None:
    return None


REPLENISH: dict[str, Callable[[World, str, str, dict[str, int]], None]] = {
    "fired": _fired, "none": _none}
