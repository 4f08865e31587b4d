"""When a country's money buys production capacity instead of a place in a queue.

Rule (``procurement.fund_expansions``, on by default): at its yearly decision, before it
buys units, a country pays for one expansion step of each line of a system in its plan
whose units ordered now would arrive after the next deadline, as governments paid for new
interceptor lines in 2023-25 (Germany and Schrobenhausen, the US and Camden), if

- the line can still grow (below its ceiling, fewer expansions under way than it allows);
- the step's capital fits in the money its plan gives that system this year.

The capital leaves the country's account at once (``paid``) and the line grows after its
expansion lead time, for every buyer (see ``industry/expansion.py``). More money can only
fund more steps, so capacity never falls with money.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from stockpile.model.industry.expansion import room, start, step_cost

if TYPE_CHECKING:
    from stockpile.model.buying.procurement import Buyer


def fund_expansions(buyer: Buyer, options: dict[str, tuple[float, float]], deadline: int,
                    money: float) -> dict[str, float]:
    """Fund the steps the rule allows; return the capital paid per system."""
    world = buyer.world
    if not world.scenario.procurement.fund_expansions:
        return {}
    account = world.accounts[buyer.iso]
    t = int(world.env.now)
    signed = t + world.national.delay
    total = sum(buyer.plan.values())
    funded: dict[str, float] = {}
    for system in sorted(buyer.plan, key=lambda s: (-buyer.plan[s], s)):
        if options[system][0] <= deadline:
            continue
        allowance = money * buyer.plan[system] / total
        fire_unit, interceptors = world.system_products[system]
        for product in (fire_unit, *interceptors):
            for line in world.lines_by_product.get(product, []):
                if signed + line.months_to_deliver(signed, 1) <= deadline:
                    continue
                added = room(line)
                cost = step_cost(line, added)
                if added <= 0 or cost > min(allowance, account.free):
                    continue
                start(line, added, account, f"funded: {buyer.iso} for {system}")
                allowance -= cost
                funded[system] = funded.get(system, 0.0) + cost
    return funded
