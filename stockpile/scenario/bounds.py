"""The ranges of the scenario's inputs: every number has an upper bound the model computes with.

Bounds are far above any real figure (Germany's GDP is about USD 4,700 bn; the busiest
interceptor line makes a few hundred a month) and far below where the model's sums,
products, integer counts and Poisson rates overflow, so that whatever ``validate``
accepts, a run completes. A distribution's whole support must lie inside the range.
The ranges are shown in ``docs/config.md``.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from stockpile.scenario.distributions import bounded

FIRST_YEAR, LAST_YEAR = 1900, 2199
#: months as ``YYYY-MM``, years 1900 to 2199 (checked by pattern so the reference shows it)
MONTH_PATTERN = r"^(19|20|21)\d{2}-(0[1-9]|1[0-2])$"

Year = Annotated[int, Field(ge=FIRST_YEAR, le=LAST_YEAR)]
Multiplier = bounded(1e-9, 1000.0, "greater than 0, at most 1000")
GdpUsdBn = bounded(0.0, 1e6, "zero to 1e6 (USD 1,000 trillion)")
MoneyEurM = bounded(0.0, 1e9, "zero to 1e9 (EUR 1,000 trillion)")
ExchangeRate = bounded(1e-3, 1e3, "between 0.001 and 1000")
Units = bounded(0.0, 1e7, "zero to 10 million units")
WholeUnits = bounded(0, 1e6, "a whole number, zero to 1 million", integer=True)
PerUnit = bounded(0.0, 1000.0, "zero to 1000 per unit")
CombatLoad = bounded(1, 10_000, "a whole number, 1 to 10,000", integer=True)
Weight = bounded(0.0, 1e6, "zero to 1e6")
Loads = bounded(0.0, 100.0, "zero to 100 combat loads")
Months = bounded(0.0, 1200.0, "zero to 1200 months")
WholeMonths = bounded(1, 1200, "a whole number of months, 1 to 1200", integer=True)
DurationYears = bounded(0.0, 200.0, "zero to 200 years")
LifeYears = bounded(1e-3, 200.0, "greater than 0, at most 200 years")
PerYear = bounded(0.0, 365.0, "zero to 365 a year")
PerDay = bounded(0.0, 1000.0, "zero to 1000 a day")
Scale = bounded(0.0, 100.0, "zero to 100 (1 = as given)")


def _each_once(values: list[Any]) -> list[Any]:
    """A list that names things (countries, systems, years) names each once."""
    seen: set[Any] = set()
    for value in values:
        if value in seen:
            raise PydanticCustomError("stockpile", f"'{value}' is listed twice (name each once)")
        seen.add(value)
    return values


Names = Annotated[list[str], AfterValidator(_each_once)]
YearList = Annotated[list[Year], AfterValidator(_each_once)]


def month_number(text: str) -> int:
    """A ``YYYY-MM`` month as a count of months, so months compare and subtract as dates."""
    year, month = text.split("-")
    return int(year) * 12 + int(month) - 1
