"""Scenario discovery: the conditions on sampled inputs under which the goal is met (or missed).

A small PRIM (Friedman & Fisher's Patient Rule Induction Method, as in EMA Workbench's
``prim``), in numpy, with scipy's exact binomial test for pruning:

1. Start with a box holding every run at the deadline.
2. Peel: for each input, try cutting off the ``alpha`` share of runs in the box with the
   lowest (or highest) values; keep the single cut that raises the share of runs with the
   outcome (the density) most. Repeat while the box holds at least ``min_support`` of runs
   and a cut still raises the density.
3. Choose from that peeling trajectory the box of highest density among those keeping at
   least ``min_coverage`` of all runs with the outcome (ties: the larger box).
4. Paste: move each limit back out, one run at a time, while the density does not fall
   (a peel removes 5% of the box at once and can overshoot a threshold).
5. Prune: drop any limit whose removal costs less than 3 points of density, or whose
   quasi-p-value (Bryant & Lempert, as EMA Workbench reports for each restriction) is 5% or
   more: the box's hits are no more than chance would give at the density without that
   limit, so restricting the input does not matter beyond noise (peeling on a few hundred
   runs happily trims a noise input that by luck raises the density a little). Keep at most
   three inputs, so the rule names only inputs that matter and reads in one breath.

The outcome described is "met" ("met in 87% of runs where ..."), unless the goal is met in
more than 80% of runs: then where it is missed, the exception worth knowing.
Coverage is the share of all runs with the outcome that fall in the box, density the share
of runs in the box with the outcome, support the share of all runs in the box; quasi_p the
largest quasi-p-value among the rule's limits (each below 0.05).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import binomtest

from stockpile.analysis.results import input_columns

MIN_DRAWS = 20  # distinct values a sampled input needs to appear in a rule
MOSTLY_MET = 0.8  # above this share met, describe where the goal is missed instead
COLUMNS = ["deadline", "outcome", "rule", "coverage", "density", "support", "runs",
           "base_rate", "conditions", "quasi_p"]


@dataclass
class Box:
    """Limits per input (lower, upper; None means open) and the runs inside."""

    limits: dict[str, tuple[float | None, float | None]]
    inside: np.ndarray

    def restricted(self) -> list[str]:
        return [k for k, (lo, hi) in self.limits.items() if lo is not None or hi is not None]


def _mask(x: pd.DataFrame, limits: dict[str, tuple[float | None, float | None]]) -> np.ndarray:
    mask = np.ones(len(x), dtype=bool)
    for column, (lo, hi) in limits.items():
        values = x[column].to_numpy(dtype=float)
        if lo is not None:
            mask &= values >= lo
        if hi is not None:
            mask &= values <= hi
    return mask


def _peel_candidates(x: pd.DataFrame, box: Box, alpha: float):
    """Each input's lower and upper peel: (column, new limits) removing about alpha of runs."""
    for column in x.columns:
        values = x[column].to_numpy(dtype=float)[box.inside]
        lo, hi = box.limits[column]
        cut_lo = np.quantile(values, alpha)
        above = values[values > cut_lo]
        if len(above):  # keep values strictly above the cut: removes at least one run
            yield column, (float(above.min()), hi)
        cut_hi = np.quantile(values, 1 - alpha)
        below = values[values < cut_hi]
        if len(below):
            yield column, (lo, float(below.max()))


def peel(x: pd.DataFrame, y: np.ndarray, alpha: float = 0.05,
         min_support: float = 0.05) -> list[Box]:
    """The peeling trajectory: boxes of rising density, each inside the one before."""
    box = Box(dict.fromkeys(x.columns, (None, None)), np.ones(len(x), dtype=bool))
    trajectory = [box]
    while box.inside.mean() > min_support:
        density = y[box.inside].mean()
        best: Box | None = None
        best_density = density
        for column, limit in _peel_candidates(x, box, alpha):
            limits = {**box.limits, column: limit}
            inside = box.inside & _mask(x[[column]], {column: limit})
            if inside.mean() < min_support or not inside.any():
                continue
            candidate = y[inside].mean()
            if candidate > best_density + 1e-12 or (
                    best is not None and candidate == best_density
                    and inside.sum() > best.inside.sum()):
                best, best_density = Box(limits, inside), candidate
        if best is None:
            break
        box = best
        trajectory.append(box)
    return trajectory


