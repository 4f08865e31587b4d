"""How a line shares its starts: each allocation rule in a tiny book, and properties over
random books (hypothesis)."""

from __future__ import annotations

import bisect
import math
from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from stockpile.model.industry.allocation import RULES, _to_shortfalls, _whole_loads


def order(contract_id: int, unstarted: int, tier: int = 0, priority: int = 1,
          buyer: str = ""):
    name = buyer or f"C{contract_id}"
    return SimpleNamespace(contract_id=contract_id, unstarted=unstarted, tier=tier,
                           priority=priority, buyers={name: unstarted}, single=name,
                           quantity=unstarted)


def line(short: dict[str, float] | None = None, load: int = 1):
    """The little of a line a rule reads: each waiting buyer's shortfall of first loads,
    and the units of its product in one combat load (1: shares unit by unit)."""
    return SimpleNamespace(shortfalls=lambda: dict(short or {}), load_units=load)


def book(rule: str, orders: list) -> list:
    key, _ = RULES[rule]
    kept: list = []
    for o in orders:
        bisect.insort(kept, o, key=key)
    return kept


def starts(rule: str, orders: list, count: int,
           short: dict[str, float] | None = None, load: int = 1) -> dict[int, int]:
    _, split = RULES[rule]
    found: dict[int, int] = {}
    for o, n in split(book(rule, orders), count, line(short, load)):
        found[o.contract_id] = found.get(o.contract_id, 0) + n
    return found


def test_a_reserve_signed_first_waits_behind_a_first_load_under_first_loads_first() -> None:
    """Country A's reserve (signed first) and country B's first load want 10 each; 10 starts."""
    orders = [order(1, 10, tier=1), order(2, 10, tier=0)]
    assert starts("fifo", orders, 10) == {1: 10}
    assert starts("first_loads_first", orders, 10) == {2: 10}
    assert starts("pro_rata", orders, 10) == {1: 5, 2: 5}


def test_fire_units_without_a_load_come_before_earlier_orders() -> None:
    """A (contract 1) and B (contract 2) order 30 interceptors each. B's fire units are 25
    interceptors short of full loads, A's none: 20 starts all go to B, then A."""
    orders = [order(1, 30, buyer="A"), order(2, 30, buyer="B")]
    assert starts("first_loads_first", orders, 20, {"B": 25.0}) == {2: 20}
    assert starts("first_loads_first", orders, 40, {"B": 25.0}) == {2: 25, 1: 15}
    assert starts("fifo", orders, 20) == {1: 20}


def test_shortfalls_share_the_month_in_proportion() -> None:
    """Short by 30 (A) and 10 (B), 20 starts: 15 and 5; C (contract 3, short by 40) has only
    4 waiting, so it gets 4 and the rest is shared by A and B, 12 and 4."""
    orders = [order(1, 50, buyer="A"), order(2, 50, buyer="B")]
    assert starts("first_loads_first", orders, 20, {"A": 30.0, "B": 10.0}) == {1: 15, 2: 5}
    orders.append(order(3, 4, buyer="C"))
    assert starts("first_loads_first", orders, 20, {"A": 30.0, "B": 10.0, "C": 40.0}) == {
        1: 12, 2: 4, 3: 4}


def test_shortfalls_are_shared_in_whole_loads() -> None:
    """Loads of 10; A short by 30, B by 10. 35 starts are 3 whole loads, shared 30:10 =
    2.25 : 0.75 -> 2 and 1 by largest remainder (A 20, B 10); the 5 left go to the buyer
    furthest short after that, A (10 to B's 0): A 25, B 10. Unit by unit (load 1) it is
    26 and 9, and neither has a whole load more than the other would."""
    orders = [order(1, 50, buyer="A"), order(2, 50, buyer="B")]
    short = {"A": 30.0, "B": 10.0}
    assert starts("first_loads_first", orders, 35, short, load=10) == {1: 25, 2: 10}
    assert starts("first_loads_first", orders, 35, short) == {1: 26, 2: 9}
    # less than a load: all to the buyer furthest short
    assert starts("first_loads_first", orders, 8, short, load=10) == {1: 8}


def test_framework_orders_come_first_under_every_rule() -> None:
    orders = [order(1, 10), order(2, 4, tier=1, priority=0)]
    for rule in RULES:
        assert starts(rule, orders, 5)[2] == 4, rule


