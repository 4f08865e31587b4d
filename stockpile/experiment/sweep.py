"""Monte Carlo sweeps: design points × replications, run anywhere, streamed to a folder.

Run r of every point uses ``run_seed(root, r)`` (common random numbers), so the output
does not depend on where or in what order runs happen. Finished chunks are written as
they arrive; the final files are assembled from them in (point, run) order; an
interrupted sweep continues with ``resume=True`` without redoing a finished chunk.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from stockpile.analysis.burden import summarise_burden_folder
from stockpile.analysis.summary import summarise_folder, summarise_layers_folder
from stockpile.api import DEFAULT_SEED
from stockpile.experiment.assemble import assemble
from stockpile.experiment.chunks import ChunkResult, ChunkTask, save_result
from stockpile.experiment.claim import claimed, swap_in
from stockpile.experiment.csvstyle import read_csv, restyle_folder, style_named
from stockpile.experiment.folder import open_folder, remove_chunks, save_manifest
from stockpile.experiment.output import manifest, now_iso, write_csv
from stockpile.experiment.plan import SweepPlan
from stockpile.experiment.runners import Runner, make_runner
from stockpile.experiment.schedule import Schedule, batch_size, chunk_size
from stockpile.scenario import Problem, Scenario, ScenarioError

TIMESERIES = ("none", "summary", "full")


@dataclass(frozen=True)
class SweepOptions:
    runs: int = 100
    seed: int = DEFAULT_SEED
    until_ci: float | None = None
    jobs: int | None = None  # None: every core
    scheduler: str | None = None  # a Dask scheduler address instead of local processes
    timeseries: str = "summary"
    resume: bool = False
    force: bool = False
    progress: bool = True

    def check(self) -> None:
        problems = []
        if self.runs < 1:
            problems.append(Problem("--runs", str(self.runs), "must be 1 or more"))
        if self.until_ci is not None and not 0 < self.until_ci < 1:
            problems.append(Problem("--until-ci", str(self.until_ci), "a width between 0 and 1"))
        if self.timeseries not in TIMESERIES:
            problems.append(Problem("--timeseries", self.timeseries, f"one of {TIMESERIES}"))
        if self.jobs is not None and self.jobs < 1:
            problems.append(Problem("--jobs", str(self.jobs), "must be 1 or more"))
        if problems:
            raise ScenarioError(problems)

    @property
    def batch(self) -> int:
        return batch_size(self.runs, self.until_ci)


@dataclass
class SweepResult:
    out: Path
    summary: pd.DataFrame
    runs: int  # runs that finished without error
    failed: int
    rerun: str | None  # the command that reruns the first failed run alone
    seconds: float
    workers: int
    already_complete: bool = False


class SweepInterrupted(Exception):
    """Ctrl-C: finished chunks are kept; ``--resume`` continues from them."""

    def __init__(self, out: Path, done: int, planned: int):
        self.out, self.done, self.planned = out, done, planned
        super().__init__(f"interrupted: {done} of {planned} runs kept in {out}")


def run_sweep(plan: SweepPlan, out: Path, options: SweepOptions) -> SweepResult:
    """Run (or resume) a planned sweep into ``out`` and write its final files.

    The runner connects first (a bad ``--scheduler`` leaves no folder behind); the folder
    is claimed throughout, so a second sweep into it stops with ``FolderBusy``.
    """
    options.check()
    runner = make_runner(options.jobs, options.scheduler)
    try:
        with claimed(out):
            return _run_claimed(plan, out, options, runner)
    finally:
        runner.close()


def _run_claimed(plan: SweepPlan, out: Path, options: SweepOptions,
                 runner: Runner) -> SweepResult:
    began, started = time.perf_counter(), now_iso()
    fingerprint = plan.fingerprint(seed=options.seed, runs=options.runs,
                                   until_ci=options.until_ci, timeseries=options.timeseries,
                                   batch=options.batch)
    work, old, done = open_folder(out, fingerprint, options.resume, options.force)
    if old is not None and old.get("status") == "complete":
        _finish(work, out)
        return SweepResult(out, read_csv(out / "summary.csv"), old.get("runs_ok", 0),
                           old.get("failed", 0), None, 0.0, 0, already_complete=True)
    record = old or manifest(plan.base, kind="sweep", fingerprint=fingerprint,
                             config=plan.config, overrides=list(plan.overrides),
                             seed=options.seed, runs=options.runs, design=plan.design.describe(),
                             started=started)
    save_manifest(work, {**record, "status": "running"})
    write_csv(plan.design.table(), work / "points.csv")
    schedule = Schedule(len(plan), options.runs, options.batch,
                        chunk_size(len(plan), options.batch, runner.workers),
                        options.until_ci, done)
    _execute(plan, work, options, runner, schedule)
    totals = assemble(work, plan, options.timeseries)
    summary = summarise_folder(work)
    write_csv(summary, work / "summary.csv")
    write_csv(summarise_layers_folder(work), work / "layers_summary.csv")
    write_csv(summarise_burden_folder(work), work / "burden.csv")
    restyle_folder(work, style_named(plan.base.output.csv_style))
    seconds = time.perf_counter() - began
    save_manifest(work, {**record, "status": "complete", "runs_ok": totals.ok,
                         "failed": totals.failed, "workers": runner.workers,
                         "scheduler": options.scheduler, "seconds": round(seconds, 1),
                         "finished": now_iso()})
    _finish(work, out)
    return SweepResult(out, summary, totals.ok, totals.failed, _first_rerun(out, totals.failed),
                       seconds, runner.workers)


def _finish(work: Path, out: Path) -> None:
    """Drop the chunks of a complete sweep; a replacement takes the old folder's place."""
    remove_chunks(work)
    if work != out:
        swap_in(work, out)


def _execute(plan: SweepPlan, out: Path, options: SweepOptions, runner: Runner,
             schedule: Schedule) -> None:
    """Feed the runner from the schedule; write each chunk as it comes; show progress."""
    bar = tqdm(total=schedule.planned_runs, initial=schedule.done_runs, unit="run",
               desc=plan.name, file=sys.stderr, disable=not options.progress,
               dynamic_ncols=True, smoothing=0.05)

    def next_task() -> tuple[ChunkTask, Scenario] | None:
        item = schedule.next()
        if item is None:
            return None
        point, first, count = item
        return (plan.task(point, first, count, options.seed, options.timeseries),
                plan.scenario(point))

    def done(result: ChunkResult) -> None:
        save_result(out, result)
        schedule.finish(result.point, result.first, result.count, result.ok, result.met)
        bar.update(result.count)

    try:
        runner.execute(next_task, done)
    except KeyboardInterrupt:
        raise SweepInterrupted(out, schedule.done_runs, schedule.planned_runs) from None
    finally:
        if schedule.complete:
            bar.total = bar.n
            bar.refresh()
        bar.close()


def _first_rerun(out: Path, failed: int) -> str | None:
    if not failed:
        return None
    first = read_csv(out / "failures.csv", nrows=1, dtype=str, keep_default_na=False)
    return first["command"].iloc[0] if len(first) else None
