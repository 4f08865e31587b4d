"""The worker side of a sweep: run a chunk of replications and pack what the files need.

Runs on whichever process or Dask worker gets the task, so it depends only on its
arguments: the point's scenario and a ``ChunkTask``. Per-month tables are reduced to
tallies here (keys encoded as integers from the scenario's own lists of months,
countries, systems and lines), so the driver receives kilobytes, not whole tables.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from stockpile.api import simulate
from stockpile.experiment.chunks import Chunk, ChunkResult, ChunkTask
from stockpile.experiment.output import csv_text
from stockpile.experiment.seeds import run_seed
from stockpile.experiment.tables import BURDEN_COLUMNS, GOAL_COLUMNS, runs_rows
from stockpile.experiment.tally import Tally
from stockpile.model.calendar import Calendar
from stockpile.model.world import RunOutput
from stockpile.scenario.schema import Scenario

STOCK_QUANTITIES = ("fire_units", "interceptors", "ready_fire_units", "on_order")
BINDINGS = ("money", "capacity", "components", "none")
LINE_FIELDS = ("capacity_per_month", "started", "backlog", "limited_by")
#: production ``limited_by`` as a category: 0 neither, 1 capacity (a stoppage counts), 2 components
LIMITS = {"capacity": 1, "stopped": 1, "components": 2}
HELD_RUNS = 10  # runs whose whole tables a worker holds at once
RATIO_BIN = 1e-4  # ratios are binned to this width before their quantiles are counted
FAILURE_COLUMNS = ["point", "run", "seed", "error", "command"]


@dataclass(frozen=True)
class Catalogue:
    """The integer codes of a point's months, countries, systems and lines."""

    months: tuple[str, ...]
    countries: tuple[str, ...]
    systems: tuple[str, ...]
    lines: tuple[str, ...]

    @classmethod
    def of(cls, scenario: Scenario) -> Catalogue:
        calendar = Calendar.between(scenario.time.start, scenario.time.end)
        buyers = {b for row in scenario.contracts.values() for b in row.buyers}
        buyers |= {row.receiver for row in scenario.transfers.values()}  # gifts' holders
        return cls(tuple(calendar.date(t) for t in range(calendar.months)),
                   tuple(sorted(set(scenario.countries) | buyers)),  # other customers too
                   tuple(sorted(scenario.systems)), tuple(sorted(scenario.lines)))

    @cached_property
    def _index(self) -> dict[str, dict[str, int]]:
        return {kind: {name: code for code, name in enumerate(getattr(self, kind))}
                for kind in ("months", "countries", "systems", "lines")}

    def codes(self, values: pd.Series, kind: str) -> np.ndarray:
        """Each value's position in the ``kind`` list: the table's few distinct values are
        looked up, not every row (a categorical of every row costs far more)."""
        codes = _looked_up(values, self._index[kind], -1, np.int64)
        if len(codes) and codes.min() < 0:
            categories = getattr(self, kind)
            unknown = sorted(set(values) - set(categories))[:3]
            raise ValueError(f"{kind} not in the scenario: {', '.join(map(str, unknown))}")
        return codes


def _looked_up(values: pd.Series, codes: dict[str, int], missing: int,
               dtype: type) -> np.ndarray:
    """Each value's code (``missing`` if it has none, or is missing): the column's few
    distinct values are looked up, not every row (a categorical of every row costs far
    more)."""
    found, distinct = pd.factorize(values)  # -1 for a missing value
    return np.array([codes.get(v, missing) for v in distinct] + [missing], dtype)[found]


