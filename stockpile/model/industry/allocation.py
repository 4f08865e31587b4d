"""How a production line shares its monthly starts among the orders in a book.

Each rule is chosen by name (``lines.*.allocation``) and gives the order in which the book
is kept and how a month's starts are split. Framework orders (priority 0) come first under
every rule. The default and the reasons for it are in docs/decisions.md.

- ``fifo``: first signed, first served. How most contracts read, and what a line without
  a customer-allocation board does.
- ``first_loads_first``: interceptors that give a fire unit its first combat load (tier 0)
  before reserve stocks (tier 1), each first signed, first served: how the US and European
  governments steer output in a shortage (priority lists, "urgent operational need"), so
  one country's reserve does not queue ahead of another's first load.
- ``pro_rata``: every waiting order gets a share of the starts in proportion to what it
  still waits for: how a manufacturer spreads output to keep all its customers served.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from stockpile.model.buying.procurement import largest_remainder

if TYPE_CHECKING:
    from stockpile.model.industry.production import Order

Split = list[tuple["Order", int]]


def _fifo_key(order: Order) -> tuple[int, int]:
    return order.priority, order.contract_id


def _tier_key(order: Order) -> tuple[int, int, int]:
    return order.priority, order.tier, order.contract_id


def _in_turn(book: list[Order], count: int) -> Split:
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


def _pro_rata(book: list[Order], count: int) -> Split:
    """Framework orders in turn, then the rest in proportion to what each waits for."""
    framework = [o for o in book if o.priority == 0]
    parts = _in_turn(framework, count)
    count -= sum(part for _, part in parts)
    rest = [o for o in book if o.priority != 0 and o.unstarted]
    if count <= 0 or not rest:
        return parts
    if count >= sum(o.unstarted for o in rest):
        return parts + [(o, o.unstarted) for o in rest]
    shares = largest_remainder(count, {i: float(o.unstarted) for i, o in enumerate(rest)})
    return parts + [(rest[i], n) for i, n in shares.items() if n]


RULES: dict[str, tuple[Callable[[Order], tuple], Callable[[list[Order], int], Split]]] = {
    "fifo": (_fifo_key, _in_turn),
    "first_loads_first": (_tier_key, _in_turn),
    "pro_rata": (_fifo_key, _pro_rata),
}
DEFAULT = "first_loads_first"
