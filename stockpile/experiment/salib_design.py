"""SALib designs for sensitivity analysis: Sobol (Saltelli) and Morris points over lever ranges.

Sobol indices and Morris elementary effects need their own sampling patterns: SALib.analyze
reads the outputs in the order SALib.sample produced the inputs. So the points here are
SALib's sample rows in order (point i = row i), and the problem definition goes into the
sweep's manifest (``design.spec.problem``) for ``stockpile report`` to run SALib.analyze on
each point's mean outcome across its runs. Each point is still run ``--runs`` times with
common random numbers, so the scenario's own uncertainty is averaged out per point.

Sizes: Sobol without second-order indices gives ``samples × (levers + 2)`` points (SALib
prefers ``samples`` a power of two); Morris gives ``samples × (levers + 1)``
(``samples`` trajectories).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import numpy as np

from stockpile.experiment.designs import Design, DesignRequest, register
from stockpile.scenario import Problem, ScenarioError

MORRIS_LEVELS = 4
Ranges = Mapping[str, tuple[float, float]]


def problem(ranges: Ranges) -> dict:
    """SALib's problem dict: the levers' names (dotted config paths) and bounds."""
    return {"num_vars": len(ranges), "names": list(ranges),
            "bounds": [[float(lo), float(hi)] for lo, hi in ranges.values()]}


def _points(sample: np.ndarray, names: list[str]) -> list[dict[str, float]]:
    return [dict(zip(names, map(float, row), strict=True)) for row in sample]


def sobol_points(ranges: Ranges, samples: int, seed: int) -> tuple[list[dict[str, float]], dict]:
    """Saltelli's scheme (first and total order): the points in order, and the problem."""
    from SALib.sample import sobol

    spec = problem(ranges)
    with warnings.catch_warnings():  # "samples should be a power of 2": advice, not an error
        warnings.simplefilter("ignore", UserWarning)
        sample = sobol.sample(spec, int(samples), calc_second_order=False, seed=int(seed))
    return _points(sample, spec["names"]), spec


def morris_points(ranges: Ranges, samples: int, seed: int,
                  levels: int = MORRIS_LEVELS) -> tuple[list[dict[str, float]], dict]:
    """``samples`` Morris trajectories on a ``levels`` grid: the points in order, the problem."""
    from SALib.sample import morris

    spec = problem(ranges)
    sample = morris.sample(spec, int(samples), num_levels=levels, seed=int(seed))
    return _points(sample, spec["names"]), spec


def _check(request: DesignRequest, kind: str) -> None:
    problems = []
    if not request.samples or request.samples < 2:
        problems.append(Problem("--samples", str(request.samples or ""),
                                f"--design {kind} needs --samples K (K ≥ 2)"))
    if request.grid:
        problems.append(Problem("--grid", ", ".join(request.grid),
                                f"--design {kind} varies its levers itself: give them as "
                                "--param KEY=LOW:HIGH, not --grid"))
    if problems:
        raise ScenarioError(problems)


def _design(kind: str, points: list[dict[str, float]], spec: dict, request: DesignRequest,
            **extra: object) -> Design:
    levers = tuple(spec["names"])
    rows = tuple(tuple(p[k] for k in levers) for p in points)
    return Design(kind, levers, rows, {"problem": spec, "samples": request.samples,
                                       "seed": request.seed, **extra})


@register("sobol")
def sobol_design(request: DesignRequest) -> Design:
    """Sobol indices (first and total order) of each lever."""
    _check(request, "sobol")
    points, spec = sobol_points(request.ranges, request.samples, request.seed)
    return _design("sobol", points, spec, request, calc_second_order=False)


@register("morris")
def morris_design(request: DesignRequest) -> Design:
    """Morris elementary effects (mu*, sigma) of each lever: cheaper screening."""
    _check(request, "morris")
    points, spec = morris_points(request.ranges, request.samples, request.seed)
    return _design("morris", points, spec, request, num_levels=MORRIS_LEVELS)
