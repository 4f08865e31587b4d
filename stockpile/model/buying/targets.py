"""How far a country's own effort goes: the rule that caps its fire-unit purchases.

Chosen by ``procurement.target``; the cap is in weighted fire units (fielded, on order and
decided), and the rules and the default are defended in docs/decisions.md.

- ``none`` (default): no cap; a country buys while it has money. The goal is collective, so
  a rule that strands money is a choice to make visibly, not a default (SPEC 2.9).
- ``own_baseline``: multiplier × the country's own weighted fire units at the start: a
  country with none is uncapped, one with a few stops early and its money waits (the
  baseline leaves 44% of its GBAD money idle by 2035 under it, 7% under ``none``).
- ``fair_share``: the country's share of the collective target, by GDP or by defence
  spending in the start year (``procurement.fair_share_by``); countries outside the goal
  are uncapped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from stockpile.model.money.budget import defence_share, gdp_eur_bn

if TYPE_CHECKING:
    from stockpile.model.world import World


def _fielded(world: World, iso: str) -> float:
    return sum(world.weights[s] * h.fire_units for s, h in world.holdings_of(iso))


def _none(world: World, iso: str) -> float | None:
    return None


def _own_baseline(world: World, iso: str) -> float | None:
    base = _fielded(world, iso)
    return float(world.scenario.goal.multiplier) * base if base > 0 else None


def _size(world: World, iso: str) -> float:
    """A country's weight in the fair share: GDP, or defence spending, in the start year."""
    economy = world.scenario.economy
    year = world.calendar.year(0)
    country = world.countries[iso]
    gdp = gdp_eur_bn(country, economy, year)
    if world.scenario.procurement.fair_share_by == "gdp":
        return gdp
    return gdp * defence_share(country, economy, year)


def _fair_share(world: World, iso: str) -> float | None:
    members = world.members
    if iso not in members:
        return None
    total = sum(_size(world, m) for m in members)
    if total <= 0:
        return None
    collective = float(world.scenario.goal.multiplier) * sum(_fielded(world, m) for m in members)
    return collective * _size(world, iso) / total


RULES: dict[str, Callable[[World, str], float | None]] = {
    "none": _none,
    "own_baseline": _own_baseline,
    "fair_share": _fair_share,
}
