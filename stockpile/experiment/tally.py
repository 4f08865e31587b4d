"""Counts of values per key: quantiles across runs in memory that does not grow with runs.

A sweep's per-month summaries (fan charts, stock quantiles, shares of runs bound by a
constraint) need the distribution of a quantity across runs for every (month, country,
system, ...) key. Keeping every run's value grows with the number of runs; keeping how
many runs had each value does not, because stock quantities are whole numbers from a
bounded range (and ratios are binned first). Counts merge exactly and in any order, so
the result does not depend on how runs were chunked, on which worker ran them, or on a
resume.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np
import pandas as pd

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


@dataclass(frozen=True)
class Tally:
    """Sorted, distinct (key, value) pairs and how many times each was seen."""

    keys: np.ndarray  # int64
    values: np.ndarray  # float64
    counts: np.ndarray  # int64

    @classmethod
    def empty(cls) -> Tally:
        return cls(np.zeros(0, np.int64), np.zeros(0, np.float64), np.zeros(0, np.int64))

    @classmethod
    def of(cls, keys: np.ndarray, values: np.ndarray,
           counts: np.ndarray | None = None) -> Tally:
        """Count raw observations (or pre-counted ones) into a sorted tally."""
        keys = np.asarray(keys, np.int64)
        values = np.asarray(values, np.float64)
        counts = np.ones(len(keys), np.int64) if counts is None else np.asarray(counts, np.int64)
        if len(keys) == 0:
            return cls.empty()
        order = _order(keys, values)
        keys = keys[order]  # one array at a time: a merge's peak memory is its inputs' twice
        values = values[order]
        counts = counts[order]
        del order
        starts = np.flatnonzero(np.r_[True, (keys[1:] != keys[:-1])
                                      | (values[1:] != values[:-1])])
        return cls(keys[starts], values[starts], np.add.reduceat(counts, starts))

    @classmethod
    def stacked(cls, keys: np.ndarray, values: np.ndarray) -> Tally:
        """Runs that share one key layout: ``values[i, r]`` is run r's value of ``keys[i]``.

        The same as ``of(np.repeat(keys, runs), values.ravel())``, but it sorts the keys
        once and each key's few values, not every observation: a sweep worker's runs all
        have the same rows, so a chunk's tallies are built this way.
        """
        keys = np.asarray(keys, np.int64)
        values = np.asarray(values, np.float64)
        if values.ndim != 2 or values.shape[0] != len(keys):
            raise ValueError("values must have one row per key and one column per run")
        if not values.size:
            return cls.empty()
        order = np.argsort(keys, kind="stable")
        if ((keys[order][1:] == keys[order][:-1]).any() or np.isnan(values).any()
                or (np.signbit(values) & (values == 0)).any()):
            # a key twice, or values whose order or first copy a row sort would not keep:
            # every observation, run after run, as the runs' tables are concatenated
            return cls.of(np.tile(keys, values.shape[1]), values.T.ravel())
        keys = keys[order]
        ordered = values[order]  # a copy: sorted in place
        ordered.sort(axis=1)
        new = np.ones(ordered.shape, bool)
        new[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
        starts = np.flatnonzero(new)
        return cls(np.repeat(keys, new.sum(axis=1)), ordered.ravel()[starts],
                   np.diff(np.r_[starts, ordered.size]))

    @classmethod
    def merged(cls, tallies: Iterable[Tally]) -> Tally:
        parts = [t for t in tallies if len(t.keys)]
        if not parts:
            return cls.empty()
        return cls.of(np.concatenate([t.keys for t in parts]),
                      np.concatenate([t.values for t in parts]),
                      np.concatenate([t.counts for t in parts]))

    def __len__(self) -> int:
        return len(self.keys)

    def padded(self, total: int) -> Tally:
        """Every key seen ``total`` times: the missing observations are zeros.

        A stock that does not exist in a run (a system a country never bought) is zero
        units in that run, not a missing value.
        """
        keys, starts = self.groups()
        missing = total - np.add.reduceat(self.counts, starts) if len(keys) else keys
        short = missing > 0
        if not short.any():
            return self
        return Tally.merged([self, Tally(keys[short], np.zeros(short.sum()), missing[short])])

    def between(self, low: int | None, high: int | None) -> Tally:
        """The entries with ``low <= key < high`` (``None``: no bound), as views: keys are
        sorted, so a key range is one slice."""
        start = 0 if low is None else int(np.searchsorted(self.keys, low, "left"))
        end = len(self.keys) if high is None else int(np.searchsorted(self.keys, high, "left"))
        return Tally(self.keys[start:end], self.values[start:end], self.counts[start:end])

    def split(self, size: int, align: int = 1) -> list[Tally]:
        """Consecutive key ranges of about ``size`` entries each (views), cut only before a
        key that is a multiple of ``align``: keys ``align * k`` to ``align * k + align - 1``
        stay together (one summary row reads them all)."""
        if len(self.keys) <= 2 * size:
            return [self] if len(self.keys) else []
        cuts = self.keys[size::size]
        cuts = np.unique(np.searchsorted(self.keys, cuts - cuts % align, "left"))
        bounds = [0, *(int(c) for c in cuts if 0 < c < len(self.keys)), len(self.keys)]
        return [Tally(self.keys[a:b], self.values[a:b], self.counts[a:b])
                for a, b in itertools.pairwise(bounds)]

    def groups(self) -> tuple[np.ndarray, np.ndarray]:
        """The distinct keys and where each one's entries start."""
        if not len(self.keys):
            return self.keys, np.zeros(0, np.int64)
        starts = np.flatnonzero(np.r_[True, self.keys[1:] != self.keys[:-1]])
        return self.keys[starts], starts

    def stats(self, quantiles: Iterable[float] = QUANTILES) -> dict[str, np.ndarray]:
        """Per key: ``key``, ``n``, ``mean`` and ``p5``... (numpy's default linear quantile)."""
        keys, starts = self.groups()
        result = {"key": keys}
        if not len(keys):
            result.update({"n": keys, "mean": np.zeros(0)})
            result.update({_name(q): np.zeros(0) for q in quantiles})
            return result
        n = np.add.reduceat(self.counts, starts)
        result["n"] = n
        result["mean"] = np.add.reduceat(self.values * self.counts, starts) / n
        ends = np.cumsum(self.counts)  # exclusive end rank of every entry, over all keys
        before = ends[starts] - self.counts[starts]  # ranks taken by earlier keys
        for q in quantiles:
            h = (n - 1) * q
            low = np.floor(h).astype(np.int64)
            high = np.minimum(low + 1, n - 1)
            a = self.values[np.searchsorted(ends, before + low, side="right")]
            b = self.values[np.searchsorted(ends, before + high, side="right")]
            t = h - low
            diff = b - a
            result[_name(q)] = np.where(t >= 0.5, b - diff * (1 - t), a + diff * t)
        return result

    def shares(self, categories: int) -> tuple[np.ndarray, np.ndarray]:
        """Per key, the share of observations equal to 0, 1, ... ``categories - 1``."""
        keys, starts = self.groups()
        n = np.add.reduceat(self.counts, starts) if len(keys) else keys
        table = np.zeros((len(keys), categories))
        group = np.repeat(np.arange(len(keys)), np.diff(np.r_[starts, len(self.keys)]))
        table[group, self.values.astype(np.int64)] = self.counts
        return keys, table / np.maximum(n, 1)[:, None]


