"""Chunks: a few runs of one point, run as one task and saved as one file.

A chunk file (``chunks/p<point>-r<first>-n<count>.npz``) holds everything the final
files need from those runs: their runs.csv rows, failures, per-month tallies and (with
``--timeseries full``) their timeseries rows. It is written atomically as runs finish,
so the folder always holds whole chunks only: a resume redoes exactly the runs no file
covers, and the final files are assembled from the chunk files in (point, run) order.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from stockpile.experiment.claim import named, share
from stockpile.experiment.tally import Tally, compact

CHUNK_DIR = "chunks"
NAME = re.compile(r"^p(\d+)-r(\d+)-n(\d+)\.npz$")
#: zlib's fastest level: a chunk's tallies are megabytes, and level 6 (numpy's) took
#: longer than everything else a worker does beside simulating; files are a third larger
COMPRESS_LEVEL = 1


@dataclass(frozen=True)
class ChunkTask:
    """Runs ``first .. first + count - 1`` of one point; the scenario travels separately."""

    point: int
    first: int
    count: int
    root_seed: int
    inputs: dict[str, Any]  # the point's lever values (runs.csv columns)
    columns: tuple[str, ...]  # runs.csv columns, identical at every point
    timeseries: str  # none, summary or full
    rerun: str  # ``stockpile run CONFIG ... --set ...`` without the seed, for failures.csv


@dataclass
class Chunk:
    """A finished chunk: the counts the scheduler needs, and the parts of the final files."""

    point: int
    first: int
    count: int
    ok: int
    met: np.ndarray  # runs that met the goal, per deadline in scenario order
    texts: dict[str, str] = field(default_factory=dict)  # CSV bodies without header
    tallies: dict[str, Tally] = field(default_factory=dict)

    @property
    def failed(self) -> int:
        return self.count - self.ok

    @property
    def name(self) -> str:
        return f"p{self.point:06d}-r{self.first:09d}-n{self.count:06d}.npz"

    def to_bytes(self) -> bytes:
        """A compressed npz (no pickles), built in the worker to keep the driver light.

        Tallies are stored in the narrowest dtype that holds them exactly (counts of a few
        runs fit a byte, stock levels are whole numbers) and read back as int64/float64.
        """
        arrays: dict[str, np.ndarray] = {
            "meta": np.array([self.point, self.first, self.count, self.ok], np.int64),
            "met": np.asarray(self.met, np.int64)}
        for name, text in self.texts.items():
            arrays[f"text.{name}"] = np.frombuffer(text.encode("utf-8"), np.uint8)
        for name, tally in self.tallies.items():
            # sorted keys as steps from the first: mostly 0 and 1, a byte each
            arrays[f"tally.{name}.first_key"] = tally.keys[:1]
            arrays[f"tally.{name}.key_steps"] = compact(np.diff(tally.keys))
            arrays[f"tally.{name}.values"] = compact(tally.values)
            arrays[f"tally.{name}.counts"] = compact(tally.counts)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED,
                             compresslevel=COMPRESS_LEVEL) as archive:
            for key, array in arrays.items():  # as np.savez_compressed lays them out
                with archive.open(f"{key}.npy", "w", force_zip64=True) as stream:
                    np.lib.format.write_array(stream, array, allow_pickle=False)
        return buffer.getvalue()


@dataclass(frozen=True)
class ChunkResult:
    """What a worker sends back: the counts, and the chunk file's bytes."""

    point: int
    first: int
    count: int
    ok: int
    met: tuple[int, ...]
    payload: bytes
    name: str


def read_chunk(path: Path, parts: bool = True) -> Chunk:
    """Load a chunk file; ``parts=False`` reads only the counts (for a resume)."""
    with np.load(path, allow_pickle=False) as data:
        point, first, count, ok = (int(x) for x in data["meta"])
        chunk = Chunk(point, first, count, ok, data["met"].copy())
        if not parts:
            return chunk
        for key in data.files:
            if key.startswith("text."):
                chunk.texts[key[5:]] = data[key].tobytes().decode("utf-8")
            elif key.startswith("tally.") and key.endswith((".keys", ".key_steps")):
                name = key[6:].rsplit(".", 1)[0]
                if key.endswith(".keys"):  # written before keys were stored as steps
                    keys = data[key].astype(np.int64)
                else:
                    keys = np.cumsum(np.r_[data[f"tally.{name}.first_key"],
                                           data[key].astype(np.int64)], dtype=np.int64)
                chunk.tallies[name] = Tally(keys, data[f"tally.{name}.values"].astype(np.float64),
                                            data[f"tally.{name}.counts"].astype(np.int64))
    return chunk


def save_result(folder: Path, result: ChunkResult) -> Path:
    """Write a worker's chunk atomically (temp file, fsync, rename)."""
    directory = folder / CHUNK_DIR
    target = directory / result.name
    try:
        directory.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=directory, prefix=f".{result.name}.", suffix=".tmp")
    except OSError as exc:
        raise named(exc, target) from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(result.payload)
            stream.flush()
            os.fsync(stream.fileno())
        share(Path(temp))
        os.replace(temp, target)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        if isinstance(exc, OSError):
            raise named(exc, target) from None
        raise
    return target


def chunk_files(folder: Path) -> Iterator[tuple[int, int, int, Path]]:
    """(point, first, count, path) of every finished chunk, in (point, run) order."""
    directory = folder / CHUNK_DIR
    if not directory.is_dir():
        return
    found = []
    for path in directory.iterdir():
        match = NAME.match(path.name)
        if match:
            found.append((*(int(g) for g in match.groups()), path))
    yield from sorted(found)


def clean_partial(folder: Path) -> None:
    """Temp files of chunks that were being written when the sweep stopped."""
    directory = folder / CHUNK_DIR
    if directory.is_dir():
        for path in directory.glob(".*.tmp"):
            path.unlink(missing_ok=True)
