"""A sweep's results folder: start it, refuse to clobber it, or pick up where it stopped.

Unlike a single run, a sweep writes into its folder as it goes (that is what makes a
resume possible): ``manifest.json`` (status ``running``) and ``points.csv`` first, then
``chunks/`` as runs finish, then the final files, and ``chunks/`` is removed last.

With ``--force`` an existing folder is kept intact while the new sweep runs beside it, in
``.NAME.replacing``, and swapped in with one rename when complete; an interrupted forced
sweep continues there with ``--resume``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from stockpile.experiment.chunks import CHUNK_DIR, Chunk, chunk_files, clean_partial, read_chunk
from stockpile.experiment.claim import FolderExists, named
from stockpile.experiment.output import write_json

MANIFEST = "manifest.json"
#: fingerprint entries, in the order they are checked, as the user knows them
WHAT = {"scenario_hash": "the scenario (file or --set)", "design": "the design (--grid/--lhs)",
        "point_hashes": "a design point's scenario", "seed": "--seed", "runs": "--runs",
        "until_ci": "--until-ci", "batch": "--runs/--until-ci", "timeseries": "--timeseries"}
SHOWN = {"seed", "runs", "until_ci", "timeseries"}


class ResumeMismatch(FolderExists):
    """``--resume`` of a folder made with another scenario, design or run options."""


def read_manifest(out: Path) -> dict[str, Any]:
    try:
        return json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise FolderExists(f"{out}: not a sweep results folder (no readable {MANIFEST})") \
            from None


def check_fingerprint(out: Path, manifest: dict[str, Any], fingerprint: dict[str, Any]) -> None:
    """Refuse to mix runs of different sweeps in one folder."""
    if manifest.get("kind") != "sweep":
        raise ResumeMismatch(f"{out}: not a sweep folder (it holds a '{manifest.get('kind')}')")
    old = manifest.get("fingerprint", {})
    new = json.loads(json.dumps(fingerprint, default=str))
    for key in sorted(new, key=lambda k: list(WHAT).index(k) if k in WHAT else len(WHAT)):
        if old.get(key) != new[key]:
            was = f" (was {old.get(key)}, now {new[key]})" if key in SHOWN else ""
            raise ResumeMismatch(f"{out}: cannot resume: {WHAT.get(key, key)} differs from the "
                                 f"folder's sweep{was}; use another --out, or --force")


def replacement(out: Path) -> Path:
    """Where a ``--force`` sweep builds the folder that will replace ``out``."""
    return out.with_name(f".{out.name}.replacing")


def _has_files(folder: Path) -> bool:
    return folder.is_dir() and any(folder.iterdir())


def open_folder(out: Path, fingerprint: dict[str, Any], resume: bool,
                force: bool) -> tuple[Path, dict[str, Any] | None, list[Chunk]]:
    """(the folder to write in, the old manifest or None for a new sweep, the chunks done).

    The folder is ``out``, or ``replacement(out)`` when a sweep replaces an existing one.
    Call it with ``out`` claimed.
    """
    staged = replacement(out)
    if resume and (_has_files(staged) or _has_files(out)):
        work = staged if _has_files(staged) else out  # a forced sweep that was interrupted
        manifest = read_manifest(work)
        check_fingerprint(out, manifest, fingerprint)
        clean_partial(work)
        return work, manifest, [read_chunk(path, parts=False) for *_, path in chunk_files(work)]
    if _has_files(out) and not force:
        raise FolderExists(f"{out}: results folder exists (use --resume to continue it, "
                           f"or --force to replace it)")
    if _has_files(out) and not (out / MANIFEST).exists():
        raise FolderExists(f"{out}: not a stockpile results folder (no {MANIFEST}); "
                           f"refusing to replace it")
    shutil.rmtree(staged, ignore_errors=True)  # a forced sweep given up for a new one
    work = staged if _has_files(out) else out
    try:
        work.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise named(exc, work) from None
    return work, None, []


def save_manifest(out: Path, manifest: dict[str, Any]) -> None:
    write_json(manifest, out / MANIFEST)


def remove_chunks(out: Path) -> None:
    shutil.rmtree(out / CHUNK_DIR, ignore_errors=True)
