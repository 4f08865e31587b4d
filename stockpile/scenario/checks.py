"""Checks across sections that a per-field schema cannot make: names that must exist."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from stockpile.scenario.bounds import month_number
from stockpile.scenario.distributions import Dist, central
from stockpile.scenario.errors import did_you_mean
from stockpile.scenario.resolve import REQUIRED_COUNTRY_FIELDS, buyable, country, joint_members
from stockpile.scenario.schedules import parse_schedule, parse_span
from stockpile.scenario.schema import Scenario

Found = tuple[tuple[Any, ...], str]


def _unknown(loc: tuple[Any, ...], kind: str, name: str, known: Iterable[str]) -> Found:
    hint = did_you_mean(name, known)
    return loc, f"unknown {kind} '{name}'" + (f" ({hint})" if hint else "")


def _in_horizon(s: Scenario, month: str) -> bool:
    """Whether a ``YYYY-MM`` month falls in the simulated horizon, compared as dates."""
    return month_number(s.time.start) <= month_number(month) <= month_number(s.time.end)


def _range(value: float | Dist) -> tuple[float, float]:
    """The values a number can take: itself, or a distribution's support."""
    return value.support() if isinstance(value, Dist) else (float(value), float(value))


def _check_time_and_goal(s: Scenario) -> list[Found]:
    found: list[Found] = []
    if month_number(s.time.end) <= month_number(s.time.start):
        found.append((("time", "end"), f"{s.time.end} is not after start {s.time.start}"))
    base = s.goal.baseline_date
    if base is not None and not _in_horizon(s, base):
        found.append((("goal", "baseline_date"),
                      f"{base} is outside the simulated horizon ({s.time.start}..{s.time.end})"))
    for i, year in enumerate(s.goal.deadlines):
        if not _in_horizon(s, f"{year}-12"):
            found.append((("goal", "deadlines", i), f"{year} is outside the simulated horizon "
                          f"(the end of the year must fall in {s.time.start}..{s.time.end})"))
    if s.goal.members == "european":
        if not any(country(s, iso).european for iso in s.countries):
            found.append((("goal", "members"), "no European country in the scenario"))
    else:
        for i, iso in enumerate(s.goal.members):
            if iso not in s.countries:
                found.append(_unknown(("goal", "members", i), "country", iso, s.countries))
    return found


def _bought(s: Scenario, loc: tuple[Any, ...], system: str) -> list[Found]:
    """A system named where countries buy (a plan, the joint programme) must be buyable."""
    if system not in s.systems:
        return [_unknown(loc, "system", system, s.systems)]
    if not buyable(s, system):
        return [(loc, f"'{system}' is not buyable (a legacy system out of production: "
                 "it holds stocks and retires)")]
    return []


def _check_countries(s: Scenario) -> list[Found]:
    found: list[Found] = []
    for iso in s.countries:
        filled = country(s, iso)
        for field in REQUIRED_COUNTRY_FIELDS:
            if getattr(filled, field) is None:
                found.append((("countries", iso, field),
                              "missing (give it in the table or in country_defaults)"))
        for system in (filled.plan or {}):
            found += _bought(s, ("countries", iso, "plan", system), system)
    for system in s.procurement.default_plan:
        found += _bought(s, ("procurement", "default_plan", system), system)
    return [*found, *_check_plans(s)]


def _check_plans(s: Scenario) -> list[Found]:
    """Each plans row names a scenario country and system (blamed on the row's file)."""
    found: list[Found] = []
    for iso, rows in s.plans.items():
        for system in rows:
            if iso not in s.countries:
                found.append(_unknown(("plans", iso, system), "country", iso, s.countries))
            found += _bought(s, ("plans", iso, system), system)
    return found