def start_worker() -> None:
    """Process-pool initializer: Ctrl-C is the driver's to handle, not every worker's; and a
    worker whose driver died (SIGKILL, out of memory) exits instead of waiting forever."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    gc.collect()
    gc.freeze()  # the worker's modules: see ``heap_frozen`` (the process ends with the pool)
    parent = multiprocessing.parent_process()
    if parent is not None and parent.sentinel is not None:
        threading.Thread(target=_exit_with, args=(parent.sentinel,), daemon=True).start()


def _exit_with(sentinel: int) -> None:
    multiprocessing.connection.wait([sentinel])
    os._exit(1)


@contextlib.contextmanager
def heap_frozen() -> Iterator[None]:
    """Leave what is alive now out of the garbage collector's passes until the block ends.

    ``run_chunk`` collects fully before every chunk, and a full pass visits every object:
    in a process that has imported pandas, scipy and the model that is ~0.1 s a chunk.
    Frozen, a pass visits only what the chunks made (their garbage is still collected);
    unfrozen at the end, nothing alive before lives longer than it would have.
    """
    if gc.get_freeze_count():  # someone froze already: theirs to undo
        yield
        return
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def run_chunk(scenario: Scenario, task: ChunkTask) -> ChunkResult:
    """Simulate the task's runs; a run that raises is recorded, and the others go on.

    Whole tables are held for at most ``HELD_RUNS`` runs before they are reduced, so a
    worker's memory does not grow with the chunk size (which grows with ``--runs``).
    """
    # the previous chunk's tables hold reference cycles; left to the collector's own pace
    # they pile up for many chunks, so memory would grow with the runs of a sweep
    gc.collect()
    reduced = _Reduced(scenario, task)
    held: list[tuple[int, RunOutput]] = []
    failures = []
    for run in range(task.first, task.first + task.count):
        seed = run_seed(task.root_seed, run)
        try:
            held.append((run, simulate(scenario, seed=seed)))
        except Exception as exc:
            error = " ".join(f"{type(exc).__name__}: {exc}".split())
            failures.append((task.point, run, seed, error, f"{task.rerun} --seed {seed}".strip()))
        if len(held) == HELD_RUNS:
            reduced.add(held)
            held = []
    reduced.add(held)
    chunk = Chunk(task.point, task.first, task.count, reduced.ok,
                  np.zeros(len(scenario.goal.deadlines), np.int64))
    if reduced.ok:
        runs = pd.concat(reduced.runs, ignore_index=True).reindex(columns=list(task.columns))
        chunk.met = np.array([int(runs.loc[runs.deadline == d, "met"].sum())
                              for d in scenario.goal.deadlines], np.int64)
        chunk.texts["runs"] = runs_body(runs, len(GOAL_COLUMNS))
        chunk.texts["burden_runs"] = "".join(reduced.burden)
        if task.timeseries != "none":
            chunk.tallies = reduced.tallied()
        if task.timeseries == "full":
            chunk.texts["timeseries"] = "".join(reduced.timeseries)
    if failures:
        chunk.texts["failures"] = _body(pd.DataFrame(failures, columns=FAILURE_COLUMNS))
    return ChunkResult(chunk.point, chunk.first, chunk.count, chunk.ok,
                       tuple(int(m) for m in chunk.met), chunk.to_bytes(), chunk.name)


class _Reduced:
    """What a chunk keeps of its runs: run rows, burden rows as text (each member per
    deadline: a few dozen rows a run, kept whole so that every run's own first-met months
    are in burden_runs.csv), the tallies' observations and (``full``) timeseries text.

    A run's per-month tables shrink at once to the few columns the tallies count (well
    under a megabyte), so they are tallied once per chunk, as a stack of runs.
    """

    def __init__(self, scenario: Scenario, task: ChunkTask):
        self.task = task
        self.catalogue = Catalogue.of(scenario)
        self.ok = 0
        self.runs: list[pd.DataFrame] = []
        self.burden: list[str] = []
        self.tallies = _Tallies(self.catalogue)
        self.timeseries: list[str] = []

    def add(self, outputs: list[tuple[int, RunOutput]]) -> None:
        if not outputs:
            return
        task = self.task
        self.ok += len(outputs)
        self.runs.append(runs_rows(outputs, task.point, task.inputs))
        self.burden.append(_body(burden_rows(task.point, outputs)))
        if task.timeseries != "none":
            for _, output in outputs:
                self.tallies.add(output)
        if task.timeseries == "full":
            self.timeseries.append(_body(tagged_rows(task.point, outputs, "timeseries")))

    def tallied(self) -> dict[str, Tally]:
        return self.tallies.tallied()


class _Tallies:
    """Runs' observations for each summary tally, stacked (see ``_Stack``)."""

    def __init__(self, catalogue: Catalogue):
        self.catalogue = catalogue
        self.stacks = {name: _Stack() for name in TALLIED}
        self.layouts: dict[str, tuple[list[pd.Series], np.ndarray]] = {}

    def add(self, output: RunOutput) -> None:
        for name, (table, columns, keyed, valued) in TALLIED.items():
            frame = getattr(output, table)
            keys = self._keys(name, frame, columns, keyed)
            self.stacks[name].add(*valued(self.catalogue, frame, keys))

    def tallied(self) -> dict[str, Tally]:
        return {name: stack.tally() for name, stack in self.stacks.items()}

    def _keys(self, name: str, frame: pd.DataFrame, columns: tuple[str, ...],
              keyed: Callable[[Catalogue, pd.DataFrame], np.ndarray]) -> np.ndarray:
        """The frame's keys; the last run's when its key columns are the same (they are
        in every run of a point, and comparing is much cheaper than encoding)."""
        last = self.layouts.get(name)
        if last is not None and all(frame[c].equals(s) for c, s in zip(columns, last[0],
                                                                         strict=True)):
            return last[1]
        keys = keyed(self.catalogue, frame)
        self.layouts[name] = ([frame[c] for c in columns], keys)
        return keys


