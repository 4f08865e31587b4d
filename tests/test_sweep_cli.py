"""``stockpile sweep`` and ``stockpile batch`` on the command line, and a killed sweep resumed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner, Result

import stockpile
from stockpile.api import simulate
from stockpile.cli import main
from stockpile.experiment import worker
from stockpile.experiment.seeds import run_seed
from tests.sweeps import LEVER, assert_same_files, quick


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("STOCKPILE_DEBUG", raising=False)


def invoke(*args: Any) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def test_sweep_prints_seed_and_summary_and_writes_the_folder(tmp_path: Path) -> None:
    quick(tmp_path)
    result = invoke("sweep", "quick.yaml", "--runs", 6, "--grid", LEVER, "--jobs", 1)
    assert result.exit_code == 0, result.output
    assert "2 point(s) × 6 runs, seed 20250625, 1 process(es)" in result.stdout
    assert "p_met" in result.stdout and "run/s" in result.stderr  # table, progress bar
    quiet = invoke("sweep", "quick.yaml", "--runs", 6, "--jobs", 1, "--quiet", "--out", "q")
    assert quiet.stderr == "" and quiet.stdout.startswith("point  deadline")
    out = tmp_path / "results" / "quick-sweep"
    summary = pd.read_csv(out / "summary.csv")
    assert summary.columns.tolist()[:3] == ["point", "country_defaults.gbad_share", "deadline"]
    assert {"fan.csv", "runs.csv", "points.csv"} <= {p.name for p in out.iterdir()}
    assert not (out / "chunks").exists()


def test_existing_folder_is_refused_in_one_line(tmp_path: Path) -> None:
    quick(tmp_path)
    assert invoke("sweep", "quick.yaml", "--runs", 2, "--jobs", 1, "--out", "o",
                  "--quiet").exit_code == 0
    result = invoke("sweep", "quick.yaml", "--runs", 2, "--jobs", 1, "--out", "o")
    assert result.exit_code == 2
    assert result.stderr.strip() == ("o: results folder exists (use --resume to continue it, "
                                     "or --force to replace it)")
    mismatch = invoke("sweep", "quick.yaml", "--runs", 2, "--seed", 5, "--out", "o",
                      "--resume")
    assert mismatch.exit_code == 2 and "cannot resume: --seed differs" in mismatch.stderr
    assert invoke("sweep", "quick.yaml", "--out", "o", "--resume", "--force").exit_code == 2
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    kept = invoke("sweep", "quick.yaml", "--runs", 2, "--out", "mine", "--force")
    assert kept.exit_code == 2 and "refusing to replace it" in kept.stderr
    assert (tmp_path / "mine" / "notes.txt").exists()


def test_bad_lever_value_is_one_line_before_any_run(tmp_path: Path) -> None:
    quick(tmp_path)
    result = invoke("sweep", "quick.yaml", "--grid", "procurement.mode=national,jiont")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "--grid: procurement.mode: 'jiont' is not allowed ('national' or 'joint')"]
    assert not (tmp_path / "results").exists()


def test_failed_runs_exit_1_and_say_how_to_rerun_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(scenario, seed=None, deterministic=False):
        if seed == run_seed(20250625, 1):
            raise RuntimeError("boom")
        return simulate(scenario, seed=seed, deterministic=deterministic)

    monkeypatch.setattr(worker, "simulate", broken)
    quick(tmp_path)
    result = invoke("sweep", "quick.yaml", "--runs", 3, "--jobs", 1, "--out", "o", "--quiet")
    assert result.exit_code == 1
    assert (f"1 of 3 runs failed (see o/failures.csv); rerun one alone: stockpile run "
            f"quick.yaml --seed {run_seed(20250625, 1)}") in result.stderr
    assert "Traceback" not in result.output


def test_ctrl_c_exits_130_keeps_chunks_and_resume_finishes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    quick(tmp_path)
    args = ["sweep", "quick.yaml", "--runs", 40, "--jobs", 1, "--quiet", "--grid", LEVER]

    def interrupted(scenario, seed=None, deterministic=False):
        if seed == run_seed(20250625, 30):
            raise KeyboardInterrupt
        return simulate(scenario, seed=seed, deterministic=deterministic)

    monkeypatch.setattr(worker, "simulate", interrupted)
    result = invoke(*args, "--out", "cut")
    assert result.exit_code == 130
    assert "Traceback" not in result.output
    assert result.stderr.strip().endswith(
        f"continue with: stockpile sweep quick.yaml --runs 40 --grid {LEVER} --jobs 1 "
        f"--out cut --quiet --resume")
    assert any((tmp_path / "cut" / "chunks").iterdir())
    monkeypatch.setattr(worker, "simulate", simulate)
    assert invoke(*args, "--out", "cut", "--resume").exit_code == 0
    assert invoke(*args, "--out", "whole").exit_code == 0
    assert_same_files(tmp_path / "whole", tmp_path / "cut")


def test_batch_sweeps_each_config_and_combines_summaries(tmp_path: Path) -> None:
    (tmp_path / "cfg").mkdir()
    quick(tmp_path / "cfg")
    (tmp_path / "cfg" / "other.yaml").write_text("extend: quick.yaml\nname: other\n")
    result = invoke("batch", "cfg/*.yaml", "--runs", 3, "--jobs", 1, "--out", "b", "--quiet")
    assert result.exit_code == 0, result.output
    combined = pd.read_csv(tmp_path / "b" / "batch_summary.csv")
    assert combined.columns.tolist()[:3] == ["config", "name", "point"]
    assert combined.name.unique().tolist() == ["other", "quick"]
    assert (tmp_path / "b" / "quick" / "summary.csv").exists()
    # the combined table is printed, one scenario per row, beside its path
    table = result.output.split("P(goal met by the end of the year)", 1)[1]
    rows = [line.split()[0] for line in table.splitlines()[2:4]]
    assert rows == ["other", "quick"] and "batch summary:" in result.output
    for name in ("other", "quick"):
        p_met = combined[combined.name == name].p_met.iloc[-1]
        assert f"{p_met:.0%} (" in next(li for li in table.splitlines() if li.startswith(name))
    reported = invoke("report", "b", "--quiet")
    assert reported.exit_code == 0, reported.output
    page = (tmp_path / "b" / "report" / "report.md").read_text(encoding="utf-8")
    assert "| scenario |" in page and "| other |" in page and "| quick |" in page
    again = invoke("batch", "cfg/quick.yaml", "cfg/quick.yaml", "cfg/nothing*.yaml")
    assert again.exit_code == 2 and again.stderr.strip() == (
        "cfg/nothing*.yaml: no files match this pattern")


def test_batch_refuses_two_configs_with_one_name(tmp_path: Path) -> None:
    quick(tmp_path)
    (tmp_path / "twin.yaml").write_text("extend: quick.yaml\n")
    result = invoke("batch", "quick.yaml", "twin.yaml", "--runs", 2)
    assert result.exit_code == 2
    assert "twin.yaml: name: 'quick' is also the name of quick.yaml" in result.stderr


def test_killed_sweep_resumes_to_the_files_of_an_uninterrupted_one(tmp_path: Path) -> None:
    """A real process, SIGKILLed once chunks exist (no chance to clean up), then --resume."""
    config = quick(tmp_path, time={"end": "2026-12"}, goal={"deadlines": [2026]})
    args = [sys.executable, "-m", "stockpile", "sweep", str(config), "--runs", "250",
            "--jobs", "1", "--quiet", "--out", "killed"]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    chunks = tmp_path / "killed" / "chunks"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if chunks.is_dir() and len([p for p in chunks.iterdir() if p.suffix == ".npz"]) >= 2:
            break
        time.sleep(0.01)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL, process.stderr.read() if process.stderr else ""
    assert not (tmp_path / "killed" / "runs.csv").exists()
    resumed = subprocess.run([*args, "--resume"], capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    stockpile.sweep(config, runs=250, jobs=1, out=tmp_path / "whole", progress=False)
    assert_same_files(tmp_path / "whole", tmp_path / "killed")