@dataclass(frozen=True)
class Packed:
    """A tally held in about a fifth of the memory, unpacked exactly: each distinct key once with
    where its entries end, values and counts in the narrowest dtype that holds them (stock
    levels are whole numbers, counts are at most the runs; fractions as codes into their
    distinct values). A sweep holds a point's tally while its chunks are read, and the
    tally grows with runs as values spread."""

    keys: np.ndarray  # distinct, int64
    ends: np.ndarray  # int64: exclusive end of each key's entries
    values: np.ndarray  # or codes into ``table``
    counts: np.ndarray
    table: np.ndarray | None = None  # the distinct values, when ``values`` are codes

    @classmethod
    def of(cls, tally: Tally) -> Packed:
        """Arrays of its own: a packed slice does not keep the whole tally alive."""
        keys, starts = tally.groups()
        ends = np.r_[starts[1:], len(tally)].astype(np.int64) if len(keys) else starts
        values, table = _coded(tally.values)
        return cls(keys.copy(), ends, values, _own(tally.counts, compact(tally.counts)), table)

    def __len__(self) -> int:
        return len(self.values)

    def first(self) -> int:
        return int(self.keys[0])

    def load(self) -> Packed:
        return self

    def tally(self) -> Tally:
        return self.between(None, None)

    def save(self, stream: BinaryIO) -> Shelved:
        """Append to a scratch file; the block comes back with ``load``."""
        stream.seek(0, os.SEEK_END)
        offset = stream.tell()
        table = np.zeros(0) if self.table is None else self.table  # held blocks have entries
        for array in (self.keys, self.ends, self.values, self.counts, table):
            np.lib.format.write_array(stream, array, allow_pickle=False)
        return Shelved(stream, offset, self.first())

    def between(self, low: int | None, high: int | None) -> Tally:
        """The entries with ``low <= key < high`` (``None``: no bound), unpacked."""
        i, j, start, end = self._span(low, high)
        values = self.values[start:end]
        if self.table is not None:
            values = self.table[values]
        return Tally(np.repeat(self.keys[i:j], np.diff(self.ends[i:j], prepend=start)),
                     values.astype(np.float64, copy=False), self.counts[start:end].astype(np.int64))

    def count(self, low: int | None, high: int | None) -> int:
        """How many entries ``between(low, high)`` has."""
        _, _, start, end = self._span(low, high)
        return end - start

    def cuts(self, low: int | None, high: int | None, size: int, align: int = 1) -> list[int]:
        """Keys that cut ``between(low, high)`` into parts of about ``size`` entries, each a
        multiple of ``align`` (see ``Tally.split``) and above ``low``."""
        i, j, start, end = self._span(low, high)
        marks = np.searchsorted(self.ends[i:j], np.arange(start + size, end, size), "right")
        keys = self.keys[i:j][marks[marks < j - i]]
        keys = np.unique(keys - keys % align)
        return [int(k) for k in keys if low is None or k > low]

    def _span(self, low: int | None, high: int | None) -> tuple[int, int, int, int]:
        """Distinct keys ``i:j`` and entries ``start:end`` with ``low <= key < high``."""
        i = 0 if low is None else int(np.searchsorted(self.keys, low, "left"))
        j = len(self.keys) if high is None else int(np.searchsorted(self.keys, high, "left"))
        j = max(i, j)
        return i, j, int(self.ends[i - 1]) if i else 0, int(self.ends[j - 1]) if j else 0


