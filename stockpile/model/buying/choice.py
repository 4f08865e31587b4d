"""Which systems of a country's plan get a year's money first: ``procurement.choice``.

Each rule takes, per system, when a fire unit with its load ordered now would arrive (the
slowest of its lines' queues plus their lead times) and its price, and names the systems
that are served first; the money they leave goes to the whole plan by its weights.

- ``plan``: the plan's weights alone; what arrives when does not matter.
- ``soonest`` (default): systems that would arrive by the next deadline first, by plan
  weight among them, each up to the fire units its lines can still deliver by that deadline.
  A ministry with a deadline buys what can be there for it, and its money does not join
  the longest queue while another line has slots; nor does it pour a year's money into a
  system whose first unit is in time and whose tenth is years late (docs/decisions.md).
"""

from __future__ import annotations

from collections.abc import Callable

Options = dict[str, tuple[float, float]]  # system -> (arrival month, price with a load)
InTime = Callable[[str], int]  # system -> fire units with loads its lines deliver in time
First = dict[str, float]  # systems served first -> the most fire units bought so


def _plan(options: Options, deadline: int, in_time: InTime) -> First:
    return {}


def _soonest(options: Options, deadline: int, in_time: InTime) -> First:
    first = [system for system, (arrival, _) in options.items() if arrival <= deadline]
    if len(first) == len(options):  # every system is in time: the plan decides
        return {}
    return {system: in_time(system) for system in first}


CHOICES: dict[str, Callable[[Options, int, InTime], First]] = {"plan": _plan,
                                                               "soonest": _soonest}
