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
from typing import Any

import numpy as np
import pandas as pd


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
    """Running totals -> what happened since the thing's previous snapshot (or its start)."""
    if not len(totals):
        return totals
    dense = np.zeros((snapshot[-1] + 1, thing.max() + 1, totals.shape[1]), dtype=totals.dtype)
    dense[snapshot, thing] = totals
    return np.diff(dense, axis=0, prepend=0)[snapshot, thing]


def frame(columns: Sequence[str], data: dict[str, Any]) -> pd.DataFrame:
    """A table with its columns in the documented order, without copying the arrays."""
    return pd.DataFrame({name: data[name] for name in columns}, columns=list(columns),
                        copy=False)


def text(values: Sequence[str]) -> np.ndarray:
    """Strings as plain objects: pandas infers its string type faster from these."""
    return np.asarray(values, dtype=object)
