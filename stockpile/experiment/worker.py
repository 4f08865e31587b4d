"""The worker side of a sweep: run a chunk of replications and pack what the files need.

Runs on whichever process or Dask worker gets the task, so it depends only on its
arguments: the point's scenario and a ``ChunkTask``. Per-month tables are reduced to
tallies here (keys encoded as integers from the scenario's own lists of months,
countries, systems and lines), so the driver receives kilobytes, not whole tables.
"""

from __future__ import annotations

import gc
import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
from dataclasses import dataclass

import numpy as np
import pandas as pd

from stockpile.api import simulate
from stockpile.experiment.chunks import Chunk, ChunkResult, ChunkTask
from stockpile.experiment.output import csv_text
from stockpile.experiment.seeds import run_seed
from stockpile.experiment.tables import BURDEN_COLUMNS, runs_table
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

    def codes(self, values: pd.Series, kind: str) -> np.ndarray:
        categories = getattr(self, kind)
        codes = pd.Categorical(values, categories=categories).codes.astype(np.int64)
        if len(codes) and codes.min() < 0:
            unknown = sorted(set(values) - set(categories))[:3]
            raise ValueError(f"{kind} not in the scenario: {', '.join(map(str, unknown))}")
        return codes


def start_worker() -> None:
    """Process-pool initializer: Ctrl-C is the driver's to handle, not every worker's; and a
    worker whose driver died (SIGKILL, out of memory) exits instead of waiting forever."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = multiprocessing.parent_process()
    if parent is not None and parent.sentinel is not None:
        threading.Thread(target=_exit_with, args=(parent.sentinel,), daemon=True).start()


def _exit_with(sentinel: int) -> None:
    multiprocessing.connection.wait([sentinel])
    os._exit(1)


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
        chunk.texts["runs"] = _body(runs)
        chunk.texts["burden_runs"] = "".join(reduced.burden)
        if task.timeseries != "none":
            chunk.tallies = {name: Tally.merged(parts) for name, parts in reduced.tallies.items()}
        if task.timeseries == "full":
            chunk.texts["timeseries"] = "".join(reduced.timeseries)
    if failures:
        chunk.texts["failures"] = _body(pd.DataFrame(failures, columns=FAILURE_COLUMNS))
    return ChunkResult(chunk.point, chunk.first, chunk.count, chunk.ok,
                       tuple(int(m) for m in chunk.met), chunk.to_bytes(), chunk.name)


class _Reduced:
    """What a chunk keeps of its runs: run rows, burden rows as text (each member per
    deadline: a few dozen rows a run, kept whole so that every run's own first-met months
    are in burden_runs.csv), tallies and (``full``) timeseries text."""

    def __init__(self, scenario: Scenario, task: ChunkTask):
        self.task = task
        self.catalogue = Catalogue.of(scenario)
        self.ok = 0
        self.runs: list[pd.DataFrame] = []
        self.burden: list[str] = []
        self.tallies: dict[str, list[Tally]] = {}
        self.timeseries: list[str] = []

    def add(self, outputs: list[tuple[int, RunOutput]]) -> None:
        if not outputs:
            return
        task = self.task
        self.ok += len(outputs)
        self.runs += [runs_table(o, task.point, r, task.inputs) for r, o in outputs]
        self.burden.append(_body(burden_rows(task.point, outputs)))
        if task.timeseries != "none":
            for name, tally in tallies(self.catalogue, [o for _, o in outputs]).items():
                self.tallies.setdefault(name, []).append(tally)
        if task.timeseries == "full":
            self.timeseries.append(_body(pd.concat(
                [_tagged(o.timeseries, task.point, r) for r, o in outputs],
                ignore_index=True)))


def burden_rows(point: int, outputs: list[tuple[int, RunOutput]]) -> pd.DataFrame:
    """The runs' burden tables as burden_runs.csv's rows (tagged once, not run by run)."""
    frames = [o.burden for _, o in outputs]
    rows = pd.concat(frames, ignore_index=True)
    rows.insert(0, "run", np.repeat([r for r, _ in outputs], [len(f) for f in frames]))
    rows.insert(0, "point", point)
    return rows.reindex(columns=BURDEN_COLUMNS)


def _body(frame: pd.DataFrame) -> str:
    """CSV rows without the header: the assembler writes the header once."""
    return csv_text(frame).split("\n", 1)[1]


def _tagged(frame: pd.DataFrame, point: int, run: int) -> pd.DataFrame:
    frame = frame.copy()
    frame.insert(0, "run", run)
    frame.insert(0, "point", point)
    return frame


def tallies(catalogue: Catalogue, outputs: list[RunOutput]) -> dict[str, Tally]:
    """Per-month counts across the chunk's runs, one tally per summary file."""
    return {
        "stocks": stock_tally(catalogue, pd.concat([o.timeseries for o in outputs])),
        "ratio": ratio_tally(catalogue, pd.concat([o.capability for o in outputs])),
        "binding": binding_tally(catalogue, pd.concat([o.constraints for o in outputs])),
        "lines": line_tally(catalogue, pd.concat([o.production for o in outputs])),
    }


def stock_tally(catalogue: Catalogue, frame: pd.DataFrame) -> Tally:
    """Key ((month × countries + country) × systems + system) × 4 + quantity."""
    base = ((catalogue.codes(frame.date, "months") * len(catalogue.countries)
             + catalogue.codes(frame.country, "countries")) * len(catalogue.systems)
            + catalogue.codes(frame.system, "systems"))
    n = len(STOCK_QUANTITIES)
    keys = np.concatenate([base * n + i for i in range(n)])
    values = np.concatenate([frame[q].to_numpy(np.float64) for q in STOCK_QUANTITIES])
    return Tally.of(keys, values)


def ratio_tally(catalogue: Catalogue, frame: pd.DataFrame) -> Tally:
    """Key month; value the ratio in bins of ``RATIO_BIN`` (runs with no baseline skipped)."""
    ratio = frame.ratio.to_numpy(np.float64)
    keep = np.isfinite(ratio)
    return Tally.of(catalogue.codes(frame.date[keep], "months"),
                    np.round(ratio[keep] / RATIO_BIN))


def binding_tally(catalogue: Catalogue, frame: pd.DataFrame) -> Tally:
    """Key month × countries + country; value the index of the binding constraint."""
    keys = (catalogue.codes(frame.date, "months") * len(catalogue.countries)
            + catalogue.codes(frame.country, "countries"))
    values = pd.Categorical(frame.binding, categories=BINDINGS).codes
    if len(values) and values.min() < 0:
        raise ValueError(f"unknown binding constraint in {sorted(set(frame.binding))}")
    return Tally.of(keys, values)


def line_tally(catalogue: Catalogue, frame: pd.DataFrame) -> Tally:
    """Key (month × lines + line) × 4 + field; ``limited_by`` coded as in ``LIMITS``."""
    base = (catalogue.codes(frame.date, "months") * len(catalogue.lines)
            + catalogue.codes(frame.line, "lines"))
    n = len(LINE_FIELDS)
    limited = frame.limited_by.map(LIMITS).fillna(0).to_numpy(np.float64)
    values = [frame[f].to_numpy(np.float64) for f in LINE_FIELDS[:-1]] + [limited]
    return Tally.of(np.concatenate([base * n + i for i in range(n)]), np.concatenate(values))
