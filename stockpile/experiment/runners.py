"""Where chunks run: in this process, in local worker processes, or on a Dask cluster.

Every runner pulls tasks from the sweep's schedule and hands each finished chunk back in
completion order; the sweep writes it and the final files are assembled in (point, run)
order, so the results are the same bytes whichever runner ran them. A bounded number of
tasks is in flight at a time, so memory does not grow with the length of the sweep, and
a schedule that is waiting for a batch to finish (``--until-ci``) simply yields nothing.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, Protocol

from stockpile.experiment import worker
from stockpile.experiment.chunks import ChunkResult, ChunkTask
from stockpile.experiment.dask_address import connect
from stockpile.scenario.schema import Scenario

#: the next task and its point's scenario, or None when nothing can start yet
NextTask = Callable[[], tuple[ChunkTask, Scenario] | None]
Done = Callable[[ChunkResult], None]
IN_FLIGHT_PER_WORKER = 2


class Runner(Protocol):
    workers: int

    def execute(self, next_task: NextTask, done: Done) -> None:
        """Run tasks until ``next_task`` has none left and none are running."""

    def close(self) -> None:
        """Let go of what the runner holds (a cluster connection); safe to call twice."""


def available_cores() -> int:
    """Cores this process may use (the affinity mask, where the system has one)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


class InlineRunner:
    """Everything in this process: simplest to debug, and what ``--jobs 1`` uses."""

    workers = 1

    def close(self) -> None:
        pass

    def execute(self, next_task: NextTask, done: Done) -> None:
        with worker.heap_frozen():  # the driver's own objects stay out of every chunk's collect
            while (item := next_task()) is not None:
                task, scenario = item
                done(worker.run_chunk(scenario, task))


class ProcessRunner:
    """``--jobs N`` local processes; workers ignore Ctrl-C, which the driver handles."""

    def __init__(self, jobs: int):
        self.workers = jobs

    def close(self) -> None:
        pass  # the pool lives only inside execute()

    def execute(self, next_task: NextTask, done: Done) -> None:
        context = _context()
        executor = ProcessPoolExecutor(self.workers, mp_context=context,
                                       initializer=worker.start_worker)
        running: set[Future] = set()
        try:
            while True:
                while len(running) < self.workers * IN_FLIGHT_PER_WORKER:
                    item = next_task()
                    if item is None:
                        break
                    running.add(executor.submit(worker.run_chunk, item[1], item[0]))
                if not running:
                    break
                finished, running = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    done(future.result())
        except BaseException:
            _stop(executor)
            raise
        executor.shutdown(wait=True)


def _context() -> Any:
    """forkserver on Linux (fast starts, no fork of a threaded driver), else spawn."""
    if sys.platform.startswith("linux"):
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["stockpile.experiment.worker"])
        return context
    return multiprocessing.get_context("spawn")


def _stop(executor: ProcessPoolExecutor) -> None:
    """Stop now: running chunks are abandoned (the sweep redoes them on --resume)."""
    processes = list((getattr(executor, "_processes", None) or {}).values())
    executor.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(timeout=5)


class DaskRunner:
    """``--scheduler ADDRESS``: the same tasks on a Dask distributed cluster.

    Each point's scenario is scattered to the cluster once and tasks refer to it, so a
    worker receives it once per point rather than with every task.
    """

    def __init__(self, address: str):
        self.client = connect(address)
        self.workers = max(1, sum(self.client.nthreads().values()))
        self._scattered: dict[int, Any] = {}

    def close(self) -> None:
        self.client.close()

    def _scenario(self, task: ChunkTask, scenario: Scenario) -> Any:
        if task.point not in self._scattered:
            if len(self._scattered) > 2 * self.workers:  # keep the cluster's memory bounded
                oldest = next(iter(self._scattered))
                self._scattered.pop(oldest).release()
            self._scattered[task.point] = self.client.scatter(scenario, hash=False)
        return self._scattered[task.point]

    def execute(self, next_task: NextTask, done: Done) -> None:
        from dask.distributed import as_completed

        running = as_completed(loop=self.client.loop)
        limit = self.workers * IN_FLIGHT_PER_WORKER

        def fill() -> None:
            while running.count() < limit and (item := next_task()) is not None:
                task, scenario = item
                running.add(self.client.submit(worker.run_chunk, self._scenario(task, scenario),
                                               task, pure=False))

        try:
            fill()
            for future in running:
                done(future.result())
                fill()
        except BaseException:
            running.clear()
            raise
        finally:
            self.client.close()


def make_runner(jobs: int | None, scheduler: str | None) -> Runner:
    """Dask when given a scheduler address, else ``jobs`` local processes (all cores)."""
    if scheduler:
        return DaskRunner(scheduler)
    jobs = available_cores() if jobs is None else jobs
    return InlineRunner() if jobs <= 1 else ProcessRunner(jobs)
