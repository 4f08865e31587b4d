"""Designs: which lever points a sweep visits (levers are varied on purpose, per point).

Levers are policy choices (``--grid``, ``--lhs``); uncertainties are the scenario's
distributions, drawn per run inside ``simulate``. A ``Design`` is just a list of points,
each a value per lever, applied to the scenario as ``--set`` overrides, so any way of
choosing points plugs in by registering a builder::

    @register("sobol")
    def sobol(request: DesignRequest) -> Design:
        ...  # e.g. SALib's saltelli sampler over request.ranges
        return Design("sobol", levers, points, {"samples": request.samples})

``build(request)`` crosses the grid with the range-based design (``request.method``).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import yaml
from scipy.stats import qmc

from stockpile.scenario import Problem, ScenarioError

Value = Any  # a YAML scalar: number, bool or text
Builder = Callable[["DesignRequest"], "Design"]
BUILDERS: dict[str, Builder] = {}


@dataclass(frozen=True)
class Design:
    """Points of a sweep: one value per lever each, in lever order."""

    kind: str
    levers: tuple[str, ...] = ()
    points: tuple[tuple[Value, ...], ...] = ((),)
    spec: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.points)

    def values(self, point: int) -> dict[str, Value]:
        return dict(zip(self.levers, self.points[point], strict=True))

    def overrides(self, point: int) -> list[str]:
        """The point as ``--set`` strings, which ``stockpile run`` also accepts."""
        return [f"{key}={format_value(value)}" for key, value in self.values(point).items()]

    def table(self) -> pd.DataFrame:
        """points.csv: ``point``, then one column per lever."""
        frame = pd.DataFrame(list(self.points), columns=list(self.levers))
        frame.insert(0, "point", range(len(self.points)))
        return frame

    def describe(self) -> dict[str, Any]:
        """For the manifest (and the resume check): enough to rebuild the points."""
        return {"kind": self.kind, "levers": list(self.levers),
                "points": [list(p) for p in self.points], "spec": self.spec}


@dataclass(frozen=True)
class DesignRequest:
    """What the user asked for; builders read the parts they need."""

    grid: Mapping[str, Sequence[Value]] = field(default_factory=dict)
    ranges: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    samples: int | None = None
    seed: int = 0
    method: str = "lhs"


def register(name: str) -> Callable[[Builder], Builder]:
    """Make a range-based design available as ``DesignRequest(method=name)``."""

    def add(builder: Builder) -> Builder:
        BUILDERS[name] = builder
        return builder

    return add


def format_value(value: Value) -> str:
    """A lever value as ``--set`` text that YAML reads back to the same value."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float | np.integer | np.floating):
        return json.dumps(value.item() if isinstance(value, np.generic) else value)
    return json.dumps(value)


def parse_grid(text: str) -> tuple[str, list[Value]]:
    """``key=v1,v2,...`` -> (key, values read as YAML scalars)."""
    key, sep, raw = text.partition("=")
    values = [part.strip() for part in raw.split(",")]
    if not sep or not key.strip() or not all(values):
        raise ScenarioError([Problem("--grid", text, "expected KEY=V1,V2,...")])
    return key.strip(), [_scalar(v) for v in values]


def parse_range(text: str) -> tuple[str, tuple[float, float]]:
    """``key=lo:hi`` -> (key, (lo, hi)) with lo < hi."""
    key, sep, raw = text.partition("=")
    low, colon, high = raw.partition(":")
    try:
        bounds = (float(low), float(high))
    except ValueError:
        bounds = (np.nan, np.nan)
    if not sep or not colon or not key.strip() or not bounds[0] < bounds[1]:
        raise ScenarioError([Problem("--lhs", text, "expected KEY=LOW:HIGH with LOW < HIGH")])
    return key.strip(), bounds


def _scalar(text: str) -> Value:
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    return value if isinstance(value, str | int | float | bool) else text


def grid(levels: Mapping[str, Sequence[Value]]) -> Design:
    """Every combination of the levels (the first lever varies slowest)."""
    if not levels:
        return Design("single")
    points = tuple(itertools.product(*(list(v) for v in levels.values())))
    return Design("grid", tuple(levels), points, {"grid": {k: list(v) for k, v in levels.items()}})


@register("lhs")
def latin_hypercube(request: DesignRequest) -> Design:
    """``samples`` points spread over the ranges, drawn with the sweep's root seed."""
    if not request.samples or request.samples < 1:
        raise ScenarioError([Problem("--lhs", "", "needs --samples K (K ≥ 1)")])
    levers = tuple(request.ranges)
    sampler = qmc.LatinHypercube(d=len(levers), rng=np.random.default_rng(request.seed))
    low, high = zip(*request.ranges.values(), strict=True)
    unit = sampler.random(request.samples)
    scaled = qmc.scale(unit, list(low), list(high))
    points = tuple(tuple(float(x) for x in row) for row in scaled)
    spec = {"ranges": {k: list(v) for k, v in request.ranges.items()},
            "samples": request.samples, "seed": request.seed}
    return Design("lhs", levers, points, spec)


def product(outer: Design, inner: Design) -> Design:
    """Each point of ``outer`` combined with each point of ``inner``."""
    if not outer.levers:
        return inner
    if not inner.levers:
        return outer
    shared = set(outer.levers) & set(inner.levers)
    if shared:
        raise ScenarioError([Problem("--grid", key, "also given as a range lever")
                             for key in sorted(shared)])
    points = tuple(a + b for a, b in itertools.product(outer.points, inner.points))
    return Design(f"{outer.kind}×{inner.kind}", outer.levers + inner.levers, points,
                  {outer.kind: outer.spec, inner.kind: inner.spec})


def build(request: DesignRequest) -> Design:
    """The grid crossed with the range-based design, or a single point with no levers."""
    design = grid(request.grid)
    if request.ranges:
        if request.method not in BUILDERS:
            raise ScenarioError([Problem("--design", request.method,
                                         f"unknown design (known: {', '.join(BUILDERS)})")])
        design = product(design, BUILDERS[request.method](request))
    elif request.samples is not None:
        raise ScenarioError([Problem("--samples", "", "needs at least one --lhs KEY=LOW:HIGH")])
    return design


def request_from_options(grid_specs: Sequence[str], range_specs: Sequence[str],
                         samples: int | None, seed: int, method: str = "lhs") -> DesignRequest:
    """Parse the CLI's ``--grid`` and range texts; a key given twice is an error.

    ``method`` names the registered builder the ranges go to (``lhs`` unless told).
    """
    levels = dict(parse_grid(text) for text in grid_specs)
    ranges = dict(parse_range(text) for text in range_specs)
    keys = [parse_grid(t)[0] for t in grid_specs] + [parse_range(t)[0] for t in range_specs]
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        raise ScenarioError([Problem("--grid/--lhs", k, "lever given more than once")
                             for k in repeated])
    return DesignRequest(levels, ranges, samples, seed, method)
