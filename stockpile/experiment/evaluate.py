"""How often one lever value meets the goal: N runs with common random numbers.

Goal-seek asks this at each value it tries. Run r uses ``run_seed(root, r)`` at every value,
so two values are compared on the same N worlds and the estimate of p moves smoothly with
the lever; each run's verdict is returned in run order, so that goal-seek can compare two
values run by run (a paired test). With ``jobs > 1`` the runs of a value are split over a
process pool that lives as long as the evaluator (use it as a context manager).
"""

from __future__ import annotations

import math
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from stockpile.analysis.goalseek import Evaluation
from stockpile.api import DEFAULT_SEED, simulate
from stockpile.experiment.designs import format_value
from stockpile.experiment.seeds import run_seeds
from stockpile.scenario import Scenario, load_scenario


def met_in_runs(scenario: Scenario, seeds: list[int], deadline: int,
                deterministic: bool) -> list[tuple[bool, float, float]]:
    """Met, the capability ratio and the GBAD money credited (EUR m) at the deadline for
    each seed's run (a pool task)."""
    found = []
    for seed in seeds:
        goal = simulate(scenario, seed=seed, deterministic=deterministic).goal
        row = goal[goal["deadline"] == deadline].iloc[0]
        found.append((bool(row["met"]), float(row["ratio"]), float(row["credited_eur_m"])))
    return found


def lever_value(scenario: Scenario, lever: str) -> object:
    """The lever's current value in the scenario (None if unset or not a plain value)."""
    node: object = scenario.model_dump(mode="json")
    for part in lever.split("."):
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


@dataclass
class LeverEvaluator:
    """``evaluate(value)`` for goal-seek: load with the lever set, run, count met."""

    config: Path
    lever: str
    deadline: int
    runs: int = 100
    seed: int = DEFAULT_SEED
    overrides: list[str] = field(default_factory=list)
    deterministic: bool = False
    jobs: int = 1
    _pool: Executor | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        base = load_scenario(self.config, self.overrides)  # bad input fails here, once
        if self.deadline not in base.goal.deadlines:
            self.overrides = [*self.overrides, f"goal.deadlines=[{int(self.deadline)}]"]
            load_scenario(self.config, self.overrides)
        self.base = base
        if self.deterministic:
            self.runs = 1

    def scenario(self, value: float) -> Scenario:
        return load_scenario(self.config, [*self.overrides,
                                           f"{self.lever}={format_value(value)}"])

    def __call__(self, value: float) -> Evaluation:
        """The runs at one value, each run's verdict kept in run order for paired tests."""
        found = self.outcomes(self.scenario(value))
        outcomes = tuple(met for met, _, _ in found)
        ratios = [ratio for _, ratio, _ in found]
        return Evaluation(value, sum(outcomes), len(found),
                          float(np.nanmedian(ratios)) if ratios else float("nan"),
                          outcomes=outcomes, exact=self.deterministic)

    def outcomes(self, scenario: Scenario) -> list[tuple[bool, float, float]]:
        """(met, ratio, money credited) per run, in run order, in this process or over the
        pool: any scenario, so that a mix of levers is judged on the same runs."""
        seeds = run_seeds(self.seed, self.runs)
        if self._pool is None or len(seeds) < 2:
            return met_in_runs(scenario, seeds, self.deadline, self.deterministic)
        parts = [seeds[i::self.jobs] for i in range(min(self.jobs, len(seeds)))]
        futures = [self._pool.submit(met_in_runs, scenario, part, self.deadline,
                                     self.deterministic) for part in parts]
        found: list[tuple[bool, float, float]] = [(False, math.nan, math.nan)] * len(seeds)
        for i, future in enumerate(futures):  # part i holds runs i, i + jobs, ...
            found[i::self.jobs] = future.result()
        return found

    def __enter__(self) -> LeverEvaluator:
        if self.jobs > 1 and not self.deterministic:
            self._pool = ProcessPoolExecutor(max_workers=self.jobs)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None