class _Stack:
    """One summary file's observations of a chunk's runs: those with the first run's keys
    as columns of a stack (a row sort of a few values each), any others as they come."""

    def __init__(self) -> None:
        self.keys: np.ndarray | None = None
        self.columns: list[np.ndarray] = []
        self.other: list[tuple[np.ndarray, np.ndarray]] = []

    def add(self, keys: np.ndarray, values: np.ndarray) -> None:
        if self.keys is None:
            self.keys = keys
        if keys is self.keys or np.array_equal(keys, self.keys):
            self.columns.append(values)
        else:
            self.other.append((keys, values))

    def tally(self) -> Tally:
        parts = [Tally.of(np.concatenate([k for k, _ in self.other]),
                          np.concatenate([v for _, v in self.other]))] if self.other else []
        if self.columns:
            parts.insert(0, Tally.stacked(self.keys, np.column_stack(self.columns)))
        return Tally.merged(parts) if len(parts) > 1 else parts[0] if parts else Tally.empty()


def burden_rows(point: int, outputs: list[tuple[int, RunOutput]]) -> pd.DataFrame:
    """The runs' burden tables as burden_runs.csv's rows (tagged once, not run by run)."""
    return tagged_rows(point, outputs, "burden").reindex(columns=BURDEN_COLUMNS)


def tagged_rows(point: int, outputs: list[tuple[int, RunOutput]], table: str) -> pd.DataFrame:
    """One of the runs' tables, concatenated, with point and run columns first."""
    frames = [getattr(o, table) for _, o in outputs]
    rows = pd.concat(frames, ignore_index=True)
    rows.insert(0, "run", np.repeat([r for r, _ in outputs], [len(f) for f in frames]))
    rows.insert(0, "point", point)
    return rows


def runs_body(runs: pd.DataFrame, leading: int) -> str:
    """runs.csv rows: a run's inputs (every column after the ``leading`` ones) are the same
    on each of its rows, so they are written once a run and put after each row's leading
    cells, which is what writing every row whole gives (three quarters fewer cells).

    Written whole instead when a run's inputs could read differently alone: a single input
    column (csv writes a lone empty cell as ``""``), a cell with a line break, or a column
    whose text depends on its other values (dates).
    """
    inputs = runs.iloc[:, leading:]
    plain = all(isinstance(t, pd.StringDtype) or (isinstance(t, np.dtype) and t.kind in "biufO")
                for t in inputs.dtypes)
    if inputs.shape[1] < 2 or not len(runs) or not plain:
        return _body(runs)
    run = runs["run"].to_numpy()
    first = np.flatnonzero(np.r_[True, run[1:] != run[:-1]])
    head = _body(runs.iloc[:, :leading]).split("\n")
    tail = _body(inputs.iloc[first]).split("\n")
    if len(head) != len(runs) + 1 or len(tail) != len(first) + 1:
        return _body(runs)
    of_row = np.repeat(np.arange(len(first)), np.diff(np.r_[first, len(runs)]))
    return "".join(f"{h},{tail[i]}\n" for h, i in zip(head, of_row, strict=False))


