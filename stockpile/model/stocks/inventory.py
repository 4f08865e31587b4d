"""What a country holds of one system: fire units and interceptors by age.

Interceptors are kept in cohorts by expiry month, so that shelf life, training and
combat draw down the oldest first. Quantities are whole units; every removal is
capped by the stock and the rest is counted as unmet, so stock never goes negative.
"""

from __future__ import annotations

import bisect
import math

NEVER = math.inf


def _expiry(cohort: list) -> float:
    return cohort[0]


class Holding:
    """One country's fire units and interceptors of one system."""

    __slots__ = ("cohorts", "combat_load", "consumed", "country", "delivered", "delivered_joint",
                 "donated", "expired", "fire_units", "fu_away", "fu_delivered", "fu_donated",
                 "fu_lost", "fu_on_order", "fu_pending", "fu_retired", "in_work",
                 "interceptors", "legacy", "lost", "next_expiry", "on_order", "pending", "system",
                 "unmet")

    def __init__(self, country: str, system: str, combat_load: int):
        self.country = country
        self.system = system
        self.combat_load = combat_load
        self.fire_units = 0
        self.fu_away = 0  # of the fire units, lent or deployed abroad (transfers with until)
        self.interceptors = 0
        self.legacy: list[list[float]] = []  # [retire month, fire units]
        self.cohorts: list[list[float]] = []  # [expiry month, quantity, product], by expiry
        self.next_expiry = NEVER
        self.on_order = 0  # interceptors contracted, not delivered
        self.fu_on_order = 0
        self.pending = 0  # interceptors decided, contract not yet signed
        self.fu_pending = 0
        # interceptors started on a line for this holding and not yet finished (a buyer's
        # share of a shared order's batches, so not always whole): what lines steer loads by
        self.in_work = 0.0
        # flows: running totals since the start (the recorder differences them per period)
        self.delivered = self.consumed = self.donated = self.expired = self.lost = 0
        self.unmet = self.fu_delivered = self.fu_donated = self.fu_retired = self.fu_lost = 0
        self.delivered_joint = 0

    @property
    def ready_fire_units(self) -> int:
        return min(self.fire_units, self.interceptors // self.combat_load)

    @property
    def unarmed(self) -> float:
        """Interceptors short of a combat load for every fire unit in service, counting the
        interceptors held and being made: launchers standing empty now, not ones still in
        the factory (their first loads are ordered with them and come in turn)."""
        return self.fire_units * self.combat_load - self.interceptors - self.in_work

    def add_interceptors(self, product: str, quantity: int, expiry: float) -> None:
        if quantity <= 0:
            return
        cohorts = self.cohorts
        self.interceptors += quantity
        if cohorts and cohorts[-1][0] <= expiry:  # the usual case: the newest expire last
            last = cohorts[-1]
            if last[0] == expiry and last[2] == product:
                last[1] += quantity
            else:
                cohorts.append([expiry, quantity, product])
        else:
            bisect.insort(cohorts, [expiry, quantity, product], key=_expiry)
        self.next_expiry = cohorts[0][0]

    def take_interceptors(self, quantity: int) -> int:
        """Remove up to ``quantity``, oldest first; return how many were there."""
        taken = 0
        cohorts = self.cohorts
        while quantity > taken and cohorts:
            first = cohorts[0]
            part = min(quantity - taken, int(first[1]))
            first[1] -= part
            taken += part
            if first[1] <= 0:
                cohorts.pop(0)
        self.interceptors -= taken
        self.next_expiry = cohorts[0][0] if cohorts else NEVER
        return taken

    def expire(self, t: int, refurbish_share: float, refurbish_months: float) -> None:
        """Interceptors past their service life leave, unless life-extended."""
        while self.cohorts and self.cohorts[0][0] <= t:
            _, quantity, product = self.cohorts.pop(0)
            quantity = int(quantity)
            kept = int(quantity * refurbish_share)
            self.interceptors -= quantity
            self.expired += quantity - kept
            if kept:
                self.add_interceptors(product, kept, t + refurbish_months)
        self.next_expiry = self.cohorts[0][0] if self.cohorts else NEVER

    def consume(self, quantity: int) -> None:
        taken = self.take_interceptors(quantity)
        self.consumed += taken
        self.unmet += quantity - taken

    def fire(self, quantity: int) -> dict[str, int]:
        """Consume ``quantity`` in combat and say what was fired, product by product (what a
        country re-orders)."""
        fired: dict[str, int] = {}
        for _, part, product in self.take_cohorts(quantity):
            fired[product] = fired.get(product, 0) + int(part)
        taken = sum(fired.values())
        self.consumed += taken
        self.unmet += quantity - taken
        return fired

    def take_cohorts(self, quantity: int) -> list[list[float]]:
        """Remove up to ``quantity``, oldest first, and return them as cohorts (expiry,
        quantity, product), so that another holding can take them with their ages."""
        taken: list[list[float]] = []
        cohorts = self.cohorts
        left = quantity
        while left > 0 and cohorts:
            first = cohorts[0]
            part = min(left, int(first[1]))
            taken.append([first[0], part, first[2]])
            first[1] -= part
            left -= part
            if first[1] <= 0:
                cohorts.pop(0)
        self.interceptors -= quantity - left
        self.next_expiry = cohorts[0][0] if cohorts else NEVER
        return taken

    def donate(self, fire_units: int, interceptors: int) -> None:
        self.give_away(fire_units, interceptors)

    def give_away(self, fire_units: int, interceptors: int) -> tuple[int, list[list[float]]]:
        """Donate what the stock allows; return the fire units and the interceptor cohorts
        that left (for a receiver that takes them)."""
        given = min(fire_units, self.fire_units)
        self._remove_fire_units(given)
        self.fu_donated += given
        cohorts = self.take_cohorts(interceptors)
        taken = sum(int(c[1]) for c in cohorts)
        self.donated += taken
        self.unmet += interceptors - taken  # unmet counts interceptors only
        return given, cohorts

    def receive(self, fire_units: int, cohorts: list[list[float]]) -> None:
        """A gift from another holder: counted as delivered to this one."""
        self.fire_units += fire_units
        self.fu_delivered += fire_units
        for expiry, quantity, product in cohorts:
            self.add_interceptors(product, int(quantity), expiry)
            self.delivered += int(quantity)

    def lend(self, fire_units: int) -> int:
        """Send fire units away from home (a lease or deployment); return how many went."""
        sent = max(0, min(fire_units, self.fire_units - self.fu_away))
        self.fu_away += sent
        return sent

    def come_home(self, fire_units: int) -> None:
        self.fu_away = max(0, self.fu_away - fire_units)

    def retire(self, t: int) -> None:
        while self.legacy and self.legacy[0][0] <= t:
            _, count = self.legacy.pop(0)
            gone = min(int(count), self.fire_units)
            self.fire_units -= gone
            self.fu_retired += gone
            self.fu_away = min(self.fu_away, self.fire_units)

    def lose_fire_units(self, count: int) -> None:
        """Fire units destroyed, with their share of the interceptors."""
        count = min(count, self.fire_units)
        if count <= 0:
            return
        share = self.interceptors * count // self.fire_units
        self.lose_interceptors(share)
        self._remove_fire_units(count)
        self.fu_lost += count

    def lose_interceptors(self, quantity: int) -> None:
        self.lost += self.take_interceptors(quantity)

    def _remove_fire_units(self, count: int) -> None:
        """Donated or lost units come from the legacy fleet first, so they do not retire twice;
        units away cannot outnumber the units left."""
        self.fire_units -= count
        self.fu_away = min(self.fu_away, self.fire_units)
        remaining = count
        for cohort in self.legacy:
            part = min(remaining, int(cohort[1]))
            cohort[1] -= part
            remaining -= part
            if not remaining:
                break
        self.legacy = [c for c in self.legacy if c[1] > 0]
