"""When a production line grows, and who pays for it.

Two rules start an expansion, each paid from a named account and logged
(``expansions.csv``: line, when ordered, when ready, capacity added, capital, payer, why):

- **Self-funded** (``industry:<manufacturer>``): the manufacturer invests when the
  backlog it sees, in months of output, passes the line's threshold in either book: the
  European one (plus a framework contract's committed remainder) or the book of the modelled
  buyers outside Europe. Industry answers all the demand on a line, not Europe's alone.
  Not while announced capacity steps are still to come: they are the industry's answer to
  the same backlog, and counting both would expand the line twice.
- **Funded by a buyer** (its GBAD account): a country whose units would not arrive by the
  next deadline pays for the step, as European governments did for new interceptor
  lines (see ``buying/funding.py`` for when it does).

Several expansions of one line may be under way at once, up to ``lines.*.expansions_at_once``;
capacity under construction counts toward the ceiling. A step adds
``expansion_step_per_month`` after ``expansion_lead_months``, at ``expansion_cost_eur_m``
(a last step up to the ceiling adds less and costs pro rata).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

from stockpile.model.money.budget import Account
from stockpile.model.records import ExpansionRow

if TYPE_CHECKING:
    from stockpile.model.industry.production import ProductionLine
    from stockpile.model.world import World

SELF_FUNDED = "backlog"


def industry_account(world: World, line: ProductionLine) -> Account:
    """The manufacturer's account: credited with what it invests from its own funds."""
    name = f"industry:{line.manufacturer}"
    account = world.industry.get(name)
    if account is None:
        account = world.industry[name] = Account(name)
    return account


def room(line: ProductionLine) -> float:
    """Capacity one more step can add now: none while announced steps are still to come
    (they are the funded answer to the same backlog), nor at the line's limit of concurrent
    expansions or its ceiling (counting what is being built)."""
    if line.step <= 0 or line.steps or line.pending_expansions >= line.at_once:
        return 0.0
    return max(0.0, min(line.step, line.ceiling - line.capacity - line.pending_added))


def step_cost(line: ProductionLine, added: float) -> float:
    """Capital for ``added`` capacity: a full step's cost, pro rata for a last partial step
    up to the ceiling."""
    return line.expansion_cost * added / line.step if line.step > 0 else 0.0


def backlog_months(line: ProductionLine) -> float:
    """The longer of the two order books, in months of the output that serves it."""
    europe = line.capacity * line.europe_share
    others = line.capacity - europe
    months = (line.on_books + line.framework_units) / europe if europe > 0 else 0.0
    if others > 0 and line.other_backlog:
        months = max(months, line.other_backlog / others)
    return months


def self_funded(line: ProductionLine) -> None:
    """The manufacturer's rule, checked each month after the line's starts."""
    if line.capacity <= 0:
        return
    added = room(line)
    if added <= 0 or backlog_months(line) <= line.threshold:
        return
    start(line, added, industry_account(line.world, line), SELF_FUNDED, own_funds=True)


def start(line: ProductionLine, added: float, payer: Account, reason: str,
          own_funds: bool = False) -> None:
    """Pay the capital now and add the capacity after the lead time."""
    world = line.world
    cost = step_cost(line, added)
    if own_funds:
        payer.credit(cost)
    payer.spend(cost)
    line.capex += cost
    line.pending_expansions += 1
    line.pending_added += added
    t = int(world.env.now)
    world.expansions.append(ExpansionRow(
        world.calendar.date(t), line.name, line.product, added,
        world.calendar.date(min(t + line.expansion_lead, world.calendar.months - 1))
        if t + line.expansion_lead < world.calendar.months else "",
        cost, payer.name, reason))
    world.env.process(_build(line, added))


def _build(line: ProductionLine, added: float) -> Generator:
    yield line.world.env.timeout(line.expansion_lead)
    line.capacity = min(line.ceiling, line.capacity + added)
    line.pending_expansions -= 1
    line.pending_added -= added
