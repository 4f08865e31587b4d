"""Events and their cost: bare SimPy against one replication of the model, same process.

The model's ``RunOutput.events`` is the number of events *scheduled* (SimPy's event id
counter), which includes events still queued when the run stops; here we count events
*processed*, by wrapping ``Environment.step`` for one counting pass. Timing passes do not
wrap ``step`` (the wrapper would add its own cost per event); they only time
``Environment.run``, once per replication, to split the loop from set-up and tables.
Bare SimPy and the model are timed in turns, and the fastest of each is compared.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
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


def bare_events(processes: int, steps: int) -> int:
    """Events one bare run processes (counted once: counting adds its own cost per event)."""
    with counting_steps() as counter:
        bare_run(processes, steps)
    return counter[0]


@dataclass(frozen=True)
class Timing:
    """Wall times of repeats of one action: the fastest and the median, in ms.

    The fastest is the estimate of the code's own cost (as ``timeit`` advises): this
    machine has spells in which everything, bare SimPy included, runs ~1.7 times slower,
    which says nothing of the code. The median is kept beside it to show the spread.
    """

    fastest_ms: float
    median_ms: float

    @classmethod
    def of(cls, seconds: list[float]) -> Timing:
        return cls(1000 * min(seconds), 1000 * statistics.median(seconds))


@dataclass(frozen=True)
class RunCost:
    """One replication of a scenario: events processed and scheduled, and its times."""

    events: int
    scheduled: int
    run: Timing  # simulate() end to end: sampling inputs, building the world, loop, tables
    loop: Timing  # inside Environment.run only

    @property
    def run_ms(self) -> float:
        return self.run.fastest_ms

    @property
    def loop_ms(self) -> float:
        return self.loop.fastest_ms

    @property
    def events_per_s(self) -> float:
        return self.events / (self.run_ms / 1000)

    @property
    def loop_events_per_s(self) -> float:
        return self.events / (self.loop_ms / 1000)


def run_events(scenario: Scenario, seed: int = DEFAULT_SEED) -> tuple[int, int]:
    """Events one replication processes and schedules (also its warm-up)."""
    with counting_steps() as counter:
        scheduled = simulate(scenario, seed=seed).events
    return counter[0], scheduled


def time_runs(scenario: Scenario, repeats: int, seed: int = DEFAULT_SEED
              ) -> tuple[list[float], list[float]]:
    """Seconds of ``repeats`` replications of the same seed, end to end and in the loop."""
    runs, loops = [], []
    with timing_loop() as spent:
        for _ in range(repeats):
            before, began = spent[0], time.perf_counter()
            simulate(scenario, seed=seed)
            runs.append(time.perf_counter() - began)
            loops.append(spent[0] - before)
    return runs, loops


def run_cost(scenario: Scenario, repeats: int = 15, seed: int = DEFAULT_SEED) -> RunCost:
    """Count once, then time ``repeats`` replications."""
    events, scheduled = run_events(scenario, seed)
    runs, loops = time_runs(scenario, repeats, seed)
    return RunCost(events, scheduled, Timing.of(runs), Timing.of(loops))


def in_turns(scenario: Scenario, processes: int, steps: int, rounds: int,
             runs_per_round: int) -> tuple[dict[str, float], RunCost]:
    """Bare SimPy and the model timed in alternation, so that both meet the same spells
    of a busy machine and their ratio is not skewed by when each happened to run."""
    bare_count = bare_events(processes, steps)
    events, scheduled = run_events(scenario)
    bare, runs, loops = [], [], []
    for _ in range(rounds):
        began = time.perf_counter()
        bare_run(processes, steps)
        bare.append(time.perf_counter() - began)
        more_runs, more_loops = time_runs(scenario, runs_per_round)
        runs += more_runs
        loops += more_loops
    timing = Timing.of(bare)
    found = {"bare_events": bare_count, "bare_ms": timing.fastest_ms,
             "bare_ms_median": timing.median_ms,
             "bare_events_per_s": bare_count / (timing.fastest_ms / 1000)}
    return found, RunCost(events, scheduled, Timing.of(runs), Timing.of(loops))
