"""Results are never destroyed, and failures are one clear line.

--force keeps the old folder until the new one is complete; two writers of one folder
cannot both win; folders get the umask's permissions; leftovers of killed commands do not
get in the way; a full disk, a read-only folder and a bad Dask address each give one line.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from stockpile.analysis.report import make_report
from stockpile.api import simulate
from stockpile.experiment import chunks, claim, worker
from stockpile.experiment.claim import claimed
from stockpile.experiment.seeds import run_seed
from tests.conftest import invoke
from tests.report_fixtures import write_sweep
from tests.sweeps import FINAL_FILES, assert_same_files, quick

SWEEP = ["sweep", "quick.yaml", "--jobs", 1, "--quiet"]


@pytest.fixture(autouse=True)
def _quick(in_tmp: Path) -> None:
    quick(in_tmp)


def contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def one_line(result: Result) -> str:
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


@contextmanager
def umask(mask: int) -> Iterator[None]:
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def stop_at_run(monkeypatch: pytest.MonkeyPatch, run: int, error: BaseException) -> None:
    """Make run ``run`` of every point raise ``error`` (the sweep stops there)."""
    def failing(scenario, seed=None, deterministic=False):
        if seed == run_seed(20250625, run):
            raise error
        return simulate(scenario, seed=seed, deterministic=deterministic)

    monkeypatch.setattr(worker, "simulate", failing)


# --- --force keeps the old results until the new ones are complete ---------------------

def test_interrupted_forced_sweep_leaves_the_old_folder_intact_and_resumes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert invoke(*SWEEP, "--runs", 4, "--out", "o").exit_code == 0
    before = contents(tmp_path / "o")
    stop_at_run(monkeypatch, 30, KeyboardInterrupt())
    cut = invoke(*SWEEP, "--runs", 40, "--out", "o", "--force")
    assert cut.exit_code == 130
    assert contents(tmp_path / "o") == before  # nothing of the old sweep is lost
    assert not (tmp_path / "o" / "chunks").exists()
    assert cut.stderr.strip().endswith("--out o --quiet --resume")
    monkeypatch.setattr(worker, "simulate", simulate)
    resumed = invoke(*SWEEP, "--runs", 40, "--out", "o", "--resume")
    assert resumed.exit_code == 0, resumed.output
    assert invoke(*SWEEP, "--runs", 40, "--out", "whole").exit_code == 0
    assert_same_files(tmp_path / "whole", tmp_path / "o")
    assert [p.name for p in tmp_path.glob(".o.*")] == [".o.lock"]  # no replacement left


def test_a_new_forced_sweep_discards_an_abandoned_replacement(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert invoke(*SWEEP, "--runs", 4, "--out", "o").exit_code == 0
    stop_at_run(monkeypatch, 2, KeyboardInterrupt())
    assert invoke(*SWEEP, "--runs", 40, "--out", "o", "--force").exit_code == 130
    assert (tmp_path / ".o.replacing").is_dir()
    monkeypatch.setattr(worker, "simulate", simulate)
    assert invoke(*SWEEP, "--runs", 6, "--out", "o", "--force").exit_code == 0
    assert not (tmp_path / ".o.replacing").exists()
    assert json.loads((tmp_path / "o" / "manifest.json").read_text())["runs"] == 6


def test_failed_forced_run_leaves_the_old_folder_intact(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert invoke("run", "quick.yaml", "--out", "r", "--deterministic").exit_code == 0
    before = contents(tmp_path / "r")
    from stockpile.experiment import single

    def full(*_args: Any, **_kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(single, "write_csv", full)
    result = invoke("run", "quick.yaml", "--out", "r", "--seed", 3, "--force")
    assert result.exit_code == 1
    assert one_line(result) == "stockpile: error: No space left on device"
    assert contents(tmp_path / "r") == before
    assert [p.name for p in tmp_path.glob(".r*")] == [".r.lock"]


def test_forced_run_and_report_replace_the_folder_whole(tmp_path: Path) -> None:
    assert invoke("run", "quick.yaml", "--out", "r", "--deterministic").exit_code == 0
    (tmp_path / "r" / "stray.txt").write_text("from the old folder")
    assert invoke("run", "quick.yaml", "--out", "r", "--seed", 4, "--force").exit_code == 0
    assert not (tmp_path / "r" / "stray.txt").exists()
    assert json.loads((tmp_path / "r" / "manifest.json").read_text())["seed"] == 4


# --- one writer per folder ----------------------------------------------------------------

@pytest.mark.parametrize("command", [
    ["run", "quick.yaml", "--deterministic", "--out", "busy"],
    ["run", "quick.yaml", "--deterministic", "--out", "busy", "--force"],
    [*SWEEP, "--runs", 2, "--out", "busy"],
    [*SWEEP, "--runs", 2, "--out", "busy", "--resume"],
    ["compare", "quick.yaml", "--runs", 1, "--set", "joint.lead=AAA", "--set",
     "joint.members=[AAA]", "--set", "joint.systems=[sam]", "--out", "busy", "--quiet"],
])
def test_a_second_writer_of_a_folder_exits_2(tmp_path: Path, command: list[Any]) -> None:
    with claimed(tmp_path / "busy"):
        result = invoke(*command)
    assert result.exit_code == 2, result.output
    assert one_line(result) == ("busy: another stockpile command is writing this results "
                                "folder (wait for it to finish, or use another --out)")
    assert not (tmp_path / "busy").exists()


def test_report_of_a_folder_being_reported_exits_2(tmp_path: Path) -> None:
    folder = write_sweep(tmp_path / "s")
    with claimed(folder / "report"):
        result = invoke("report", folder)
    assert result.exit_code == 2 and "another stockpile command is writing" in result.stderr
    assert not (folder / "report").exists()


def test_two_runs_started_together_one_wins(tmp_path: Path) -> None:
    """Real processes: exactly one writes the folder, the other exits 2 with one line."""
    args = [sys.executable, "-m", "stockpile", "run", "quick.yaml", "--quiet", "--out", "same"]
    processes = [subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True) for _ in range(3)]
    results = [(p.wait(timeout=120), p.stderr.read() if p.stderr else "") for p in processes]
    codes = sorted(code for code, _ in results)
    assert codes == [0, 2, 2], results
    for code, err in results:
        if code == 2:
            assert err.strip().startswith("same: "), err
            assert len(err.strip().splitlines()) == 1, err
    assert (tmp_path / "same" / "manifest.json").is_file()


# --- permissions and leftovers ------------------------------------------------------------

@pytest.mark.parametrize(("mask", "folder", "file"), [(0o022, 0o755, 0o644),
                                                      (0o077, 0o700, 0o600),
                                                      (0o002, 0o775, 0o664)])
def test_folders_and_files_get_the_umask_permissions(
        tmp_path: Path, mask: int, folder: int, file: int) -> None:
    with umask(mask):
        assert invoke("run", "quick.yaml", "--deterministic", "--out", "r").exit_code == 0
        assert invoke(*SWEEP, "--runs", 2, "--out", "s").exit_code == 0
        assert invoke("report", "s", "--quiet").exit_code == 0
    for path in (tmp_path / "r", tmp_path / "s", tmp_path / "s" / "report",
                 tmp_path / "s" / "report" / "plots"):
        assert stat.S_IMODE(path.stat().st_mode) == folder, path
        for item in path.iterdir():
            if item.is_file():
                assert stat.S_IMODE(item.stat().st_mode) == file, item


def test_leftovers_of_killed_commands_are_removed(tmp_path: Path) -> None:
    stale = [tmp_path / ".r.partial-abc123de", tmp_path / ".r.old"]
    for path in stale:
        path.mkdir()
        (path / "runs.csv").write_text("half a file")
    other = tmp_path / ".r.b.partial-abc123de"  # another folder's stage: not ours to remove
    other.mkdir()
    (tmp_path / ".r.lock").write_text("")  # a lock file of a dead process: not locked
    assert invoke("run", "quick.yaml", "--deterministic", "--out", "r").exit_code == 0
    assert not any(path.exists() for path in stale)
    assert other.exists()


def test_a_killed_run_leaves_nothing_in_the_way(tmp_path: Path) -> None:
    """A real ``run`` SIGKILLed while it writes; the same command then succeeds."""
    args = [sys.executable, "-m", "stockpile", "run", "quick.yaml", "--quiet", "--out", "k"]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None \
            and not list(tmp_path.glob(".k.partial-*")):
        time.sleep(0.002)
    process.kill()
    process.wait()
    assert list(tmp_path.glob(".k.partial-*")) and not (tmp_path / "k").exists()
    again = subprocess.run(args, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert not list(tmp_path.glob(".k.partial-*"))


# --- clear failures -------------------------------------------------------------------------

def test_disk_full_during_a_sweep_names_the_path_and_the_resume_command(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = {"n": 0}
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(chunks.os, "fsync", fsync)
    result = invoke(*SWEEP, "--runs", 40, "--out", "full")
    assert result.exit_code == 1
    line = one_line(result)
    assert line.startswith("stockpile: error: full/chunks/p000000-r")
    assert line.endswith(": No space left on device; finished runs are kept: continue with: "
                         "stockpile sweep quick.yaml --runs 40 --jobs 1 --out full --quiet "
                         "--resume")
    assert not list((tmp_path / "full" / "chunks").glob(".*.tmp"))
    monkeypatch.setattr(chunks.os, "fsync", real_fsync)
    assert invoke(*SWEEP, "--runs", 40, "--out", "full", "--resume").exit_code == 0
    assert invoke(*SWEEP, "--runs", 40, "--out", "whole").exit_code == 0
    assert_same_files(tmp_path / "whole", tmp_path / "full", FINAL_FILES)


def test_disk_full_while_assembling_names_the_file_and_resumes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        if os.readlink(f"/proc/self/fd/{fd}").endswith(".runs.csv.partial"):
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    result = invoke(*SWEEP, "--runs", 6, "--out", "full")
    assert result.exit_code == 1
    assert one_line(result).startswith("stockpile: error: full/runs.csv: No space left on "
                                       "device; finished runs are kept: continue with: ")
    assert not (tmp_path / "full" / "runs.csv").exists()
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert invoke(*SWEEP, "--runs", 6, "--out", "full", "--resume").exit_code == 0
    assert invoke(*SWEEP, "--runs", 6, "--out", "whole").exit_code == 0
    assert_same_files(tmp_path / "whole", tmp_path / "full", FINAL_FILES)


def test_read_only_place_is_one_line_and_exit_2(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def read_only(*_args: Any, **_kwargs: Any) -> str:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(claim.tempfile, "mkdtemp", read_only)
    result = invoke("run", "quick.yaml", "--deterministic", "--out", "ro/r")
    assert result.exit_code == 2
    assert one_line(result) == "stockpile: error: ro: Read-only file system"
    assert not (tmp_path / "ro" / "r").exists()


@pytest.mark.parametrize(("address", "why"), [
    ("nonsense:xx", "not a Dask scheduler address"),
    ("nonsense", "not a Dask scheduler address"),
    ("foo://host:1", "not a Dask scheduler address"),
    ("tcp://127.0.0.1:1", "no Dask scheduler answered within"),
])
def test_bad_dask_address_fails_fast_in_one_line_and_makes_no_folder(
        tmp_path: Path, address: str, why: str) -> None:
    began = time.monotonic()
    result = invoke(*SWEEP, "--runs", 2, "--out", "d", "--scheduler", address)
    assert time.monotonic() - began < 15
    assert result.exit_code == 2
    assert one_line(result).startswith(f"--scheduler: {address}: {why}")
    assert not (tmp_path / "d").exists()


def test_malformed_dask_address_in_a_real_process(tmp_path: Path) -> None:
    args = [sys.executable, "-m", "stockpile", "sweep", "quick.yaml", "--runs", "2",
            "--scheduler", "nonsense:xx", "--out", "d"]
    began = time.monotonic()
    done = subprocess.run(args, capture_output=True, text=True, timeout=60)
    assert time.monotonic() - began < 20
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert not (tmp_path / "d").exists()


def test_report_md_escapes_markup_from_scenario_text(tmp_path: Path) -> None:
    folder = write_sweep(tmp_path / "s", scenario_file="<script>alert(1)</script>.yaml")
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["scenario"]["name"] = "<img src=x onerror=alert(1)>"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    out = make_report(folder)
    for name in ("report.md", "report.html", "appendix.md", "appendix.html"):
        text = (out / name).read_text()
        assert "<script" not in text and "<img src=x" not in text, name
        assert "&lt;img src=x" in text, name
        if name.startswith("appendix"):  # the scenario file is named in the appendix
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text, name
