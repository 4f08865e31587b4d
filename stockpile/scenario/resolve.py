"""Derived views of a scenario that several layers need: filled-in countries, members, plans."""

from __future__ import annotations

from stockpile.scenario.distributions import central
from stockpile.scenario.schema import CountryFields, Scenario

#: country inputs the model cannot run without (table cell or country_defaults)
REQUIRED_COUNTRY_FIELDS = (
    "gdp_usd_bn", "gdp_year", "real_growth", "deflator", "defence_share_start",
    "defence_share_start_year", "defence_share_target", "equipment_share", "gbad_share",
    "carry_over",
)


def country(scenario: Scenario, iso: str) -> CountryFields:
    """A country's inputs with blanks filled from ``country_defaults``."""
    row = scenario.countries[iso]
    defaults = scenario.country_defaults
    filled = {name: getattr(row, name) if getattr(row, name) is not None
              else getattr(defaults, name) for name in CountryFields.model_fields}
    if filled["name"] is None:
        filled["name"] = iso
    if filled["european"] is None:
        filled["european"] = True
    if filled["essi_member"] is None:
        filled["essi_member"] = False
    return CountryFields.model_construct(**filled)


def goal_members(scenario: Scenario,
                 countries: dict[str, CountryFields] | None = None) -> list[str]:
    """The goal's countries; ``countries``: already filled in, to save doing it again."""
    members = scenario.goal.members
    if members == "european":
        return [iso for iso in scenario.countries
                if (countries[iso] if countries else country(scenario, iso)).european]
    return list(members)


def joint_members(scenario: Scenario) -> list[str]:
    members = scenario.joint.members
    if members == "essi":
        found = [iso for iso in scenario.countries if country(scenario, iso).essi_member]
        if scenario.joint.lead in scenario.countries and scenario.joint.lead not in found:
            found.insert(0, scenario.joint.lead)
        return found
    return list(members)


def buyable(scenario: Scenario, system: str) -> bool:
    """Whether countries may buy a system (a legacy system out of production is not)."""
    row = scenario.systems.get(system)
    return row is None or row.buyable


def plan(scenario: Scenario, iso: str, filled: CountryFields | None = None,
         date: str | None = None) -> dict[str, float]:
    """System weights a country buys at a decision in month ``date`` (default: the start).

    In this order, the first that gives any system:

    1. its own ``countries.<ISO>.plan``, as written (a scenario's explicit choice);
    2. the rows of the ``plans`` table for it announced by ``date``, united with the systems
       it holds or has on order at the start (``held``): an announced system takes its
       row's weight, a held one without a row weight 1, so a country keeps buying what it
       fields while it adds what it has said it will buy;
    3. ``procurement.default_plan``.

    A row counts only from its announced month, so a replay that starts earlier does not
    buy from a plan before it was made public. A legacy system (``buyable: false``) only
    holds its stocks: its holders buy other systems.
    """
    own = (filled or country(scenario, iso)).plan
    if own:
        return {k: central(v) for k, v in own.items()}
    weights = {**held(scenario, iso), **announced(scenario, iso, date or scenario.time.start)}
    if weights:
        return weights
    return {k: central(v) for k, v in scenario.procurement.default_plan.items()}


def held(scenario: Scenario, iso: str) -> dict[str, float]:
    """The buyable systems a country holds (inventories) or has on order at the start
    (contracts signed before it), each with weight 1."""
    found = {system: 1.0 for system in scenario.inventories.get(iso, {})
             if buyable(scenario, system)}
    start = scenario.time.start
    for row in scenario.contracts.values():
        product = scenario.products.get(row.product)
        if iso in row.buyers and row.signed < start and product is not None and product.system \
                and buyable(scenario, product.system):
            found.setdefault(product.system, 1.0)
    return found


def announced(scenario: Scenario, iso: str, date: str) -> dict[str, float]:
    """The ``plans`` rows of a country announced in or before month ``date``, by weight."""
    return {system: central(row.weight) for system, row in scenario.plans.get(iso, {}).items()
            if row.announced <= date}


def plan_months(scenario: Scenario, iso: str,
                filled: CountryFields | None = None) -> list[str]:
    """The months after the start in which a country's plan changes: its rows announced
    later (none where its own YAML plan decides)."""
    if (filled or country(scenario, iso)).plan:
        return []
    start = scenario.time.start
    return sorted({row.announced for row in scenario.plans.get(iso, {}).values()
                   if row.announced > start})


def system_products(scenario: Scenario, system: str) -> tuple[str, list[str]]:
    """The fire-unit product and the interceptor products of a system."""
    fire_unit = ""
    interceptors = []
    for name, product in scenario.products.items():
        if product.system != system:
            continue
        if product.kind == "fire_unit":
            fire_unit = name
        elif product.kind == "interceptor":
            interceptors.append(name)
    return fire_unit, interceptors