def _check_products_and_lines(s: Scenario) -> list[Found]:
    found: list[Found] = []
    made = {line.product for line in s.lines.values()}
    for name, product in s.products.items():
        if product.kind == "component":
            if product.system:
                found.append((("products", name, "system"), "a component belongs to no system "
                              "(leave it blank)"))
        elif product.system is None:
            found.append((("products", name, "system"), f"required for a {product.kind}"))
        elif product.system not in s.systems:
            found.append(_unknown(("products", name, "system"), "system", product.system,
                                  s.systems))
        if name not in made and buyable(s, product.system):
            found.append((("products", name), "no production line makes this product "
                          "(add a line to lines)"))
        if product.kind == "component" and product.buffer_months is None:
            found.append((("products", name, "buffer_months"), "required for a component "
                          "(months of downstream use its supply chain holds)"))
    for system, row in s.systems.items():
        kinds = [p.kind for p in s.products.values() if p.system == system]
        if row.buyable and kinds.count("fire_unit") != 1:
            found.append((("systems", system), f"needs exactly one fire_unit product "
                          f"(found {kinds.count('fire_unit')})"))
        elif kinds.count("fire_unit") > 1:
            found.append((("systems", system), f"has {kinds.count('fire_unit')} fire_unit "
                          "products (at most one for a system that is not buyable)"))
        if "interceptor" not in kinds:
            found.append((("systems", system), "needs at least one interceptor product"))
    for name, line in s.lines.items():
        if line.product not in s.products:
            found.append(_unknown(("lines", name, "product"), "product", line.product,
                                  s.products))
        for component in line.components:
            if component not in s.products:
                found.append(_unknown(("lines", name, "components", component), "product",
                                      component, s.products))
            elif s.products[component].kind != "component":
                found.append((("lines", name, "components", component),
                              f"'{component}' is a {s.products[component].kind}, not a component"))
        lowest_ceiling, highest_capacity = _range(line.ceiling_per_month)[0], \
            _range(line.capacity_per_month)[1]
        if lowest_ceiling < highest_capacity:
            found.append((("lines", name, "ceiling_per_month"),
                          f"can be {lowest_ceiling:g}, below capacity_per_month "
                          f"{highest_capacity:g} (at least the capacity, for every draw)"))
    return found


def _check_holdings_and_consumption(s: Scenario) -> list[Found]:
    found: list[Found] = []
    for iso, holdings in s.inventories.items():
        if iso not in s.countries:
            found.append(_unknown(("inventories", iso), "country", iso, s.countries))
        for system, row in holdings.items():
            if system not in s.systems:
                found.append(_unknown(("inventories", iso, system), "system", system, s.systems))
            elif not buyable(s, system) and (_range(row.on_order_fire_units)[1] > 0
                                                    or _range(row.on_order_interceptors)[1] > 0):
                found.append((("inventories", iso, system), f"'{system}' is not buyable: "
                              "nothing of it can be on order (no line makes it)"))
            product = row.on_order_product
            if product and (product not in s.products or s.products[product].system != system
                            or s.products[product].kind != "interceptor"):
                found.append(((("inventories", iso, system, "on_order_product")),
                              f"'{product}' is not an interceptor of {system}"))
    for i, gift in enumerate(s.consumption.donations):
        loc = ("consumption", "donations", i)
        if gift.country not in s.countries:
            found.append(_unknown((*loc, "country"), "country", gift.country, s.countries))
        if gift.system not in s.systems:
            found.append(_unknown((*loc, "system"), "system", gift.system, s.systems))
        if gift.date is not None and not _in_horizon(s, gift.date):
            found.append(((*loc, "date"), f"{gift.date} is outside the simulated horizon"))
    for iso in s.consumption.diverted_share:
        if iso not in s.countries:
            found.append(_unknown(("consumption", "diverted_share", iso), "country", iso,
                                  s.countries))
    return found


def _check_transfers_and_funds(s: Scenario) -> list[Found]:
    found: list[Found] = []
    for name, row in s.transfers.items():
        loc = ("transfers", name)
        if row.system not in s.systems:
            found.append(_unknown((*loc, "system"), "system", row.system, s.systems))
        if not _in_horizon(s, row.date):
            found.append(((*loc, "date"), f"{row.date} is outside the simulated horizon "
                          f"({s.time.start}..{s.time.end})"))
        if not row.giver or not row.receiver or row.giver == row.receiver:
            found.append(((*loc, "receiver"), "giver and receiver must be two holders"))
        if not int(row.fire_units) and not int(row.interceptors):
            found.append(((*loc, "fire_units"), "nothing passes (give fire_units or "
                          "interceptors)"))
        if row.until is None:
            continue
        if month_number(row.until) <= month_number(row.date):
            found.append(((*loc, "until"), f"{row.until} is not after date {row.date}"))
        if row.giver not in s.countries:
            found.append(((*loc, "until"), f"a lease needs a scenario country as giver, not "
                          f"'{row.giver}'"))
        if int(row.interceptors):
            found.append(((*loc, "interceptors"), "a lease or deployment moves fire units "
                          "only (leave interceptors blank)"))
    for iso, rows in s.funds.items():
        for date in rows:
            if iso not in s.countries:  # blamed on the row, which names the file it is in
                found.append(_unknown(("funds", iso, date), "country", iso, s.countries))
            try:
                parse_span(date)
            except ValueError as exc:
                found.append((("funds", iso, date), str(exc)))
                continue
            if len(date) != 7:
                found.append((("funds", iso, date), "a fund needs a month (YYYY-MM)"))
            elif not _in_horizon(s, date):
                found.append((("funds", iso, date), f"{date} is outside the simulated horizon "
                              f"({s.time.start}..{s.time.end})"))
    return found


