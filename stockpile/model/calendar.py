"""Simulated time is whole months from the scenario's start; this is the only mapping to dates."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from typing import Any


def parse_month(text: str) -> tuple[int, int]:
    year, month = text.split("-")
    return int(year), int(month)


@functools.lru_cache(maxsize=4096)
def _month_text(total: int) -> str:
    """``YYYY-MM`` of a count of months since year 0: every contract, delivery and table row
    asks, for the same few hundred months."""
    return f"{total // 12:04d}-{total % 12 + 1:02d}"


@dataclass(frozen=True)
class Calendar:
    start_year: int
    start_month: int  # 1..12
    months: int  # number of simulated months (the last index is months - 1)

    @classmethod
    def between(cls, start: str, end: str) -> Calendar:
        y0, m0 = parse_month(start)
        y1, m1 = parse_month(end)
        return cls(y0, m0, (y1 - y0) * 12 + (m1 - m0) + 1)

    def index(self, month: str) -> int:
        """Month index of a ``YYYY-MM`` date (may fall outside the horizon)."""
        year, mon = parse_month(month)
        return (year - self.start_year) * 12 + (mon - self.start_month)

    def date(self, t: int) -> str:
        """``YYYY-MM`` of month index t."""
        return _month_text(self.start_year * 12 + self.start_month - 1 + int(t))

    def year(self, t: int) -> int:
        return (self.start_year * 12 + self.start_month - 1 + int(t)) // 12

    def month_of_year(self, t: int) -> int:
        return (self.start_month - 1 + int(t)) % 12 + 1

    def deadline(self, year: int) -> int:
        """Index of December of a deadline year: the goal is judged at its close."""
        return self.index(f"{year}-12")

    def from_decimal_year(self, value: float) -> int:
        """2030.5 -> index of July 2030 (the month the decimal year falls in)."""
        whole = math.floor(value)
        month = min(11, math.floor((value - whole) * 12))
        return (whole - self.start_year) * 12 + month - (self.start_month - 1)


def every_month(env: Any, months: int, phase: float, step: Callable[[int], None]) -> Generator:
    """A SimPy process calling ``step(t)`` once a month, at a fixed phase within the month.

    Phases order the processes of one month (budgets, decisions, lines, consumption,
    recording) without relying on the order in which they were started.
    """
    yield env.timeout(phase)
    for t in range(months):
        step(t)
        yield env.timeout(1)


def each_every_month(env: Any, months: int, phase: float,
                     steps: Sequence[Callable[[int], None]]) -> Generator:
    """Several monthly steps at one phase, in the given order, from one SimPy process: the
    same months as a process each (they would run one after another in the order they were
    started), with one event a month instead of one a step."""
    def step(t: int) -> None:
        for each in steps:
            each(t)
    return every_month(env, months, phase, step)


def on_dates(env: Any, months: int, phase: float,
             events: list[tuple[int, Callable[[], None]]]) -> Generator:
    """A SimPy process calling each action in its month (sorted by month), at a fixed phase;
    actions dated at or after the horizon never run."""
    yield env.timeout(phase)
    now = 0
    for t, act in events:
        if t >= months:
            return
        if t > now:
            yield env.timeout(t - now)
            now = t
        act()