def test_pro_rata_splits_by_what_each_order_waits_for() -> None:
    assert starts("pro_rata", [order(1, 30), order(2, 10)], 8) == {1: 6, 2: 2}


books = st.lists(st.tuples(st.integers(0, 50), st.integers(0, 1), st.integers(0, 1)),
                 min_size=1, max_size=8)


@given(books, st.integers(0, 200), st.sampled_from(sorted(RULES)),
       st.dictionaries(st.sampled_from(["C0", "C1", "C2", "C3"]), st.floats(0.5, 80)),
       st.integers(1, 24))
def test_every_rule_starts_what_it_can_and_never_more(rows, count, rule, short, load) -> None:
    orders = [order(i, u, tier, priority) for i, (u, tier, priority) in enumerate(rows)]
    _, split = RULES[rule]
    parts = split(book(rule, orders), count, line(short, load))
    total = sum(o.unstarted for o in orders)
    assert sum(n for _, n in parts) == min(count, total)
    given_to: dict[int, int] = {}
    for o, n in parts:
        assert n > 0
        given_to[id(o)] = given_to.get(id(o), 0) + n
    assert all(given_to[id(o)] <= o.unstarted for o in orders if id(o) in given_to)
    framework = sum(o.unstarted for o in orders if o.priority == 0)
    assert sum(n for o, n in parts if o.priority == 0) == min(count, framework)


def test_target_rules_cap_national_effort_as_documented() -> None:
    """Two countries, GDP 100 and 300, holding 10 and 0 weighted fire units; fivefold × 2."""
    import copy

    from stockpile.model.buying.targets import RULES as TARGETS
    from stockpile.model.world import World
    from stockpile.scenario.load import deep_merge
    from stockpile.scenario.schema import Scenario
    from tests.test_model import FLAT

    data = deep_merge(copy.deepcopy(FLAT), {"countries": {"BBB": {"gdp_usd_bn": 300}}})
    world = World(Scenario.model_validate(data), seed=1, deterministic=True)
    assert TARGETS["none"](world, "AAA") is None
    assert TARGETS["own_baseline"](world, "AAA") == 20.0  # 2 × 10
    assert TARGETS["own_baseline"](world, "BBB") is None  # no baseline: uncapped
    assert TARGETS["fair_share"](world, "AAA") == 20.0 * 100 / 400
    assert TARGETS["fair_share"](world, "BBB") == 20.0 * 300 / 400


def _to_shortfalls_plain(book: list, count: int, short: dict[str, float], load: int) -> list:
    """The rule as first written (every order of every short buyer gathered, then capped):
    the model's version stops reading the book once each buyer's shortfall is covered."""
    orders: dict[str, list] = {}
    for o in book:
        if o.priority != 0 and o.unstarted and len(o.buyers) == 1:
            buyer = next(iter(o.buyers))
            if buyer in short:
                orders.setdefault(buyer, []).append(o)
    caps = {b: min(math.ceil(short[b] - 1e-9), sum(o.unstarted for o in mine))
            for b, mine in orders.items()}
    parts = []
    for buyer, give in sorted(_whole_loads(count, short, caps, load).items()):
        for o in orders[buyer]:
            if give <= 0:
                break
            part = min(give, o.unstarted)
            parts.append((o, part))
            give -= part
    return parts


@given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 1), st.integers(0, 1),
                          st.sampled_from(["C0", "C1", "C2", "C3"])), min_size=1, max_size=12),
       st.integers(0, 120),
       st.dictionaries(st.sampled_from(["C0", "C1", "C2", "C3", "C4"]),
                       st.one_of(st.floats(1e-12, 1e-9), st.floats(0.5, 90))),
       st.integers(1, 12))
def test_shortfall_shares_read_the_book_only_as_far_as_needed(rows, count, short, load) -> None:
    """Stopping early gives exactly the split of gathering every order first."""
    orders = [order(i, u, tier, priority, buyer)
              for i, (u, tier, priority, buyer) in enumerate(rows)]
    kept = book("first_loads_first", orders)
    fast = [(o.contract_id, n) for o, n in _to_shortfalls(kept, count, short, load)]
    plain = [(o.contract_id, n) for o, n in _to_shortfalls_plain(kept, count, short, load)]
    assert fast == plain