def _body(frame: pd.DataFrame) -> str:
    """CSV rows without the header: the assembler writes the header once."""
    return csv_text(frame, header=False)


def tallies(catalogue: Catalogue, outputs: list[RunOutput]) -> dict[str, Tally]:
    """Per-month counts across runs, one tally per summary file (what a chunk packs)."""
    found = _Tallies(catalogue)
    for output in outputs:
        found.add(output)
    return found.tallied()


def stock_keys(catalogue: Catalogue, frame: pd.DataFrame) -> np.ndarray:
    """Key ((month × countries + country) × systems + system) × 4 + quantity."""
    base = ((catalogue.codes(frame.date, "months") * len(catalogue.countries)
             + catalogue.codes(frame.country, "countries")) * len(catalogue.systems)
            + catalogue.codes(frame.system, "systems"))
    n = len(STOCK_QUANTITIES)
    return np.concatenate([base * n + i for i in range(n)])


def stock_values(catalogue: Catalogue, frame: pd.DataFrame,
                 keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return keys, np.concatenate([frame[q].to_numpy(np.float64) for q in STOCK_QUANTITIES])


def month_keys(catalogue: Catalogue, frame: pd.DataFrame) -> np.ndarray:
    return catalogue.codes(frame.date, "months")


def ratio_values(catalogue: Catalogue, frame: pd.DataFrame,
                 keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Key month; value the ratio in bins of ``RATIO_BIN`` (runs with no baseline skipped)."""
    ratio = frame.ratio.to_numpy(np.float64)
    keep = np.isfinite(ratio)
    return keys[keep], np.round(ratio[keep] / RATIO_BIN)


def binding_keys(catalogue: Catalogue, frame: pd.DataFrame) -> np.ndarray:
    """Key month × countries + country."""
    return (catalogue.codes(frame.date, "months") * len(catalogue.countries)
            + catalogue.codes(frame.country, "countries"))


def binding_values(catalogue: Catalogue, frame: pd.DataFrame,
                   keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Value the index of the binding constraint in ``BINDINGS``."""
    values = _looked_up(frame.binding, {b: i for i, b in enumerate(BINDINGS)}, -1, np.int64)
    if len(values) and values.min() < 0:
        raise ValueError(f"unknown binding constraint in {sorted(set(frame.binding))}")
    return keys, values.astype(np.float64)


def line_keys(catalogue: Catalogue, frame: pd.DataFrame) -> np.ndarray:
    """Key (month × lines + line) × 4 + field."""
    base = (catalogue.codes(frame.date, "months") * len(catalogue.lines)
            + catalogue.codes(frame.line, "lines"))
    n = len(LINE_FIELDS)
    return np.concatenate([base * n + i for i in range(n)])


def line_values(catalogue: Catalogue, frame: pd.DataFrame,
                keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``limited_by`` coded as in ``LIMITS``."""
    limited = _looked_up(frame.limited_by, LIMITS, 0, np.float64)
    values = [frame[f].to_numpy(np.float64) for f in LINE_FIELDS[:-1]] + [limited]
    return keys, np.concatenate(values)


Keyed = Callable[[Catalogue, pd.DataFrame], np.ndarray]
Valued = Callable[[Catalogue, pd.DataFrame, np.ndarray], tuple[np.ndarray, np.ndarray]]
#: summary tally -> (run table, its key columns, the keys, the (keys, values) observed)
TALLIED: dict[str, tuple[str, tuple[str, ...], Keyed, Valued]] = {
    "stocks": ("timeseries", ("date", "country", "system"), stock_keys, stock_values),
    "ratio": ("capability", ("date",), month_keys, ratio_values),
    "binding": ("constraints", ("date", "country"), binding_keys, binding_values),
    "lines": ("production", ("date", "line"), line_keys, line_values),
}