@dataclass(frozen=True)
class Shelved:
    """A packed block kept in a scratch file, not in memory: where it is, and its first
    key (what a merge needs to know of a block before it reads it)."""

    stream: BinaryIO
    offset: int
    key: int

    def first(self) -> int:
        return self.key

    def load(self) -> Packed:
        self.stream.seek(self.offset)
        keys, ends, values, counts, table = (np.lib.format.read_array(self.stream)
                                             for _ in range(5))
        return Packed(keys, ends, values, counts, table if len(table) else None)


def compact(array: np.ndarray) -> np.ndarray:
    """``array`` in the narrowest integer dtype that holds every value exactly, or as it is
    (NaN, fractions, -0.0 or a huge value)."""
    if not len(array):
        return array
    if array.dtype.kind == "f":
        whole = (np.isfinite(array).all() and (array == np.floor(array)).all()
                 and not (np.signbit(array) & (array == 0)).any()
                 and array.min() >= -(2.0**31) and array.max() < 2.0**31)
        if not whole:
            return array
        array = array.astype(np.int64)
    if array.dtype.kind not in "iu":
        return array
    dtype = np.result_type(np.min_scalar_type(array.min()), np.min_scalar_type(array.max()))
    return array.astype(dtype)


def _own(array: np.ndarray, narrowed: np.ndarray) -> np.ndarray:
    return array.copy() if narrowed is array else narrowed


def _coded(values: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """Values as their narrowest whole numbers or as codes into their distinct values,
    whichever is smaller; codes only where exact (no NaN or -0.0, which a table of
    distinct values would merge). An array of its own either way."""
    narrowed = compact(values)
    if narrowed.itemsize > 2 and len(narrowed) and (
            narrowed.dtype.kind in "iu" or (np.isfinite(narrowed).all()
                                           and not (np.signbit(narrowed) & (narrowed == 0)).any())):
        codes, table = pd.factorize(narrowed)  # hashed, not sorted: a table in any order
        codes = compact(codes)
        if table.nbytes + codes.nbytes < narrowed.nbytes:
            return codes, table
    return _own(values, narrowed), None


def _order(keys: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``np.lexsort((values, keys))``, as one stable sort of an int64 code when it fits.

    The code is the key beside the value's rank, so equal pairs stay in input order as
    lexsort keeps them; merging sorted tallies (the common case) is then a stable sort of
    a few sorted runs, many times faster than lexsort's two passes over floats.
    """
    if np.isnan(values).any():
        return np.lexsort((values, keys))
    low, high = float(values.min()), float(values.max())  # Python floats: inf, no warning
    if high - low < 2**31 and (values == np.floor(values)).all():
        ranks, span = (values - low).astype(np.int64), int(high - low) + 1
    elif (np.signbit(values) & (values == 0)).any():
        uniques, ranks = np.unique(values, return_inverse=True)  # -0.0 and 0.0: one rank
        span = len(uniques)
    else:  # hash to the distinct values, sort only those (a tally has few per key)
        found, uniques = pd.factorize(values)
        rank = np.empty(len(uniques), np.int64)
        rank[np.argsort(uniques)] = np.arange(len(uniques))
        ranks, span = rank[found], len(uniques)
    first = int(keys.min())
    if (int(keys.max()) - first + 1) * span >= 2**62:
        return np.lexsort((values, keys))
    code = keys - first
    code *= span
    code += ranks.ravel()
    del ranks
    return np.argsort(code, kind="stable")


def _name(q: float) -> str:
    return f"p{round(q * 100):g}"