def _check_joint(s: Scenario) -> list[Found]:
    found: list[Found] = []
    joint = s.joint
    if s.procurement.mode != "joint":
        return found
    if joint.lead not in s.countries:
        found.append(_unknown(("joint", "lead"), "country", joint.lead, s.countries))
    elif joint.members != "essi" and joint.lead not in joint.members:
        found.append((("joint", "lead"), f"'{joint.lead}' is not a member of the programme"))
    if joint.members != "essi":
        for i, iso in enumerate(joint.members):
            if iso not in s.countries:
                found.append(_unknown(("joint", "members", i), "country", iso, s.countries))
    elif not joint_members(s):
        found.append((("joint", "members"), "no ESSI member in the scenario"))
    for i, system in enumerate(joint.systems):
        found += _bought(s, ("joint", "systems", i), system)
    return found


def _check_contracts(s: Scenario) -> list[Found]:
    found: list[Found] = []
    made = {line.product for line in s.lines.values()}
    for name, row in s.contracts.items():
        loc = ("contracts", name)
        if row.product not in s.products:
            found.append(_unknown((*loc, "product"), "product", row.product, s.products))
        elif row.product not in made or s.products[row.product].kind == "component":
            found.append(((*loc, "product"), f"'{row.product}' is not a fire unit or "
                          "interceptor made by a line"))
        if not row.buyers or not sum(central(q) for q in row.buyers.values()):
            found.append(((*loc, "buyers"), "no units ('ISO3:units;ISO3:units')"))
        if row.schedule:
            try:
                parse_schedule(row.schedule)
            except ValueError as exc:
                found.append(((*loc, "schedule"), str(exc)))
    for name, steps in s.capacity_steps.items():
        if name not in s.lines:
            found.append(_unknown(("capacity_steps", name), "line", name, s.lines))
        for date in steps:
            try:
                parse_span(date)
            except ValueError as exc:
                found.append((("capacity_steps", name, date), str(exc)))
                continue
            if len(date) != 7:
                found.append((("capacity_steps", name, date), "a step needs a month (YYYY-MM)"))
    return found


NEEDS = {"line_output": ("line",), "defence_spending_eur_bn": ("country",),
         "contracted_eur_m": ("country",), "contract_delivered": ("contract",),
         "first_delivery": ("contract",)}


def _check_checkpoints(s: Scenario) -> list[Found]:
    found: list[Found] = []
    for name, row in s.checkpoints.items():
        loc = ("checkpoints", name)
        try:
            parse_span(row.date)
        except ValueError as exc:
            found.append(((*loc, "date"), str(exc)))
        for field in NEEDS.get(row.measure, ("country", "system")):
            if not getattr(row, field):
                found.append(((*loc, field), f"required for measure {row.measure}"))
        if row.system and row.system not in s.systems:
            found.append(_unknown((*loc, "system"), "system", row.system, s.systems))
        if row.contract and row.contract not in s.contracts:
            found.append(_unknown((*loc, "contract"), "contract", row.contract, s.contracts))
        for line in filter(None, row.line.split(";")):
            if line not in s.lines:
                found.append(_unknown((*loc, "line"), "line", line, s.lines))
    return found


def check_references(s: Scenario) -> list[Found]:
    """Every problem found, as (location, message)."""
    return [*_check_time_and_goal(s), *_check_countries(s), *_check_products_and_lines(s),
            *_check_holdings_and_consumption(s), *_check_transfers_and_funds(s),
            *_check_joint(s), *_check_contracts(s), *_check_checkpoints(s)]
