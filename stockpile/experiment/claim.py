"""Results folders are never destroyed: one writer at a time, replaced whole, readable by others.

Every command that writes a results folder first *claims* it: a lock file beside it
(``.NAME.lock``, an OS lock released when the process ends, however it ends), so a second
command writing the same folder at the same time stops with exit 2 instead of silently
replacing the first one's results. While it holds the claim, leftovers of commands that were
killed (``.NAME.partial-*`` stages) are removed: nobody else can be writing them.

A new folder is built beside the old one and swapped in with one rename when complete, so
the old results stay intact through a crash, a full disk or Ctrl-C. Folders and files get
the permissions the user's umask gives, as ``mkdir`` and ``open`` would.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from filelock import FileLock, Timeout

STAGE = ".partial-"  # .NAME.partial-XXXXXXXX: a folder being built by a claimed command
RENAME_EXCHANGE = 2  # renameat2 flag: swap two paths atomically (Linux)
AT_FDCWD = -100


class FolderExists(Exception):
    """The results folder is there already and the user did not say --force."""


class FolderBusy(FolderExists):
    """Another stockpile command is writing the same results folder right now."""


def umask() -> int:
    """The process's umask (reading it means setting it, so it is set straight back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def share(path: Path, directory: bool = False) -> None:
    """Give a path made by ``mkstemp``/``mkdtemp`` (0600/0700) the mode the umask gives."""
    os.chmod(path, (0o777 if directory else 0o666) & ~umask())


def named(exc: OSError, path: Path) -> OSError:
    """The same error, naming the path it concerns (a failed write often names none)."""
    if exc.filename:
        return exc
    return type(exc)(exc.errno, exc.strerror or str(exc), str(path))


@contextlib.contextmanager
def naming(path: Path) -> Iterator[None]:
    """Let an ``OSError`` raised in the block name ``path`` if it names nothing."""
    try:
        yield
    except OSError as exc:
        raise named(exc, path) from None


def lock_path(out: Path) -> Path:
    return out.with_name(f".{out.name}.lock")


@contextlib.contextmanager
def claimed(out: Path) -> Iterator[None]:
    """Hold ``out`` for this command; ``FolderBusy`` if another command holds it."""
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise named(exc, out.parent) from None
    lock = FileLock(lock_path(out), timeout=0, mode=0o666 & ~umask())
    try:
        lock.acquire()
    except Timeout:
        raise FolderBusy(f"{out}: another stockpile command is writing this results folder "
                         "(wait for it to finish, or use another --out)") from None
    try:
        remove_stale(out)
        yield
    finally:
        lock.release()


def remove_stale(out: Path) -> None:
    """Stages and swapped-out folders left by killed commands (call only while claimed)."""
    pattern = re.compile(rf"^\.{re.escape(out.name)}(\{STAGE}[A-Za-z0-9_]+|\.old)$")
    for path in out.parent.iterdir():
        if pattern.match(path.name) and path.is_dir():
            shutil.rmtree(path, ignore_errors=True)


def new_stage(out: Path) -> Path:
    """An empty folder beside ``out`` to build the new results in."""
    try:
        stage = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}{STAGE}"))
    except OSError as exc:
        raise named(exc, out.parent) from None
    share(stage, directory=True)
    return stage


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one atomic rename, where the OS offers it (Linux renameat2)."""
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        return False
    if renameat2(AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second),
                 RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False  # this file system cannot swap: fall back to two renames
    raise OSError(code, os.strerror(code), str(second))


def swap_in(stage: Path, out: Path) -> None:
    """Put the complete folder ``stage`` at ``out``; the old ``out`` is removed after."""
    if not out.exists():
        os.replace(stage, out)
        return
    if _exchange(stage, out):
        shutil.rmtree(stage, ignore_errors=True)  # stage now holds the old results
        return
    old = out.with_name(f".{out.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    os.replace(out, old)
    try:
        os.replace(stage, out)
    except OSError:
        os.replace(old, out)  # put the old results back rather than leave no folder
        raise
    shutil.rmtree(old, ignore_errors=True)