def choose(trajectory: list[Box], y: np.ndarray, min_coverage: float = 0.5,
           tie: float = 0.02) -> Box:
    """Highest density among boxes covering enough of the outcome; the larger box on ties."""
    total = max(int(y.sum()), 1)
    eligible = [b for b in trajectory if y[b.inside].sum() / total >= min_coverage]
    eligible = eligible or trajectory[:1]
    top = max(y[b.inside].mean() for b in eligible)
    return next(b for b in eligible if y[b.inside].mean() >= top - tie)


def _widened(x: pd.DataFrame, box: Box, column: str, side: int) -> Box | None:
    """The box with one limit moved out to the next run beyond it (side 0 lower, 1 upper)."""
    limits = list(box.limits[column])
    if limits[side] is None:
        return None
    values = x[column].to_numpy(dtype=float)
    beyond = _mask(x, {**box.limits, column: (None, None)}) & ~box.inside
    beyond &= values < limits[0] if side == 0 else values > limits[1]
    if not beyond.any():
        return None
    limits[side] = float(values[beyond].max() if side == 0 else values[beyond].min())
    widened = {**box.limits, column: (limits[0], limits[1])}
    return Box(widened, _mask(x, widened))


def paste(x: pd.DataFrame, y: np.ndarray, box: Box) -> Box:
    """Move limits back out, one run at a time, while the density does not fall.

    Peeling cuts a share of runs at once and can overshoot a threshold; pasting recovers
    the runs it cut for nothing.
    """
    grown = True
    while grown:
        grown = False
        for column in box.restricted():
            for side in (0, 1):
                wider = _widened(x, box, column, side)
                if wider is not None and y[wider.inside].mean() >= y[box.inside].mean():
                    box, grown = wider, True
    return box


def quasi_p(x: pd.DataFrame, y: np.ndarray, box: Box, column: str, side: int | None = None
            ) -> float:
    """Bryant and Lempert's quasi-p-value of one restriction (as EMA Workbench's PRIM):
    the chance of the box's hits among its runs if the outcome came at the density of the
    box without that limit (one-sided exact binomial test).

    ``side`` 0 or 1 tests the lower or upper limit alone, None the input's whole
    restriction. "Quasi": the box was chosen on the same runs, so it is optimistic.
    """
    wider = _loosened(x, box, column, side).inside
    hits, runs = int(y[box.inside].sum()), int(box.inside.sum())
    return float(binomtest(hits, runs, y[wider].mean(), alternative="greater").pvalue)


def _loosened(x: pd.DataFrame, box: Box, column: str, side: int | None) -> Box:
    """The box without one limit (``side`` 0 lower, 1 upper; None: both)."""
    limits: list[float | None] = [None, None] if side is None else list(box.limits[column])
    if side is not None:
        limits[side] = None
    widened = {**box.limits, column: (limits[0], limits[1])}
    return Box(widened, _mask(x, widened))


def prune(x: pd.DataFrame, y: np.ndarray, box: Box, tolerance: float = 0.03,
          most: int = 3, level: float = 0.05) -> Box:
    """Drop limits that do not matter, least useful first, and inputs beyond ``most``.

    A limit goes when the box's density without it is within ``tolerance`` (a rule a
    person can say in one breath is worth a few points of density) or when its quasi-p
    is ``level`` or more: restricting that input does not raise the density beyond what
    chance gives in a box of this size, the mark of a noise input picked by peeling.
    """
    while True:
        density = y[box.inside].mean()
        weak = []
        for column in box.restricted():
            for side in (0, 1):
                if box.limits[column][side] is None:
                    continue
                looser = _loosened(x, box, column, side)
                p = quasi_p(x, y, box, column, side)
                if density - y[looser.inside].mean() < tolerance or p >= level:
                    weak.append((-p, density - y[looser.inside].mean(), column, looser))
        if weak:
            box = min(weak, key=lambda o: o[:3])[3]
            continue
        if len(box.restricted()) <= most:
            return box
        box = min((_without(x, y, box, c) for c in box.restricted()), key=lambda o: o[:2])[2]


