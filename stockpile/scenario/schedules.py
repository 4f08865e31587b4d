"""Delivery schedules and checkpoint periods: short date texts from the data tables.

A schedule says when a contract's units are due: ``2027/2029`` spreads every unit
evenly over January 2027 to December 2029; ``2025-07/2026-12:134;2027/2030:566``
gives each span its own number of units. A period (``2025``, ``2025/2026``,
``2024-07``) names the months a checkpoint adds up.
"""

from __future__ import annotations

import re
from collections import Counter

_MONTH = re.compile(r"^(\d{4})(?:-(0[1-9]|1[0-2]))?$")

Span = tuple[str, str]  # first and last month, YYYY-MM


def _month(text: str, last: bool) -> str:
    found = _MONTH.match(text.strip())
    if not found:
        raise ValueError(f"'{text}' is not a year or a month (YYYY or YYYY-MM)")
    year, month = found.groups()
    return f"{year}-{month or ('12' if last else '01')}"


def parse_span(text: str) -> Span:
    """``2027`` -> 2027-01..2027-12; ``2027-03/2029`` -> 2027-03..2029-12."""
    first, sep, last = text.strip().partition("/")
    span = (_month(first, False), _month(last if sep else first, True))
    if span[1] < span[0]:
        raise ValueError(f"'{text}' ends before it starts")
    return span


def parse_schedule(text: str) -> list[tuple[Span, int | None]]:
    """Spans with their units; a single span without units carries every unit."""
    parts = [p.strip() for p in str(text).split(";") if p.strip()]
    if not parts:
        raise ValueError("empty schedule")
    found: list[tuple[Span, int | None]] = []
    for part in parts:
        span, sep, units = part.partition(":")
        if not sep:
            if len(parts) > 1:
                raise ValueError(f"'{part}': give units for each span ('SPAN:units;...')")
            return [(parse_span(span), None)]
        if not units.strip().isdigit():
            raise ValueError(f"'{part}': units must be a whole number")
        found.append((parse_span(span), int(units)))
    return found


def months_between(first: str, last: str) -> int:
    y0, m0 = (int(x) for x in first.split("-"))
    y1, m1 = (int(x) for x in last.split("-"))
    return (y1 - y0) * 12 + (m1 - m0) + 1


def due_counts(text: str, quantity: int, skip: int = 0) -> list[tuple[str, int]]:
    """The units due each month, in month order, less the ``skip`` earliest units: each
    span's units spread evenly over its months, first month first; units beyond a
    schedule's total fall due in its last month, and a schedule that gives more units than
    the contract stops at its quantity. Counted month by month: a contract of 10,000 rounds
    costs its months, not its rounds."""
    counts: Counter[int] = Counter()
    total = 0
    last = None  # the month of the last unit listed (where units beyond the schedule fall)
    for (first, end), units in parse_schedule(text):
        count = quantity if units is None else units
        if count <= 0:
            continue
        months = months_between(first, end)
        y0, m0 = (int(x) for x in first.split("-"))
        base = y0 * 12 + m0 - 1
        for k in range(months):  # units j with floor(j * months / count) == k
            n = -(-(k + 1) * count // months) - -(-k * count // months)
            if n:
                counts[base + k] += n
        last = base + ((count - 1) * months) // count
        total += count
    if total < quantity and last is not None:
        counts[last] += quantity - total
    found = []
    left, skip = quantity, max(0, skip)
    for month in sorted(counts):
        n = min(counts[month], left)
        left -= n
        kept = max(0, n - skip)
        skip = max(0, skip - n)
        if kept:
            found.append((f"{month // 12:04d}-{month % 12 + 1:02d}", kept))
        if not left:
            break
    return found
