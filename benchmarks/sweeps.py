"""Sweep throughput and memory, through the real sweep machinery.

Throughput runs ``run_sweep`` in this process (``--jobs 1`` runs inline, more jobs use the
process pool), with ``--timeseries summary`` into a temporary folder, and times it end to
end: planning, running, assembling the files and the summary. The inline sweep also times
each ``simulate()`` call it makes, so its overhead is measured on the same seeds in the same
sweep. Memory runs the ``stockpile sweep`` command in a fresh subprocess and polls its
process tree.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from stockpile.api import DEFAULT_SEED
from stockpile.experiment import worker
from stockpile.experiment.designs import DesignRequest, build
from stockpile.experiment.plan import SweepPlan
from stockpile.experiment.sweep import SweepOptions, run_sweep

MIB = 2**20
POLL_SECONDS = 0.05
#: sweep sizes the bench estimates from its measured rate (runs)
ESTIMATED_RUNS = (1_000, 10_000, 100_000)


def sweep_overhead(sweep_seconds: float, runs: int, run_seconds: float) -> float:
    """What a sweep adds to its runs: its wall seconds per run over ``run_seconds`` (the
    seconds ``simulate()`` takes per run), minus 1; 0.15 means 15% on top of the runs."""
    return sweep_seconds / runs / run_seconds - 1


def estimate_seconds(runs: int, runs_per_s: float) -> float:
    """Wall seconds of a sweep of ``runs`` runs at a measured rate (linear in runs)."""
    return runs / runs_per_s


def estimates(runs_per_s: float) -> dict[str, float]:
    """``sweep_<runs>_s_estimate`` for each of ``ESTIMATED_RUNS``, at ``runs_per_s``."""
    return {f"sweep_{runs}_s_estimate": estimate_seconds(runs, runs_per_s)
            for runs in ESTIMATED_RUNS}


@dataclass
class Spent:
    """Seconds spent in ``simulate()`` calls, and how many calls there were."""

    seconds: float = 0.0
    calls: int = 0


@contextmanager
def timing_simulate() -> Iterator[Spent]:
    """Time every ``simulate()`` a sweep worker makes in this process (an inline sweep)."""
    spent = Spent()
    original = worker.simulate

    def timed(*args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent.seconds += time.perf_counter() - began
            spent.calls += 1

    worker.simulate = timed  # type: ignore[assignment]
    try:
        yield spent
    finally:
        worker.simulate = original  # type: ignore[assignment]


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


def inline_sweep(config: Path, runs: int) -> tuple[float, float]:
    """A ``--jobs 1`` sweep: its wall seconds, and the seconds its ``simulate()`` calls took
    (the sweep's own seeds, in the sweep itself)."""
    with timing_simulate() as spent:
        seconds = sweep_seconds(config, runs, 1)
    if spent.calls != runs:
        raise RuntimeError(f"bench sweep: timed {spent.calls} simulate() calls, not {runs} "
                           "(does the inline sweep still call worker.simulate?)")
    return seconds, spent.seconds


def throughput(config: Path, runs: int, jobs: int, repeats: int = 2) -> dict[str, Any]:
    """Runs per second on one job and on ``jobs``; efficiency = speed-up / jobs; the
    one-job sweep's overhead over its own ``simulate()`` calls.

    The two are measured in turns and the fastest of ``repeats`` is kept for each: on a
    shared machine, the fastest is the one least slowed by someone else's work. The
    overhead is the fastest one-job sweep's, against the time of its own runs.
    """
    one, inside, many = [], [], []
    for _ in range(repeats):
        seconds, simulating = inline_sweep(config, runs)
        one.append(seconds)
        inside.append(simulating)
        many.append(sweep_seconds(config, runs, jobs))
    fastest = one.index(min(one))
    rate_one, rate_many = runs / one[fastest], runs / min(many)
    return {"runs_per_s_1job": rate_one, "runs_per_s_njobs": rate_many, "jobs": jobs,
            "parallel_efficiency": rate_many / rate_one / jobs,
            "sweep_run_ms": 1000 * one[fastest] / runs,
            "sweep_simulate_ms": 1000 * inside[fastest] / runs,
            "sweep_overhead": sweep_overhead(one[fastest], runs, inside[fastest] / runs),
            "sweep_seconds_1job": one, "sweep_simulate_seconds_1job": inside,
            "sweep_seconds_njobs": many}


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
