"""Interceptors used up: training, donations, shelf life, legacy retirement, conflict.

Demand beyond the stock is recorded as unmet, never as negative stock. In
deterministic mode, fractional monthly rates accumulate and whole units are
drawn when due; otherwise counts are Poisson/binomial draws from the run's
``consumption`` and ``conflict`` streams.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

import numpy as np

from stockpile.model.buying.replenishment import REPLENISH
from stockpile.model.calendar import each_every_month
from stockpile.model.stocks.inventory import Holding

if TYPE_CHECKING:
    from stockpile.model.world import World

PHASE = 0.3
DAYS_PER_MONTH = 365.25 / 12


def consumers_process(world: World, consumers: list[Consumer]) -> Generator:
    """Every country's month, in the given order, from one SimPy process."""
    return each_every_month(world.env, world.calendar.months, PHASE,
                            [consumer.month for consumer in consumers])


class Consumer:
    """One country's monthly draw on its stocks."""

    def __init__(self, world: World, iso: str):
        self.world = world
        self.iso = iso
        scenario = world.scenario
        consumption = scenario.consumption
        self.training_multiplier = float(consumption.training_multiplier)
        self.refurbish_share = float(consumption.refurbish_share)
        self.refurbish_months = float(consumption.refurbish_years) * 12
        self.training_per_fu = {system: rate * self.training_multiplier / 12.0
                                for system, rate in world.training_rates.items()}
        self.beyond_loads = consumption.training == "beyond_loads"
        self.carry: dict[tuple[str, str], float] = {}
        self._training: np.random.Generator | None = None
        self._streams: dict[str, np.random.Generator] = {}
        conflict = consumption.conflict
        self.fire_rule = conflict.fire
        self.fire_per_month = float(conflict.interceptors_per_fu_per_day) * DAYS_PER_MONTH
        self.attrition = float(conflict.fire_unit_attrition_per_month)
        self.replenish = REPLENISH[conflict.replenish]
        # the threat a country faces is set by the fleet it opened with, not what it buys
        self.exposure = sum(h.fire_units for _, h in world.holdings_of(iso))
        self.gifts: dict[int, list] = {}
        for gift in consumption.donations:
            if gift.country == iso:
                self.gifts.setdefault(world.calendar.index(gift.date), []).append(gift)

    def stream(self, source: str) -> np.random.Generator:
        """This country's stream of one source, made on first use (creating one is not free)."""
        if source not in self._streams:
            self._streams[source] = self.world.streams.rng(f"{source}:{self.iso}")
        return self._streams[source]

    def count(self, key: tuple[str, str], rate: float, source: str) -> int:
        """Whole units due this month at a fractional monthly rate."""
        if rate <= 0:
            return 0
        if not self.world.deterministic:
            return int(self.stream(source).poisson(rate))
        due = self.carry.get(key, 0.0) + rate
        whole = int(due + 1e-9)
        self.carry[key] = due - whole
        return whole

    def month(self, t: int) -> None:
        world = self.world
        training = self.training_per_fu
        for system, holding in world.holdings_of(self.iso):
            if holding.legacy:
                holding.retire(t)
            if holding.next_expiry <= t:
                holding.expire(t, self.refurbish_share, self.refurbish_months)
            if not holding.fire_units or holding.interceptors < holding.combat_load:
                continue  # no fire unit ready: nothing to train with
            rate = training[system] * holding.ready_fire_units
            if rate > 0:  # training, inline: this runs for every holding every month
                if world.deterministic:
                    shots = self.count(("training", system), rate, "consumption")
                else:
                    rng = self._training or self.stream("consumption")
                    self._training = rng
                    shots = int(rng.poisson(rate))
                if shots and self.beyond_loads:
                    shots = min(shots, max(0, holding.interceptors
                                           - holding.fire_units * holding.combat_load))
                if shots:
                    holding.consume(shots)
        if world.conflict_active(t):
            self._fight()
        if t in self.gifts:
            for gift in self.gifts[t]:
                world.holding(self.iso, gift.system).donate(int(gift.fire_units),
                                                            round(float(gift.interceptors)))

    def _fight(self) -> None:
        """A month of conflict, by the ``conflict.fire`` rule (docs/decisions.md, "Conflict
        fire"): under ``threat`` the country is shot at in proportion to the fleet it opened
        with, and each holding takes its share by the fire units it has now; under
        ``per_fire_unit`` every fire unit fires at the rate. Either way a holding fires what
        it holds, full load or not, and what its stock cannot give is unmet demand; what it
        fired is re-ordered by the ``conflict.replenish`` rule."""
        holdings = self.world.holdings_of(self.iso)
        if self.fire_rule == "threat":
            fleet = sum(h.fire_units for _, h in holdings)
            per_unit = self.fire_per_month * self.exposure / fleet if fleet else 0.0
        else:
            per_unit = self.fire_per_month
        for system, holding in holdings:
            shots = self.count(("conflict", system), per_unit * holding.fire_units, "conflict")
            if shots:
                fired = holding.fire(shots)
                if fired:
                    self.replenish(self.world, self.iso, system, fired)
            if self.attrition > 0 and holding.fire_units:
                self._lose(holding, system)

    def _lose(self, holding: Holding, system: str) -> None:
        if self.world.deterministic:
            lost = self.count(("attrition", system), self.attrition * holding.fire_units,
                              "conflict")
        else:
            lost = int(self.stream("conflict").binomial(holding.fire_units, self.attrition))
        holding.lose_fire_units(lost)
