"""Bigger worlds for the growth table: the horizon, the countries, the lines or the systems
doubled.

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


def twin(name: str) -> str:
    """The name of a copy made by ``more_lines`` or ``more_systems``."""
    return f"{name}_twin"


def more_lines(scenario: Scenario) -> Scenario:
    """Every production line twice (a twin beside it, same product and figures)."""
    data = scenario.model_dump(mode="json")
    for name in list(data["lines"]):
        data["lines"][twin(name)] = copy.deepcopy(data["lines"][name])
    return validated(data)


def more_systems(scenario: Scenario) -> Scenario:
    """Every system twice: a twin with its own products, lines, capacity steps, holdings,
    order books, plans, gifts and donations, all under new names, so that the twin is
    bought, built and delivered as its source is.

    Components and their lines are copied too: a twin sharing its source's component pool
    would compete with it for parts, and the world would not be the same world twice.
    Checkpoints stay with their sources (they are facts about them), and money is not
    doubled: each country spreads the same budget over twice the systems.
    """
    data = scenario.model_dump(mode="json")
    systems = list(data["systems"])
    for name in systems:
        data["systems"][twin(name)] = copy.deepcopy(data["systems"][name])
    for name, row in list(data["products"].items()):
        data["products"][twin(name)] = {**copy.deepcopy(row),
                                        "system": row["system"] and twin(row["system"])}
    for name, row in list(data["lines"].items()):
        data["lines"][twin(name)] = {**copy.deepcopy(row), "product": twin(row["product"]),
                                     "components": {twin(part): quantity for part, quantity
                                                    in row["components"].items()}}
    for name, steps in list(data["capacity_steps"].items()):
        data["capacity_steps"][twin(name)] = copy.deepcopy(steps)
    for holdings in data["inventories"].values():
        for system, row in list(holdings.items()):
            product = row["on_order_product"]
            holdings[twin(system)] = {**copy.deepcopy(row),
                                      "on_order_product": product and twin(product)}
    for name, row in list(data["contracts"].items()):
        data["contracts"][twin(name)] = {**copy.deepcopy(row), "product": twin(row["product"])}
    for name, row in list(data["transfers"].items()):
        data["transfers"][twin(name)] = {**copy.deepcopy(row), "system": twin(row["system"])}
    for rows in data["plans"].values():
        rows.update({twin(system): copy.deepcopy(row) for system, row in list(rows.items())})
    for plan in _plans(data):
        plan.update({twin(system): weight for system, weight in list(plan.items())})
    data["joint"]["systems"] += [twin(system) for system in data["joint"]["systems"]]
    data["consumption"]["donations"] += [{**gift, "system": twin(gift["system"])}
                                         for gift in data["consumption"]["donations"]]
    return validated(data)


def _plans(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Every system -> weight mapping of a scenario: countries', their defaults', the
    procurement default."""
    found = [row["plan"] for row in (*data["countries"].values(), data["country_defaults"])]
    return [plan for plan in (*found, data["procurement"]["default_plan"]) if plan]


VARIANTS: dict[str, Callable[[Scenario], Scenario]] = {
    "horizon x2": longer,
    "countries x2": more_countries,
    "lines x2": more_lines,
    "systems x2": more_systems,
}


def size(scenario: Scenario) -> dict[str, int]:
    """What each variant doubles."""
    months = Calendar.between(scenario.time.start, scenario.time.end).months
    return {"months": months, "countries": len(scenario.countries), "lines": len(scenario.lines),
            "systems": len(scenario.systems)}
