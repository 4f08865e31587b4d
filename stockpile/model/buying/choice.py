"""Which systems of a country's plan get a year's money first: ``procurement.choice``.

Each rule takes, per system, when a fire unit with its load ordered now would arrive (the
slowest of its lines' queues plus their lead times) and its price, and names the systems
that are served first; the money they leave goes to the whole plan by its weights.

- ``plan``: the plan's weights alone; what arrives when does not matter.
- ``soonest`` (default): systems that would arrive by the next deadline first, by plan
  weight among them. A ministry with a deadline buys what can be there for it, and its
  money does not join the longest queue while another line has slots (docs/decisions.md).
"""

from __future__ import annotations

from collections.abc import Callable

Options = dict[str, tuple[float, float]]  # system -> (arrival month, price with a load)


def _plan(options: Options, deadline: int) -> list[str]:
    return []


def _soonest(options: Options, deadline: int) -> list[str]:
    in_time = [system for system, (arrival, _) in options.items() if arrival <= deadline]
    return in_time if len(in_time) < len(options) else []


CHOICES: dict[str, Callable[[Options, int], list[str]]] = {"plan": _plan, "soonest": _soonest}