def _without(x: pd.DataFrame, y: np.ndarray, box: Box, column: str
             ) -> tuple[float, str, Box]:
    """The box with one input's restriction removed, and the density that costs."""
    limits = {**box.limits, column: (None, None)}
    inside = _mask(x, limits)
    return y[box.inside].mean() - y[inside].mean(), column, Box(limits, inside)


Label = Callable[[str], str]
Value = Callable[[str, float], str]


def plain_label(path: str) -> str:
    """An input's name when no phrasing is given: its path, words spaced."""
    return path.split(".")[-1].replace("_", " ")


def plain_value(_path: str, value: float) -> str:
    return f"{value:.3g}"


def describe(box: Box, label: Label = plain_label,
             value: Value = plain_value) -> tuple[str, str]:
    """The rule in words, and in machine form (path>=value; ...).

    The words come from ``label`` and ``value`` (the report passes its own phrasing), so
    that statistics do not depend on the report.
    """
    words, machine = [], []
    for column in sorted(box.restricted()):
        lo, hi = box.limits[column]
        name = label(column)
        if lo is not None and hi is not None:
            words.append(f"{name} between {value(column, lo)} and {value(column, hi)}")
        elif lo is not None:
            words.append(f"{name} ≥ {value(column, lo)}")
        else:
            words.append(f"{name} ≤ {value(column, hi)}")
        machine.extend([f"{column}>={lo:.6g}"] if lo is not None else [])
        machine.extend([f"{column}<={hi:.6g}"] if hi is not None else [])
    return " and ".join(words), "; ".join(machine)


def usable_inputs(frame: pd.DataFrame, levers: list[str]) -> list[str]:
    """Levers, and sampled inputs with at least ``MIN_DRAWS`` distinct draws.

    Under common random numbers a sampled input takes one value per run number, the same
    at every point: with few runs a box could pick out single draws and read as a rule.
    """
    return [c for c in input_columns(frame)
            if c in levers or frame[c].nunique() >= MIN_DRAWS]


def discover(runs: pd.DataFrame, deadline: int, levers: list[str] | None = None,
             min_support: float = 0.05, min_runs: int = 5, label: Label = plain_label,
             value: Value = plain_value) -> dict | None:
    """The rule for the outcome at one deadline, or None if there is nothing to find."""
    frame = runs[runs["deadline"] == deadline]
    inputs = usable_inputs(frame, levers or [])
    met = frame["met"].astype(bool).to_numpy()
    outcome = "met" if met.mean() <= MOSTLY_MET else "missed"
    y = met if outcome == "met" else ~met
    if not inputs or y.sum() < min_runs or (~y).sum() < min_runs:
        return None
    x = frame[inputs].astype(float).reset_index(drop=True)
    box = prune(x, y, paste(x, y, choose(peel(x, y, min_support=min_support), y)))
    if not box.restricted():
        return None
    rule, conditions = describe(box, label, value)
    return {"deadline": deadline, "outcome": outcome, "rule": rule,
            "coverage": float(y[box.inside].sum() / y.sum()),
            "density": float(y[box.inside].mean()), "support": float(box.inside.mean()),
            "runs": len(frame), "base_rate": float(y.mean()), "conditions": conditions,
            "quasi_p": max(quasi_p(x, y, box, column, side) for column in box.restricted()
                           for side in (0, 1) if box.limits[column][side] is not None)}


def discovery(runs: pd.DataFrame, deadlines: list[int], levers: list[str] | None = None,
              label: Label = plain_label, value: Value = plain_value) -> pd.DataFrame:
    """discovery.csv: one rule per deadline where the outcome varies with the inputs."""
    rows = [row for d in deadlines
            if (row := discover(runs, d, levers, label=label, value=value)) is not None]
    return pd.DataFrame(rows, columns=COLUMNS)
