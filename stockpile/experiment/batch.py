"""Batches: several scenario files swept in turn with the same options, one folder each.

Every file (and every design point of every file) is validated before the first run, so
a typo in the fifth file does not surface after four long sweeps. Globs are expanded
here rather than by the shell, so ``"configs/*.yaml"`` works quoted or not, and on
shells that do not expand them.
"""

from __future__ import annotations

import glob
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from stockpile.experiment.csvstyle import STANDARD, style_named
from stockpile.experiment.designs import Design
from stockpile.experiment.output import write_csv
from stockpile.experiment.plan import SweepPlan
from stockpile.experiment.sweep import SweepOptions, SweepResult, run_sweep
from stockpile.scenario import Problem, ScenarioError


def expand(patterns: Sequence[str]) -> list[Path]:
    """File names and globs -> files, in the order given (each glob's matches sorted)."""
    found: list[Path] = []
    problems = []
    for pattern in patterns:
        if glob.has_magic(pattern):
            matches = sorted(glob.glob(pattern, recursive=True))
            if not matches:
                problems.append(Problem(pattern, "", "no files match this pattern"))
            found.extend(Path(m) for m in matches)
        else:
            found.append(Path(pattern))
    if problems:
        raise ScenarioError(problems)
    return list(dict.fromkeys(found))


def plan_batch(configs: Sequence[Path], design: Design,
               overrides: Sequence[str] = ()) -> list[SweepPlan]:
    """One plan per file; all problems of all files at once; folder names must differ."""
    plans: list[SweepPlan] = []
    problems: list[Problem] = []
    names: dict[str, Path] = {}
    for config in configs:
        try:
            plan = SweepPlan.build(config, design, overrides)
        except ScenarioError as exc:
            problems.extend(exc.problems)
            continue
        plans.append(plan)
        if plan.name in names:
            problems.append(Problem(str(config), "name", f"'{plan.name}' is also the name of "
                                    f"{names[plan.name]} (each gets a folder by name)"))
        names.setdefault(plan.name, config)
    if problems:
        raise ScenarioError(list(dict.fromkeys(problems)))
    return plans


def run_batch(plans: Sequence[SweepPlan], out: Path, options: SweepOptions,
              announce: Callable[[SweepPlan, Path], None] | None = None,
              report: Callable[[SweepResult], None] | None = None) -> pd.DataFrame:
    """Sweep each plan into ``out/<name>``; write and return ``batch_summary.csv``."""
    frames = []
    for plan in plans:
        folder = out / plan.name
        if announce:
            announce(plan, folder)
        result = run_sweep(plan, folder, options)
        if report:
            report(result)
        frame = result.summary.copy()
        frame.insert(0, "name", plan.name)
        frame.insert(0, "config", plan.config)
        frames.append(frame)
    combined = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    style = style_named(plans[0].base.output.csv_style) if plans else STANDARD
    write_csv(combined, out / "batch_summary.csv", style)
    return combined
