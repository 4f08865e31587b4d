"""Events and their cost: bare SimPy against one replication of the model, same process.

The model's ``RunOutput.events`` is the number of events *scheduled* (SimPy's event id
counter), which includes events still queued when the run stops; here we count events
*processed*, by wrapping ``Environment.step`` for one counting pass. Timing passes do not
wrap ``step`` (the wrapper would add its own cost per event); they only time
``Environment.run``, once per replication, to split the loop from set-up and tables.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import simpy
from simpy.core import EmptySchedule

from stockpile.api import DEFAULT_SEED, simulate
from stockpile.scenario.schema import Scenario


@contextmanager
def counting_steps() -> Iterator[list[int]]:
    """Count every event SimPy processes while the block runs (in any Environment)."""
    counter = [0]
    original = simpy.Environment.step

    def step(self: simpy.Environment) -> None:
        try:
            original(self)
        except EmptySchedule:  # nothing was left to process
            raise
        except BaseException:  # processed, and its callback stopped the run (until=...)
            counter[0] += 1
            raise
        counter[0] += 1

    simpy.Environment.step = step  # type: ignore[method-assign]
    try:
        yield counter
    finally:
        simpy.Environment.step = original  # type: ignore[method-assign]


@contextmanager
def timing_loop() -> Iterator[list[float]]:
    """Seconds spent inside ``Environment.run`` (the event loop alone), summed."""
    spent = [0.0]
    original = simpy.Environment.run

    def run(self: simpy.Environment, until: object = None) -> object:
        began = time.perf_counter()
        try:
            return original(self, until)
        finally:
            spent[0] += time.perf_counter() - began

    simpy.Environment.run = run  # type: ignore[method-assign]
    try:
        yield spent
    finally:
        simpy.Environment.run = original  # type: ignore[method-assign]


def _ticker(env: simpy.Environment, steps: int) -> Iterator[simpy.Event]:
    for _ in range(steps):
        yield env.timeout(1)


def bare_run(processes: int, steps: int) -> None:
    """SimPy with no model: ``processes`` processes, each waiting ``steps`` timeouts."""
    env = simpy.Environment()
    for _ in range(processes):
        env.process(_ticker(env, steps))
    env.run()


def bare_simpy(processes: int = 20, steps: int = 10_000, repeats: int = 3) -> dict[str, float]:
    """SimPy's own throughput on this machine: processed events per second (median)."""
    with counting_steps() as counter:
        bare_run(processes, steps)
    seconds = _median_seconds(lambda: bare_run(processes, steps), repeats)
    return {"bare_events": counter[0], "bare_ms": 1000 * seconds,
            "bare_events_per_s": counter[0] / seconds}


def _median_seconds(action: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        action()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


@dataclass(frozen=True)
class RunCost:
    """One replication of a scenario: events processed and scheduled, times in ms (medians)."""

    events: int
    scheduled: int
    run_ms: float  # simulate() end to end: sampling inputs, building the world, loop, tables
    loop_ms: float  # inside Environment.run only

    @property
    def events_per_s(self) -> float:
        return self.events / (self.run_ms / 1000)

    @property
    def loop_events_per_s(self) -> float:
        return self.events / (self.loop_ms / 1000)


def run_cost(scenario: Scenario, repeats: int = 15, seed: int = DEFAULT_SEED) -> RunCost:
    """Count once, then time ``repeats`` replications of the same seed (after a warm-up)."""
    with counting_steps() as counter:
        scheduled = simulate(scenario, seed=seed).events
    runs, loops = [], []
    with timing_loop() as spent:
        for _ in range(repeats):
            before, began = spent[0], time.perf_counter()
            simulate(scenario, seed=seed)
            runs.append(time.perf_counter() - began)
            loops.append(spent[0] - before)
    return RunCost(counter[0], scheduled, 1000 * statistics.median(runs),
                   1000 * statistics.median(loops))
