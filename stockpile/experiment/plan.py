"""A sweep's plan: the base scenario, the design's points validated up front, the columns.

Every point's scenario is built (and so validated) before the first run starts, so a bad
lever value is a one-line input error, not a failure an hour into the sweep. The runs.csv
columns are fixed here, from the levers and the union of every point's uncertain inputs,
so every chunk of every point writes the same header.
"""

from __future__ import annotations

import shlex
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stockpile.experiment.chunks import ChunkTask
from stockpile.experiment.designs import Design
from stockpile.experiment.output import scenario_hash
from stockpile.experiment.tables import GOAL_COLUMNS
from stockpile.scenario import Problem, Scenario, ScenarioError, load_scenario
from stockpile.scenario.load import with_overrides
from stockpile.scenario.sampling import distributions

CACHED_POINTS = 8


@dataclass
class SweepPlan:
    base: Scenario
    design: Design
    config: str  # how commands name the scenario file ("CONFIG" for one built in memory)
    overrides: tuple[str, ...]  # the sweep's own --set values, before the levers
    columns: tuple[str, ...]
    hashes: tuple[str, ...]  # per point
    _cache: OrderedDict[int, Scenario] = field(default_factory=OrderedDict, repr=False)

    @classmethod
    def build(cls, source: Scenario | str | Path, design: Design,
              overrides: Sequence[str] = ()) -> SweepPlan:
        """Load the scenario and every point of the design; all problems at once."""
        if isinstance(source, Scenario):
            base, config = with_overrides(source, overrides), source._source or "CONFIG"
        else:
            base, config = load_scenario(source, overrides), str(source)
        problems: dict[Problem, None] = {}
        inputs: set[str] = set(design.levers)
        hashes = []
        for point in range(len(design)):
            try:
                scenario = with_overrides(base, design.overrides(point))
            except ScenarioError as exc:
                problems.update(dict.fromkeys(_as_lever(p, design) for p in exc.problems))
                continue
            inputs.update(distributions(scenario))
            hashes.append(scenario_hash(scenario))
        if problems:
            raise ScenarioError(list(problems))
        columns = tuple(GOAL_COLUMNS) + tuple(sorted(inputs - set(GOAL_COLUMNS)))
        return cls(base, design, config, tuple(overrides), columns, tuple(hashes))

    def __len__(self) -> int:
        return len(self.design)

    @property
    def name(self) -> str:
        return self.base.name

    def scenario(self, point: int) -> Scenario:
        """The point's scenario (a few are cached: tasks come roughly in point order)."""
        if point in self._cache:
            self._cache.move_to_end(point)
            return self._cache[point]
        scenario = with_overrides(self.base, self.design.overrides(point))
        self._cache[point] = scenario
        if len(self._cache) > CACHED_POINTS:
            self._cache.popitem(last=False)
        return scenario

    def rerun(self, point: int) -> str:
        """``stockpile run`` for one run of this point, without its ``--seed``."""
        words = ["stockpile", "run", self.config]
        for value in (*self.overrides, *self.design.overrides(point)):
            words += ["--set", value]
        return shlex.join(words)

    def task(self, point: int, first: int, count: int, seed: int, timeseries: str) -> ChunkTask:
        return ChunkTask(point, first, count, seed, self.design.values(point), self.columns,
                         timeseries, self.rerun(point))

    def fingerprint(self, **options: Any) -> dict[str, Any]:
        """What a folder must match to be resumed: scenario, design and run options."""
        return {"scenario_hash": scenario_hash(self.base), "point_hashes": list(self.hashes),
                "design": self.design.describe(), **options}


def _as_lever(problem: Problem, design: Design) -> Problem:
    """A bad lever value is blamed on the option that gave it, not on ``--set``."""
    if problem.file != "--set" or problem.path.split(" ")[0] not in design.levers:
        return problem
    option = "--grid" if problem.path in _grid_keys(design.spec) else "--lhs"
    return Problem(option, problem.path, problem.message)


def _grid_keys(spec: dict[str, Any]) -> set[str]:
    found = set(spec.get("grid", {}))
    for value in spec.values():
        if isinstance(value, dict):
            found |= _grid_keys(value)
    return found
