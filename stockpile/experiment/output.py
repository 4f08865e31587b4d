"""Results folders: CSV files a spreadsheet reads safely, written atomically, plus a manifest.

A folder is first written under a temporary name beside its final place and
renamed when complete, so a crash never leaves a half-written results folder,
and an existing folder is replaced only with ``--force`` (see ``claim``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import platform
import shutil
import sys
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from stockpile.experiment.claim import FolderExists, claimed, named, new_stage, share, swap_in
from stockpile.experiment.csvstyle import BOM, STANDARD, CsvStyle
from stockpile.scenario.schema import Scenario

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PACKAGES = ("stockpile", "simpy", "numpy", "pandas", "scipy", "pydantic", "click", "pyyaml")


def escape_text(value: Any) -> Any:
    """Text a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def flag(value: Any) -> Any:
    """True/False as 1/0: one convention in every CSV and sheet, whatever the locale."""
    return int(value) if isinstance(value, bool | np.bool_) else value


def csv_text(frame: pd.DataFrame, style: CsvStyle = STANDARD, header: bool = True) -> str:
    """One header row (unless ``header`` is False), no index; formulas escaped; booleans
    as 1/0; ``style``'s marks."""
    safe = frame.copy(deep=False)  # copy on write: the caller's frame is left as it was
    for column in safe.columns if len(safe) else ():  # no rows: the header is the text
        values = safe[column]
        if pd.api.types.is_bool_dtype(values):
            safe[column] = values.astype(np.int8)
        elif (isinstance(values.dtype, pd.StringDtype)
              or (values.dtype == object
                  and pd.api.types.infer_dtype(values, skipna=True) == "string")):
            # text only (no booleans to flag): escape the few formulas, not every cell
            formula = values.str.startswith(FORMULA_START, na=False).to_numpy(bool)
            if formula.any():
                safe[column] = values.where(~formula, "'" + values)
        elif values.dtype == object or pd.api.types.is_string_dtype(values):
            safe[column] = values.map(lambda v: escape_text(flag(v)))
    return safe.to_csv(index=False, header=header, lineterminator="\n", sep=style.sep,
                       decimal=style.decimal)


def write_atomic(path: Path, text: str) -> None:
    """Write beside the target, then rename: readers never see half a file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise named(exc, path) from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        share(Path(temp))  # mkstemp makes 0600; results are for sharing
        os.replace(temp, path)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        if isinstance(exc, OSError):
            raise named(exc, path) from None
        raise


def write_csv(frame: pd.DataFrame, path: Path, style: CsvStyle = STANDARD) -> None:
    """A results CSV; a byte-order mark when it holds non-ASCII text (or ``style`` asks)."""
    text = csv_text(frame, style)
    write_atomic(path, BOM + text if style.bom or not text.isascii() else text)


def scenario_json(scenario: Scenario) -> dict:
    return scenario.model_dump(mode="json")


def scenario_hash(scenario: Scenario) -> str:
    text = json.dumps(scenario_json(scenario), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def manifest(scenario: Scenario, **details: Any) -> dict:
    """Enough to reproduce the folder: resolved scenario, hash, seed, design, versions."""
    return {
        "command": " ".join(["stockpile", *sys.argv[1:]]),
        "scenario_file": scenario._source,
        "scenario_hash": scenario_hash(scenario),
        **details,
        "versions": versions(),
        "scenario": scenario_json(scenario),
    }


def write_json(data: dict, path: Path) -> None:
    write_atomic(path, json.dumps(data, indent=2, sort_keys=False, default=str) + "\n")


def check_free(out: Path, force: bool) -> None:
    if out.exists() and any(out.iterdir()) and not force:
        raise FolderExists(f"{out}: results folder exists (use --force to replace it)")


@contextlib.contextmanager
def staged_folder(out: Path, force: bool) -> Iterator[Path]:
    """A folder beside ``out``, swapped in only when the block finishes without error.

    ``out`` is claimed for the whole block (a concurrent writer gets ``FolderBusy``), and
    checked again once claimed, so two commands cannot both find it free.
    """
    check_free(out, force)
    with claimed(out):
        check_free(out, force)
        stage = new_stage(out)
        try:
            yield stage
            swap_in(stage, out)
        except BaseException:
            shutil.rmtree(stage, ignore_errors=True)
            raise


def default_out(command: str, scenario: Scenario) -> Path:
    return Path("results") / f"{scenario.name}-{command}"
