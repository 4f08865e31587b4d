"""Turning a scenario with distributions into one with numbers, for one run."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from pydantic import BaseModel

from stockpile.scenario.distributions import Dist
from stockpile.scenario.schema import Scenario

RngFor = Callable[[str], np.random.Generator]


def _walk(value: Any, path: str, draw: Callable[[str, Dist], float]) -> Any:
    if isinstance(value, Dist):
        return draw(path, value)
    if isinstance(value, BaseModel):
        changes = {}
        for name in type(value).model_fields:
            old = getattr(value, name)
            new = _walk(old, f"{path}.{name}" if path else name, draw)
            if new is not old:
                changes[name] = new
        return value.model_copy(update=changes) if changes else value
    if isinstance(value, dict):
        items = {k: _walk(v, f"{path}.{k}", draw) for k, v in value.items()}
        return items if any(items[k] is not value[k] for k in value) else value
    if isinstance(value, list):
        items = [_walk(v, f"{path}.{i}", draw) for i, v in enumerate(value)]
        return items if any(a is not b for a, b in zip(items, value, strict=True)) else value
    return value


def distributions(scenario: Scenario) -> dict[str, Dist]:
    """Every uncertain input by its dotted path (the columns a sweep adds to runs.csv)."""
    found: dict[str, Dist] = {}

    def note(path: str, dist: Dist) -> float:
        found[path] = dist
        return 0.0

    _walk(scenario, "", note)
    return found


def _dist_locations(value: Any, where: tuple = ()) -> list[tuple[tuple, Dist]]:
    """Where the distributions are, as key tuples (list positions as ints)."""
    if isinstance(value, Dist):
        return [(where, value)]
    if isinstance(value, BaseModel):
        items: Any = ((name, getattr(value, name)) for name in type(value).model_fields)
    elif isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return []
    return [found for key, child in items for found in _dist_locations(child, (*where, key))]


class _Locations(list):
    """Where the distributions are, ``(keys, dist)`` pairs, with what every run of a sweep
    would otherwise work out again: each input's dotted path and the replacement tree."""

    def __init__(self, found: list[tuple[tuple, Dist]]):
        super().__init__(found)
        self.paths = [".".join(str(k) for k in keys) for keys, _ in found]
        #: key -> subtree, or the input's position in the list (a leaf)
        self.tree: dict = {}
        for i, (keys, _) in enumerate(found):
            node = self.tree
            for key in keys[:-1]:
                node = node.setdefault(key, {})
            node[keys[-1]] = i


def _replace_all(value: Any, tree: dict, values: list[float]) -> Any:
    """A copy of ``value`` with every leaf of ``tree`` replaced, each node copied once
    (replacing one input at a time copied the whole path, root included, 380 times a
    run); untouched branches are shared, as there."""
    changes = {key: values[sub] if isinstance(sub, int) else _replace_all(
        value[key] if isinstance(value, dict | list) else getattr(value, key), sub, values)
        for key, sub in tree.items()}
    if isinstance(value, BaseModel):
        return value.model_copy(update=changes)
    copied = list(value) if isinstance(value, list) else dict(value)
    for key, new in changes.items():
        copied[key] = new
    return copied


def concretise(scenario: Scenario, rng_for: RngFor | None,
               deterministic: bool = False) -> tuple[Scenario, dict[str, float]]:
    """Draw every distribution (or take its median); return the scenario and the draws.

    Each input has its own stream (``rng_for(path)``), so adding an uncertain input
    does not change the values drawn for the others. Where the distributions sit is
    found once per scenario: a sweep calls this for every run.
    """
    locations = scenario._dist_locations
    if locations is None:
        locations = scenario._dist_locations = _Locations(_dist_locations(scenario))
    paths = locations.paths
    if deterministic or rng_for is None:
        values = [dist.median() for _, dist in locations]
    else:
        values = [dist.sample(rng_for(path))
                  for path, (_, dist) in zip(paths, locations, strict=True)]
    sampled = dict(zip(paths, values, strict=True))
    concrete = _replace_all(scenario, locations.tree, values) if values else scenario
    concrete._provenance = scenario._provenance
    concrete._source = scenario._source
    concrete._dist_locations = _Locations([])
    return concrete, sampled
