"""How a production line shares its monthly starts among the orders in a book.

Each rule is chosen by name (``lines.*.allocation``) and gives the order in which the book
is kept and how a month's starts are split. Framework orders (priority 0) come first under
every rule. The default and the reasons for it are in docs/decisions.md.

- ``fifo``: first signed, first served. How most contracts read, and what a line without
  a customer-allocation board does.
- ``first_loads_first``: interceptors for fire units that lack a combat load come first:
  the waiting buyers' shortfalls (fire units in service or due within the line's lead ×
  load, less the interceptors held or being made) share the month in whole loads in
  proportion, the part-load left going to the buyer furthest short; the rest,
  first loads ordered for later fire units (tier 0) before reserve stocks (tier 1), each
  first signed, first served. How the US and European governments steer output in a
  shortage (priority lists, "urgent operational need"): one country's missiles for
  launchers years away, or its reserve, do not queue ahead of another's launchers standing
  empty. On fire-unit lines it is first signed, first served.
- ``pro_rata``: every waiting order gets a share of the starts in proportion to what it
  still waits for: how a manufacturer spreads output to keep all its customers served.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from stockpile.model.buying.procurement import largest_remainder

if TYPE_CHECKING:
    from stockpile.model.industry.production import Order, ProductionLine

Split = list[tuple["Order", int]]
Rule = Callable[[list["Order"], int, "ProductionLine"], Split]


def _fifo_key(order: Order) -> tuple[int, int]:
    return order.priority, order.contract_id


def _tier_key(order: Order) -> tuple[int, int, int]:
    return order.priority, order.tier, order.contract_id


def in_turn(book: list[Order], count: int, line: ProductionLine | None = None) -> Split:
    """Whole orders in book order until the starts run out."""
    parts: Split = []
    for order in book:
        if count <= 0:
            break
        part = min(count, order.unstarted)
        if part:
            parts.append((order, part))
            count -= part
    return parts


def _unarmed_first(book: list[Order], count: int, line: ProductionLine) -> Split:
    """Framework orders in turn; then the buyers whose fire units lack a load, whole loads
    in proportion to their shortfalls (each up to its shortfall and what it has waiting;
    its own orders in book order) and the part-load left to the buyer furthest short; then
    the rest in book order.

    Whole loads in proportion, not unit by unit (every buyer a part-load, nobody armed)
    and not nearest-full-load first (measured on the baseline's money sweep, a greedy rule
    swung more from one money level to the next, worst fall 2.0 weighted fire units against
    1.0, because a small change in who is short reorders everyone behind); docs/decisions.md.
    """
    rest = _after_framework(book)  # the book keeps framework orders first
    parts = in_turn(book[:rest], count) if rest else []
    for _, part in parts:
        count -= part
    if count <= 0:
        return parts
    short = line.shortfalls()
    taken: dict[int, int] = {}
    if short:
        first = _to_shortfalls(book, count, short, line.load_units)
        parts += first
        for order, part in first:
            count -= part
            taken[id(order)] = part
    for i in range(rest, len(book)):
        if count <= 0:
            break
        order = book[i]
        part = min(count, order.unstarted - taken.get(id(order), 0) if taken
                   else order.unstarted)
        if part > 0:
            parts.append((order, part))
            count -= part
    return parts


def _after_framework(book: list[Order]) -> int:
    """Where the framework orders (priority 0, sorted first by every book key) end."""
    for i, order in enumerate(book):
        if order.priority != 0:
            return i
    return len(book)


def _to_shortfalls(book: list[Order], count: int, short: dict[str, float], load: int) -> Split:
    """The month's starts for buyers short of first loads: shared in proportion to the
    shortfalls, each buyer's share to its own orders in book order (each order once)."""
    # each short buyer's orders in book order, as far as they cover its shortfall: a buyer
    # is never given more than that, so the orders behind cannot be reached
    wanted = {b: math.ceil(s - 1e-9) for b, s in short.items()}
    orders: dict[str, list[Order]] = {}
    caps: dict[str, int] = {}
    open_ = len(wanted)
    for order in book:
        buyer = order.single
        if buyer is None or order.priority == 0 or not order.unstarted or buyer not in wanted:
            continue
        held = caps.get(buyer, -1)
        if held >= wanted[buyer]:  # covered (a buyer short of less than a unit: one order)
            continue
        held = max(held, 0)
        if buyer in orders:
            orders[buyer].append(order)
        else:
            orders[buyer] = [order]
        caps[buyer] = held = held + order.unstarted
        if held >= wanted[buyer]:
            open_ -= 1
            if not open_:
                break
    caps = {b: min(wanted[b], held) for b, held in caps.items()}
    parts: Split = []
    for buyer, give in sorted(_whole_loads(count, short, caps, load).items()):
        for order in orders[buyer]:
            if give <= 0:
                break
            part = min(give, order.unstarted)
            parts.append((order, part))
            give -= part
    return parts


def _whole_loads(count: int, short: dict[str, float], caps: dict[str, int],
                 load: int) -> dict[str, int]:
    """Whole combat loads in proportion to the shortfalls, then the units left over (less
    than a load a buyer) to the buyers furthest short, one after another: a fire unit is
    ready only with a whole load, so a month's starts spread over every buyer would leave
    each a part-load and arm nobody."""
    weights = {b: short[b] for b in caps}
    grant = _water_fill(count // load, weights, {b: cap // load for b, cap in caps.items()})
    grant = {b: n * load for b, n in grant.items()}
    left = count - sum(grant.values())
    for b in sorted(caps, key=lambda b: (-(short[b] - grant[b]), b)):
        if left <= 0:
            break
        extra = min(left, caps[b] - grant[b])
        grant[b] += extra
        left -= extra
    return grant


def _water_fill(count: int, weights: dict[str, float], caps: dict[str, int]) -> dict[str, int]:
    """Split ``count`` in proportion to ``weights``, none above its cap: buyers whose share
    would pass their cap get the cap, and the rest is shared again among the others."""
    grant = dict.fromkeys(weights, 0)
    open_ = dict(weights)
    left = min(count, sum(caps.values()))
    while left > 0 and open_:
        shares = largest_remainder(left, open_)
        full = [b for b, n in shares.items() if n >= caps[b]]
        if not full:
            grant.update(shares)
            break
        for b in full:
            grant[b] = caps[b]
            left -= caps[b]
            del open_[b]
    return grant


def _pro_rata(book: list[Order], count: int, line: ProductionLine | None = None) -> Split:
    """Framework orders in turn, then the rest in proportion to what each waits for."""
    framework = [o for o in book if o.priority == 0]
    parts = in_turn(framework, count)
    count -= sum(part for _, part in parts)
    rest = [o for o in book if o.priority != 0 and o.unstarted]
    if count <= 0 or not rest:
        return parts
    if count >= sum(o.unstarted for o in rest):
        return parts + [(o, o.unstarted) for o in rest]
    shares = largest_remainder(count, {i: float(o.unstarted) for i, o in enumerate(rest)})
    return parts + [(rest[i], n) for i, n in shares.items() if n]


RULES: dict[str, tuple[Callable[[Order], tuple], Rule]] = {
    "fifo": (_fifo_key, in_turn),
    "first_loads_first": (_tier_key, _unarmed_first),
    "pro_rata": (_fifo_key, _pro_rata),
}
DEFAULT = "first_loads_first"
