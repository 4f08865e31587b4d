"""Sweep throughput and memory, through the real sweep machinery.

Throughput runs ``run_sweep`` in this process (``--jobs 1`` runs inline, more jobs use the
process pool), with ``--timeseries summary`` into a temporary folder, and times it end to
end: planning, running, assembling the files and the summary. Memory runs the
``stockpile sweep`` command in a fresh subprocess and polls its process tree.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from stockpile.api import DEFAULT_SEED
from stockpile.experiment.designs import DesignRequest, build
from stockpile.experiment.plan import SweepPlan
from stockpile.experiment.sweep import SweepOptions, run_sweep

MIB = 2**20
POLL_SECONDS = 0.05


def sweep_seconds(config: Path, runs: int, jobs: int) -> float:
    """Wall seconds of one sweep of ``runs`` replications of the scenario file, no levers."""
    with tempfile.TemporaryDirectory(prefix="stockpile-bench-") as temp:
        began = time.perf_counter()
        plan = SweepPlan.build(config, build(DesignRequest(seed=DEFAULT_SEED)))
        options = SweepOptions(runs=runs, jobs=jobs, timeseries="summary", force=True,
                               progress=False)
        result = run_sweep(plan, Path(temp) / "sweep", options)
        seconds = time.perf_counter() - began
    if result.failed or result.runs != runs:
        raise RuntimeError(f"bench sweep: {result.failed} of {runs} runs failed")
    return seconds


def throughput(config: Path, runs: int, jobs: int, repeats: int = 2) -> dict[str, float]:
    """Runs per second on one job and on ``jobs``; efficiency = speed-up / jobs.

    The two are measured in turns and the fastest of ``repeats`` is kept for each: on a
    shared machine, the fastest is the one least slowed by someone else's work.
    """
    one, many = [], []
    for _ in range(repeats):
        one.append(sweep_seconds(config, runs, 1))
        many.append(sweep_seconds(config, runs, jobs))
    rate_one, rate_many = runs / min(one), runs / min(many)
    return {"runs_per_s_1job": rate_one, "runs_per_s_njobs": rate_many, "jobs": jobs,
            "parallel_efficiency": rate_many / rate_one / jobs,
            "sweep_seconds_1job": one, "sweep_seconds_njobs": many}


def sweep_command(config: Path, runs: int, jobs: int, out: Path) -> list[str]:
    return [sys.executable, "-m", "stockpile", "sweep", str(config), "--runs", str(runs),
            "--jobs", str(jobs), "--timeseries", "summary", "--out", str(out), "--force",
            "--quiet"]


def _tree_rss(root: psutil.Process) -> tuple[int, int]:
    """(RSS of the root process, RSS summed over it and every descendant), in bytes."""
    try:
        own = root.memory_info().rss
        children = root.children(recursive=True)
    except psutil.NoSuchProcess:
        return 0, 0
    total = own
    for child in children:
        try:
            total += child.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return own, total


def peak_rss(config: Path, runs: int, jobs: int) -> dict[str, float]:
    """Peak memory of a ``stockpile sweep`` in a fresh process, polled every 50 ms (MiB).

    ``tree`` is the largest sum of RSS over the driver, the forkserver and the workers seen
    at one poll (pages the workers share with the forkserver count once per process, so it
    overstates the physical total a little); ``driver`` is the driver process's own peak.
    """
    with tempfile.TemporaryDirectory(prefix="stockpile-bench-") as temp:
        command = sweep_command(config, runs, jobs, Path(temp) / "sweep")
        began = time.perf_counter()
        process = psutil.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        driver = tree = 0
        while process.poll() is None:
            own, total = _tree_rss(process)
            driver, tree = max(driver, own), max(tree, total)
            time.sleep(POLL_SECONDS)
        seconds = time.perf_counter() - began
        error = process.stderr.read().decode() if process.stderr else ""
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited {process.returncode}: {error[-500:]}")
    return {"tree_mib": tree / MIB, "driver_mib": driver / MIB, "seconds": seconds}
