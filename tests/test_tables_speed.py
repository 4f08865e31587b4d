"""The faster table helpers give what the plain ones gave: per-period flows as a dense
difference would, and text columns exactly as pandas makes them from Python strings."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from stockpile.model.recording.tables import Snapshots, frame, labels, per_period, text


def _dense(totals: np.ndarray, snapshot: np.ndarray, thing: np.ndarray) -> np.ndarray:
    """The former way: every (snapshot, thing) in a dense array, differenced over snapshots."""
    if not len(totals):
        return totals
    dense = np.zeros((snapshot[-1] + 1, thing.max() + 1, totals.shape[1]), dtype=totals.dtype)
    dense[snapshot, thing] = totals
    return np.diff(dense, axis=0, prepend=0)[snapshot, thing]


@given(st.lists(st.integers(0, 6), max_size=12), st.sampled_from([np.int64, np.float64]),
       st.randoms(use_true_random=False))
def test_per_period_is_the_dense_difference(growth: list[int], dtype: type, rnd) -> None:
    snapshots = Snapshots(lambda row: row, 3)
    things: list[tuple] = []
    for grow in growth:  # a set that only grows, its numbers changing each snapshot
        things = [tuple(rnd.uniform(-5, 5) if dtype is np.float64 else rnd.randint(-5, 5)
                        for _ in range(3)) for _ in range(len(things) + grow)]
        snapshots.take(things)
    snapshot, thing = snapshots.index()
    values = snapshots.values(dtype)
    got, expected = per_period(values, snapshot, thing), _dense(values, snapshot, thing)
    assert got.dtype == expected.dtype and got.tobytes() == expected.tobytes()


def _same(ours: pd.DataFrame, theirs: pd.DataFrame) -> None:
    assert list(ours.dtypes) == list(theirs.dtypes)
    assert [type(c.array) for _, c in ours.items()] == [type(c.array) for _, c in theirs.items()]
    pd.testing.assert_frame_equal(ours, theirs)


@given(st.lists(st.sampled_from(["", "DEU", "2030-01", "é", "a,b"]), max_size=6),
       st.lists(st.integers(0, 20), max_size=30))
def test_labels_are_the_column_pandas_makes(names: list[str], picks: list[int]) -> None:
    index = np.array([p % len(names) for p in picks] if names else [], dtype=np.intp)
    ours = frame(["x"], {"x": labels(names, index)})
    _same(ours, pd.DataFrame({"x": text(names)[index]}))


@given(st.lists(st.one_of(st.sampled_from(["DEU", "", "x"]), st.none(), st.integers(0, 3),
                          st.just(b"raw"), st.just(float("nan"))), max_size=8))
def test_a_text_column_is_the_one_pandas_makes(values: list) -> None:
    column = np.empty(len(values), dtype=object)
    column[:] = values
    _same(frame(["x"], {"x": column}), pd.DataFrame({"x": column.copy()}))
