"""Month-end snapshots kept as plain number tuples, and the numpy helpers that make tables.

Recording runs at every period's close, so it does as little as it can: it reads each
holding's, line's and account's numbers in C (``attrgetter``) and appends them, flows
included as running totals since the start. Dates, names and each period's flows (the
difference of running totals) are added once per run, with numpy, by the recorder's
table methods, instead of row by row during the run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import chain
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
from pandas.api.types import infer_dtype

from stockpile.model.records import DeliveryRow

if TYPE_CHECKING:
    from stockpile.model.calendar import Calendar


class Snapshots:
    """The numbers of a set of things that only grows (holdings, lines, accounts)."""

    def __init__(self, read: Callable[[Any], tuple], width: int):
        self.read = read
        self.width = width
        self.rows: list[tuple] = []
        self.counts: list[int] = []  # things present at each snapshot: the first ``count``

    def take(self, things: Sequence[Any]) -> None:
        self.rows.extend(map(self.read, things))
        self.counts.append(len(things))

    def values(self, dtype: type) -> np.ndarray:
        """All snapshots as one (rows, width) array.

        ``fromiter`` would silently truncate a float in an integer table, which is why
        integer tables come only from fields the model keeps as whole units.
        """
        flat = np.fromiter(chain.from_iterable(self.rows), dtype=dtype,
                           count=len(self.rows) * self.width)
        return flat.reshape(len(self.rows), self.width)

    def index(self) -> tuple[np.ndarray, np.ndarray]:
        """For every row: which snapshot it belongs to, and which thing it describes."""
        counts = np.asarray(self.counts, dtype=np.intp)
        snapshot = np.repeat(np.arange(len(counts)), counts)
        thing = np.arange(len(snapshot)) - np.repeat(np.cumsum(counts) - counts, counts)
        return snapshot, thing


def per_period(totals: np.ndarray, snapshot: np.ndarray, thing: np.ndarray) -> np.ndarray:
    """Running totals -> what happened since the thing's previous snapshot (or its start).

    Rows are in snapshot order, each snapshot's things first to last, so a thing's previous
    row is found by arithmetic (the previous snapshot's first row + the thing's number),
    without spreading the rows over a dense (snapshots × things) array.
    """
    if not len(totals):
        return totals
    counts = np.bincount(snapshot)
    starts = np.cumsum(counts) - counts
    before = np.maximum(snapshot - 1, 0)
    had = (snapshot > 0) & (thing < counts[before])  # the thing was there last time
    previous = totals[np.where(had, starts[before] + thing, 0)]
    previous[~had] = 0
    return totals - previous


#: the dtype pandas gives a column of Python strings: pyarrow strings from pandas 3 on
_STRINGS = pd.Series(np.array(["a"], dtype=object)).dtype
_ARROW = isinstance(_STRINGS, pd.StringDtype) and _STRINGS.storage == "pyarrow"


def _all_text(values: np.ndarray) -> bool:
    """Every value a ``str`` (none missing): pandas then makes the column its string type."""
    return _ARROW and len(values) > 0 and infer_dtype(values, skipna=False) == "string"


def _column(values: Any) -> Any:
    """A text column as pandas would make it, made in C by pyarrow; anything else as it is.

    pandas 3 checks and converts a column of strings one value at a time; a run's tables
    hold some 200,000 strings. Only columns of nothing but ``str`` take this way, so every
    column has the dtype and values pandas itself would give it.
    """
    if isinstance(values, np.ndarray) and values.dtype == object and _all_text(values):
        return pd.array(pa.array(values, type=pa.large_string()), dtype=_STRINGS)
    return values


def frame(columns: Sequence[str], data: dict[str, Any]) -> pd.DataFrame:
    """A table with its columns in the documented order, without copying the arrays."""
    return pd.DataFrame({name: _column(data[name]) for name in columns}, columns=list(columns),
                        copy=False)


def text(values: Sequence[str]) -> np.ndarray:
    """Strings as plain objects: pandas infers its string type faster from these."""
    return np.asarray(values, dtype=object)


def labels(names: Sequence[str], index: np.ndarray) -> Any:
    """``names[index]`` as a table column: dates, names repeated on every row.

    Where pandas would make the column pyarrow strings (see ``_column``), pyarrow repeats
    the few names by index, without making a Python object per row.
    """
    names = text(names)
    if len(index) and _all_text(names):
        chosen = pa.array(names, type=pa.large_string()).take(pa.array(index))
        return pd.array(chosen, dtype=_STRINGS)
    return names[index]


def rows_frame(rows: list, row_type: type) -> pd.DataFrame:
    """Column by column through numpy: much faster than pandas inferring types row by row."""
    columns = list(row_type._fields)
    if not rows:
        return pd.DataFrame(columns=columns)
    data = {}
    for name, values in zip(columns, zip(*rows, strict=True), strict=True):
        text = isinstance(values[0], str)  # plain objects: pandas' string inference is slow
        data[name] = np.array(values, dtype=object if text else None)
    return frame(columns, data)


def deliveries_frame(deliveries: list[tuple[int, int, dict[str, int]]],
                     calendar: Calendar) -> pd.DataFrame:
    """deliveries.csv from the run's (month, contract, shares), column by column: a row
    object and a formatted date per buyer's delivery cost more than the run's own work."""
    if not deliveries:
        return pd.DataFrame(columns=list(DeliveryRow._fields))
    months, contracts, shares = zip(*deliveries, strict=True)
    counts = np.fromiter(map(len, shares), dtype=np.intp, count=len(shares))
    if not counts.sum():
        return pd.DataFrame(columns=list(DeliveryRow._fields))
    month = np.repeat(np.array(months, dtype=np.intp), counts)
    return frame(DeliveryRow._fields, {
        "date": labels([calendar.date(t) for t in range(int(month.max()) + 1)], month),
        "contract_id": np.repeat(np.array(contracts), counts),
        "buyer": np.array(list(chain.from_iterable(shares)), dtype=object),
        "units": np.array(list(chain.from_iterable(map(dict.values, shares))))})
