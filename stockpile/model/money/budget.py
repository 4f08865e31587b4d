"""Money: each country's GBAD account and the yearly credit that fills it.

The account keeps the identity credited = available + committed + paid + lapsed,
with money moving only forward (available -> committed -> paid, or available ->
lapsed), so that nothing is spent twice and nothing goes negative.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

from stockpile.scenario.schema import CountryFields, EconomyConfig

if TYPE_CHECKING:
    from stockpile.model.world import World

EPS = 1e-9


class Account:
    """A budget holder's money; amounts in EUR m."""

    __slots__ = ("available", "committed", "credited", "defence", "earmarked", "lapsed", "name",
                 "owed", "paid", "received", "supplemental")

    def __init__(self, name: str):
        self.name = name
        self.credited = 0.0
        self.available = 0.0
        self.committed = 0.0
        self.paid = 0.0
        self.lapsed = 0.0
        self.earmarked = 0.0  # part of available promised to contracts being negotiated
        self.received = 0.0  # bridge or loan money received (also counted in credited)
        self.owed = 0.0  # bridge money to repay to the lead nation
        self.defence = 0.0  # the country's defence spending this year, EUR m (validation)
        self.supplemental = 0.0  # wartime money voted to replace what was fired (in credited)

    @property
    def free(self) -> float:
        return max(0.0, self.available - self.earmarked)

    def credit(self, amount: float) -> None:
        self.credited += amount
        self.available += amount

    def supplement(self, amount: float) -> None:
        """Money voted on top of the GBAD budget for one purchase (credited like it)."""
        self.credit(amount)
        self.supplemental += amount

    def earmark(self, amount: float) -> None:
        self.earmarked += amount

    def release(self, amount: float) -> None:
        self.earmarked = max(0.0, self.earmarked - amount)

    def commit(self, amount: float, earmarked: float = 0.0) -> None:
        """Sign: money leaves available for committed (never more than is there)."""
        self.release(earmarked)
        if amount > self.available + EPS:
            raise ValueError(f"{self.name}: committing {amount:.3f} with {self.available:.3f}")
        amount = min(amount, self.available)
        self.available -= amount
        self.committed += amount

    def pay(self, amount: float) -> None:
        """Pay part of what is committed (down payment or a delivery)."""
        amount = min(amount, self.committed)
        self.committed -= amount
        self.paid += amount

    def receive(self, amount: float, repayable: bool = False) -> None:
        """Loan or bridge money in: credited like a budget, and remembered as received (owed)."""
        self.credit(amount)
        self.received += amount
        if repayable:
            self.owed += amount

    def spend(self, amount: float) -> None:
        """Money out at once (a loan made, a loan repaid): committed and paid in one step."""
        self.commit(amount)
        self.pay(amount)

    def lapse(self, keep_share: float) -> None:
        """Year end: only ``keep_share`` of the free money carries over."""
        gone = self.free * (1.0 - keep_share)
        self.available -= gone
        self.lapsed += gone


def defence_share(country: CountryFields, economy: EconomyConfig, year: int) -> float:
    """Defence spending / GDP on the path from today's level to the pledge."""
    start, target = float(country.defence_share_start), float(country.defence_share_target)
    y0 = int(country.defence_share_start_year)
    if target <= start or economy.pledge_year <= y0:
        return start if target <= start else target if year >= economy.pledge_year else start
    progress = min(1.0, max(0.0, (year - y0) / (economy.pledge_year - y0)))
    if economy.path == "front_loaded":
        progress = progress ** 0.5
    elif economy.path == "back_loaded":
        progress = progress ** 2
    return start + (target - start) * progress


def gdp_eur_bn(country: CountryFields, economy: EconomyConfig, year: int) -> float:
    growth = (1 + float(country.real_growth)) * (1 + float(country.deflator))
    return float(country.gdp_usd_bn) / float(economy.usd_per_eur) * growth ** (
        year - int(country.gdp_year))


def defence_spending_eur_m(country: CountryFields, economy: EconomyConfig, year: int) -> float:
    """A year's defence spending, EUR m: GDP × the defence share on its path to the pledge."""
    return gdp_eur_bn(country, economy, year) * 1000.0 * defence_share(country, economy, year)


def gbad_money(country: CountryFields, economy: EconomyConfig, year: int) -> float:
    """A year's GBAD money, EUR m: GDP × defence share × equipment share × GBAD share."""
    return (gdp_eur_bn(country, economy, year) * 1000.0 * defence_share(country, economy, year)
            * float(country.equipment_share) * float(country.gbad_share))


def budget_process(world: World, iso: str) -> Generator:
    """Credit the account each fiscal year (January) or in monthly tranches."""
    env, cal = world.env, world.calendar
    country = world.countries[iso]
    account = world.accounts[iso]
    economy = world.scenario.economy
    monthly = economy.tranche == "monthly"
    keep = float(country.carry_over)
    t = 0
    while t < cal.months:
        month = cal.month_of_year(t)
        if month == 1 and t > 0:
            account.lapse(keep)
        year = cal.year(t)
        yearly = gbad_money(country, economy, year)
        account.defence = defence_spending_eur_m(country, economy, year)
        if monthly:
            account.credit(yearly / 12.0)
            step = 1
        else:  # the rest of this fiscal year at once, then each January
            account.credit(yearly * (13 - month) / 12.0)
            step = 13 - month
        t += step
        yield env.timeout(step)
