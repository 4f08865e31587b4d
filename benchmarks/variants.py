"""Bigger worlds for the growth table: the horizon, the countries or the lines doubled.

Each variant is built from the loaded scenario's data and validated exactly as a scenario
file would be (schema, then cross-references), so a doubled world is a legal scenario.
"""

from __future__ import annotations

import copy
import string
from collections.abc import Callable
from typing import Any

from stockpile.model.calendar import Calendar
from stockpile.scenario.checks import check_references
from stockpile.scenario.schema import Scenario


def validated(data: dict[str, Any]) -> Scenario:
    """Schema and reference checks, as ``load_scenario`` makes them; raise on a problem."""
    scenario = Scenario.model_validate(data)
    problems = check_references(scenario)
    if problems:
        raise ValueError(f"doubled scenario does not validate: {problems[:3]}")
    return scenario


def longer(scenario: Scenario) -> Scenario:
    """The same start, twice as many months."""
    data = scenario.model_dump(mode="json")
    calendar = Calendar.between(scenario.time.start, scenario.time.end)
    data["time"]["end"] = calendar.date(2 * calendar.months - 1)
    return validated(data)


def new_codes(existing: list[str]) -> dict[str, str]:
    """A fresh three-letter code for each country, from the Q.. block ISO 3166 leaves to users."""
    free = (f"Q{a}{b}" for a in string.ascii_uppercase for b in string.ascii_uppercase)
    taken = set(existing)
    codes: dict[str, str] = {}
    for iso in existing:
        code = next(c for c in free if c not in taken)
        codes[iso] = code
    return codes


def more_countries(scenario: Scenario) -> Scenario:
    """Every country twice: a copy with a new code, its holdings and its memberships."""
    data = scenario.model_dump(mode="json")
    codes = new_codes(list(data["countries"]))
    for iso, code in codes.items():
        data["countries"][code] = copy.deepcopy(data["countries"][iso])
        if iso in data["inventories"]:
            data["inventories"][code] = copy.deepcopy(data["inventories"][iso])
        shares = data["consumption"]["diverted_share"]
        if iso in shares:
            shares[code] = shares[iso]
    data["consumption"]["donations"] += [{**gift, "country": codes[gift["country"]]}
                                         for gift in data["consumption"]["donations"]]
    for section in (data["goal"], data["joint"]):
        if isinstance(section["members"], list):
            section["members"] += [codes[iso] for iso in section["members"]]
    return validated(data)


def more_lines(scenario: Scenario) -> Scenario:
    """Every production line twice (a twin beside it, same product and figures)."""
    data = scenario.model_dump(mode="json")
    for name in list(data["lines"]):
        data["lines"][f"{name}_twin"] = copy.deepcopy(data["lines"][name])
    return validated(data)


VARIANTS: dict[str, Callable[[Scenario], Scenario]] = {
    "horizon x2": longer,
    "countries x2": more_countries,
    "lines x2": more_lines,
}


def size(scenario: Scenario) -> dict[str, int]:
    """What each variant doubles."""
    months = Calendar.between(scenario.time.start, scenario.time.end).months
    return {"months": months, "countries": len(scenario.countries), "lines": len(scenario.lines)}
