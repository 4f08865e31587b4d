"""Which runs to do next: every point in batches of runs, each batch split into chunks.

Without ``--until-ci`` a point has one batch of ``--runs`` runs. With it, a point gets
another batch only while some deadline's 95% Wilson interval is still as wide as asked,
and never beyond ``--runs``. The decision uses only the point's own finished batches, so
it is the same whatever the number of workers, the completion order or a resume, and a
resume asks only for the runs no chunk file covers.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from stockpile.analysis.summary import wilson
from stockpile.experiment.chunks import Chunk

MAX_CHUNK = 25  # runs per task: big enough to amortise overhead, small enough to balance
TASKS_PER_WORKER = 4


def batch_size(runs: int, until_ci: float | None) -> int:
    """Runs added per step of ``--until-ci`` (a tenth of ``--runs``, at least 20)."""
    return runs if until_ci is None else min(runs, max(20, math.ceil(runs / 10)))


def chunk_size(points: int, batch: int, workers: int) -> int:
    """About four tasks per worker, at most ``MAX_CHUNK`` runs each."""
    return max(1, min(MAX_CHUNK, batch,
                      math.ceil(points * batch / (workers * TASKS_PER_WORKER))))


@dataclass
class PointState:
    batch: int = 0
    waiting: int = 0  # chunks of the current batch still running
    ok: int = 0
    met: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    covered: list[tuple[int, int]] = field(default_factory=list)  # (first, count) done
    finished: bool = False

    def add(self, ok: int, met: Iterable[int]) -> None:
        met = np.asarray(list(met), np.int64)
        self.ok += ok
        self.met = met if not len(self.met) else self.met + met


class Schedule:
    """Hands out (point, first, count) in (point, run) order, opening points lazily."""

    def __init__(self, points: int, runs: int, batch: int, chunk: int,
                 until_ci: float | None, done: Iterable[Chunk] = ()):
        self.runs, self.batch, self.chunk, self.until_ci = runs, batch, chunk, until_ci
        self.states = [PointState() for _ in range(points)]
        self.done_runs = 0
        for c in done:
            state = self.states[c.point]
            state.covered.append((c.first, c.count))
            state.add(c.ok, c.met)
            self.done_runs += c.count
        self.queue: list[tuple[int, int, int]] = []
        self.cursor = 0

    @property
    def planned_runs(self) -> int:
        """An upper bound (``--until-ci`` may stop points early)."""
        return len(self.states) * self.runs

    @property
    def complete(self) -> bool:
        return self.cursor == len(self.states) and all(s.finished for s in self.states)

    def next(self) -> tuple[int, int, int] | None:
        while not self.queue and self.cursor < len(self.states):
            self._advance(self.cursor)
            self.cursor += 1
        return heapq.heappop(self.queue) if self.queue else None

    def finish(self, point: int, first: int, count: int, ok: int, met: Iterable[int]) -> None:
        state = self.states[point]
        state.add(ok, met)
        state.covered.append((first, count))
        state.waiting -= 1
        self.done_runs += count
        if state.waiting == 0:
            self._advance(point)

    def _advance(self, point: int) -> None:
        """Queue the point's missing runs of its current batch, or move past whole batches."""
        state = self.states[point]
        while not state.finished:
            low = state.batch * self.batch
            high = min(self.runs, low + self.batch)
            if low >= self.runs:
                state.finished = True
                return
            missing = _missing(low, high, state.covered)
            if missing:
                for first, count in missing:
                    for start in range(first, first + count, self.chunk):
                        size = min(self.chunk, first + count - start)
                        heapq.heappush(self.queue, (point, start, size))
                        state.waiting += 1
                return
            if self._narrow_enough(state):
                state.finished = True
                return
            state.covered = [c for c in state.covered if c[0] >= high]
            state.batch += 1

    def _narrow_enough(self, state: PointState) -> bool:
        """Every deadline's interval narrower than ``--until-ci`` (never without it)."""
        if self.until_ci is None or state.ok == 0:
            return False
        widths = [high - low for low, high in (wilson(int(m), state.ok) for m in state.met)]
        return all(width < self.until_ci for width in widths)


def _missing(low: int, high: int, covered: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The (first, count) ranges of [low, high) that no finished chunk covers."""
    gaps = []
    position = low
    for first, count in sorted(covered):
        if first + count <= position or first >= high:
            continue
        if first > position:
            gaps.append((position, first - position))
        position = max(position, first + count)
    if position < high:
        gaps.append((position, high - position))
    return gaps
