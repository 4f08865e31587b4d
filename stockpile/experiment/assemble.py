"""The final files of a sweep, assembled from its chunk files in (point, run) order.

A per-run timeseries longer than a spreadsheet's sheet becomes timeseries.parquet.

Completion order, worker count and resumes only change which chunk files exist when, not
what is in them, so the assembled files are the same bytes for ``--jobs 1``, ``--jobs N``,
Dask and a resumed sweep. One chunk is read at a time and per-month tallies are merged per
point, in blocks of keys that wait packed in a scratch file, and the summaries are written
a block at a time, so memory stays flat in the number of runs.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd

from stockpile.experiment.chunks import chunk_files, read_chunk
from stockpile.experiment.claim import naming
from stockpile.experiment.csvstyle import prepend_bom
from stockpile.experiment.output import csv_text
from stockpile.experiment.parquet import csv_to_parquet, too_long
from stockpile.experiment.plan import SweepPlan
from stockpile.experiment.tables import BURDEN_COLUMNS
from stockpile.experiment.tally import Packed, Shelved, Tally
from stockpile.experiment.worker import (
    BINDINGS,
    FAILURE_COLUMNS,
    LINE_FIELDS,
    RATIO_BIN,
    STOCK_QUANTITIES,
    Catalogue,
)
from stockpile.model.records import StockRow

MERGE_PARTS = 8  # chunk tallies held before they are merged into the point's tally
MERGE_ENTRIES = 1_000_000  # ... or this many entries, whichever comes first
BLOCK_ENTRIES = 100_000  # entries of a held block: about what a merge or a summary step adds
#: keys one summary row reads together: ``align * k`` to ``align * k + align - 1``
ROW_KEYS = {"lines": len(LINE_FIELDS)}
DIGITS = 6
FAN_COLUMNS = ["point", "date", "ratio_mean", "ratio_p5", "ratio_p25", "ratio_p50", "ratio_p75",
               "ratio_p95"]
STOCK_COLUMNS = ["point", "date", "country", "system", "quantity", "mean", "p5", "p50", "p95"]
BINDING_COLUMNS = ["point", "date", "country", *(f"{b}_share" for b in BINDINGS)]
LINE_COLUMNS = ["point", "date", "line", "capacity_mean", "started_mean", "backlog_mean",
                "capacity_limited_share", "components_limited_share"]
SUMMARY_FILES = {"fan.csv": FAN_COLUMNS, "timeseries_summary.csv": STOCK_COLUMNS,
                 "constraints_summary.csv": BINDING_COLUMNS,
                 "production_summary.csv": LINE_COLUMNS}


class CSVStream:
    """A CSV written in parts and renamed into place when complete (never half a file)."""

    def __init__(self, path: Path, columns: list[str]):
        self.path = path
        self.rows = 0
        self.ascii = True
        self.temp = path.with_name(f".{path.name}.partial")
        with naming(path):
            self.stream = self.temp.open("w", encoding="utf-8", newline="")
            self.stream.write(csv_text(pd.DataFrame(columns=columns)))

    def write(self, body: str) -> None:
        self.rows += body.count("\n")  # rows are one line each: no text holds a newline
        self.ascii = self.ascii and body.isascii()
        with naming(self.path):
            self.stream.write(body)

    def frame(self, frame: pd.DataFrame) -> None:
        if len(frame):
            self.write(csv_text(frame).split("\n", 1)[1])

    def close(self) -> None:
        with naming(self.path):
            self.stream.flush()
            os.fsync(self.stream.fileno())
            self.stream.close()
            if not self.ascii:
                prepend_bom(self.temp)
            os.replace(self.temp, self.path)

    def abort(self) -> None:
        with contextlib.suppress(OSError):  # a full disk cannot flush what is buffered
            self.stream.close()
        with contextlib.suppress(FileNotFoundError):
            self.temp.unlink()


@dataclass
class Totals:
    ok: int = 0
    failed: int = 0


class Merger:
    """Tallies of one point, held packed in blocks of consecutive keys, so that merging
    and the summaries need memory for one block beyond what is held, and what is held is
    small, however many runs there are; with a ``scratch`` folder the held blocks wait in
    an unnamed file there, not in memory (a point's tally grows with runs as values
    spread: ~100 MiB packed at 1,000 runs of the baseline).

    Chunk tallies wait (packed) until they are ``MERGE_ENTRIES`` entries (or
    ``MERGE_PARTS`` tallies), then are merged into the held blocks a block at a time (each
    block with its key range of every waiting tally); a block grown past twice ``block``
    entries is cut into blocks of about ``block``. Counts merge exactly, so the blocks are
    the entries of the one merged tally, whatever the grouping.
    """

    def __init__(self, block: int | None = None, scratch: Path | None = None) -> None:
        self.block = BLOCK_ENTRIES if block is None else block
        self.scratch = scratch
        self.held: dict[str, list[Packed | Shelved]] = {}
        self.files: dict[str, BinaryIO] = {}  # the scratch file of each name's held blocks
        self.parts: dict[str, list[Packed]] = {}

    def add(self, tallies: dict[str, Tally]) -> None:
        for name, tally in tallies.items():
            parts = self.parts.setdefault(name, [])
            parts.append(Packed.of(tally))
            if len(parts) > MERGE_PARTS or sum(len(t) for t in parts) > MERGE_ENTRIES:
                self._merge(name)

    def _merge(self, name: str) -> None:
        """Merge the waiting tallies into the held blocks (into a new scratch file)."""
        align = ROW_KEYS.get(name, 1)
        stream = None
        if self.scratch is not None:
            with naming(self.scratch):
                # closed once read back (blocks) or by close(): it outlives this call
                stream = tempfile.TemporaryFile(dir=self.scratch)  # noqa: SIM115
        held: list[Packed | Shelved] = []
        try:
            for block in self.blocks(name):
                for piece in block.split(self.block, align):
                    packed = Packed.of(piece)
                    if stream is None:
                        held.append(packed)
                    else:
                        with naming(self.scratch):
                            held.append(packed.save(stream))
                del block
        except BaseException:
            if stream is not None:
                stream.close()
            raise
        self.held[name] = held
        if stream is not None:
            self.files[name] = stream

    def close(self) -> None:
        for stream in self.files.values():
            stream.close()
        self.files.clear()

    def blocks(self, name: str) -> Iterator[Tally]:
        """Tally ``name`` merged, as blocks of consecutive keys in key order, each about
        ``block`` entries or fewer. What is held is handed over and let go of as it goes.

        A held block's range (from its first key, rounded down to an aligned cut, to the
        next one's) takes the waiting tallies' entries in it too; a range with more than
        twice ``block`` entries in all is merged in parts, cut where its largest source
        has about its share of ``block`` entries: a first merge (nothing held yet) or a
        few large chunks never merge more than a block or so at once.
        """
        held = self.held.pop(name, [])[::-1]  # popped from the end
        parts = self.parts.pop(name, [])
        align = ROW_KEYS.get(name, 1)  # blocks cut before aligned keys only
        low: int | None = None
        stream = self.files.pop(name, None)
        try:
            while True:
                sources = [held.pop().load(), *parts] if held else parts
                high = held[-1].first() // align * align if held else None
                sizes = [s.count(low, high) for s in sources]
                cuts: list[int] = []
                if sum(sizes) > 2 * self.block:
                    big = int(np.argmax(sizes))
                    cuts = sources[big].cuts(low, high,
                                             max(1, self.block * sizes[big] // sum(sizes)), align)
                for a, b in itertools.pairwise([low, *cuts, high]):
                    merged = Tally.merged([s.between(a, b) for s in sources])
                    yield merged
                    del merged
                del sources
                if high is None:
                    return
                low = high
        finally:
            if stream is not None:
                stream.close()

    def get(self, name: str) -> Tally:
        """Tally ``name`` merged whole (what is held is handed over)."""
        return Tally.merged(list(self.blocks(name)))


def assemble(out: Path, plan: SweepPlan, timeseries: str) -> Totals:
    """Write runs.csv, burden_runs.csv, failures.csv and the per-month files from the chunk
    files."""
    streams = {"runs": CSVStream(out / "runs.csv", list(plan.columns)),
               "burden_runs": CSVStream(out / "burden_runs.csv", BURDEN_COLUMNS),
               "failures": CSVStream(out / "failures.csv", FAILURE_COLUMNS)}
    if timeseries == "full":
        streams["timeseries"] = CSVStream(out / "timeseries.csv",
                                          ["point", "run", *StockRow._fields])
    if timeseries != "none":
        streams.update({name: CSVStream(out / name, columns)
                        for name, columns in SUMMARY_FILES.items()})
    totals = Totals()
    try:
        for point, files in itertools.groupby(chunk_files(out), key=lambda f: f[0]):
            with contextlib.closing(Merger(scratch=out)) as merger:
                ok = 0
                for *_, path in files:
                    chunk = read_chunk(path)
                    for name, text in chunk.texts.items():
                        streams[name].write(text)
                    merger.add(chunk.tallies)
                    ok += chunk.ok
                    totals.failed += chunk.failed
                    del chunk  # before the next is read
                totals.ok += ok
                if timeseries != "none" and ok:
                    _write_summaries(streams, point, Catalogue.of(plan.scenario(point)), merger,
                                     ok)
    except BaseException:
        for stream in streams.values():
            stream.abort()
        raise
    for stream in streams.values():
        stream.close()
    if "timeseries" in streams and too_long(streams["timeseries"].rows):
        with naming(streams["timeseries"].path):
            csv_to_parquet(streams["timeseries"].path)
    return totals


def _write_summaries(streams: dict[str, CSVStream], point: int, catalogue: Catalogue,
                     merger: Merger, runs: int) -> None:
    """Each file's rows a block of keys at a time: a row reads one key's entries (or one
    aligned group's, ``ROW_KEYS``), and blocks come in key order, so the rows are those of
    the whole tally in the same order."""
    for block in merger.blocks("ratio"):
        streams["fan.csv"].frame(fan(point, catalogue, block))
    for block in merger.blocks("stocks"):
        streams["timeseries_summary.csv"].frame(
            stock_summary(point, catalogue, block.padded(runs)))
    for block in merger.blocks("binding"):
        streams["constraints_summary.csv"].frame(binding_summary(point, catalogue, block))
    for block in merger.blocks("lines"):
        streams["production_summary.csv"].frame(line_summary(point, catalogue, block))


def fan(point: int, catalogue: Catalogue, tally: Tally) -> pd.DataFrame:
    """Quantiles of the goal ratio across runs, per month."""
    stats = tally.stats()
    frame = pd.DataFrame({"point": point, "date": _pick(catalogue.months, stats["key"])})
    frame["ratio_mean"] = stats["mean"] * RATIO_BIN
    for p in (5, 25, 50, 75, 95):
        frame[f"ratio_p{p}"] = stats[f"p{p}"] * RATIO_BIN
    return frame.round(DIGITS)[FAN_COLUMNS]


def stock_summary(point: int, catalogue: Catalogue, tally: Tally) -> pd.DataFrame:
    """Mean and quantiles of each stock quantity across runs (absent stocks count as 0)."""
    stats = tally.stats((0.05, 0.5, 0.95))
    key = stats["key"]
    rest, quantity = np.divmod(key, len(STOCK_QUANTITIES))
    rest, system = np.divmod(rest, len(catalogue.systems))
    month, country = np.divmod(rest, len(catalogue.countries))
    frame = pd.DataFrame({
        "point": point, "date": _pick(catalogue.months, month),
        "country": _pick(catalogue.countries, country),
        "system": _pick(catalogue.systems, system),
        "quantity": _pick(STOCK_QUANTITIES, quantity),
        "mean": stats["mean"], "p5": stats["p5"], "p50": stats["p50"], "p95": stats["p95"]})
    return frame.round(DIGITS)


def binding_summary(point: int, catalogue: Catalogue, tally: Tally) -> pd.DataFrame:
    """Share of runs in which each constraint held each country back, per month."""
    keys, shares = tally.shares(len(BINDINGS))
    month, country = np.divmod(keys, len(catalogue.countries))
    frame = pd.DataFrame({"point": point, "date": _pick(catalogue.months, month),
                          "country": _pick(catalogue.countries, country)})
    for i, name in enumerate(BINDINGS):
        frame[f"{name}_share"] = shares[:, i]
    return frame.round(DIGITS)


def line_summary(point: int, catalogue: Catalogue, tally: Tally) -> pd.DataFrame:
    """Mean capacity, starts and backlog per line and month; share of runs it was limited."""
    n = len(LINE_FIELDS)
    stats = tally.stats(())
    base, field = np.divmod(stats["key"], n)
    lines = np.unique(base)
    month, line = np.divmod(lines, len(catalogue.lines))
    frame = pd.DataFrame({"point": point, "date": _pick(catalogue.months, month),
                          "line": _pick(catalogue.lines, line)})
    row = np.searchsorted(lines, base)
    for i, name in enumerate(("capacity_mean", "started_mean", "backlog_mean")):
        column = np.full(len(lines), np.nan)
        column[row[field == i]] = stats["mean"][field == i]
        frame[name] = column
    limited = tally.keys % n == n - 1
    keys, shares = Tally(tally.keys[limited], tally.values[limited],
                         tally.counts[limited]).shares(3)
    at = np.searchsorted(lines, keys // n)
    for i, name in ((1, "capacity_limited_share"), (2, "components_limited_share")):
        column = np.zeros(len(lines))
        column[at] = shares[:, i]
        frame[name] = column
    return frame.round(DIGITS)[LINE_COLUMNS]


def _pick(names: tuple[str, ...], codes: np.ndarray) -> np.ndarray:
    return np.array(names, dtype=object)[codes] if len(codes) else np.array([], dtype=object)
