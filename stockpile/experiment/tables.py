"""A run's tables as they appear in a results folder: with point, run and seed columns."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from stockpile.model.records import BurdenRow, GoalRow
from stockpile.model.world import RunOutput

#: table name -> file name, in the order they are written
RUN_FILES = {
    "runs": "runs.csv",
    "timeseries": "timeseries.csv",
    "production": "production.csv",
    "budget": "budget.csv",
    "constraints": "constraints.csv",
    "contracts": "contracts.csv",
    "capability": "capability.csv",
    "deliveries": "deliveries.csv",
    "expansions": "expansions.csv",
    "decisions": "decisions.csv",
    "burden": "burden.csv",
}
GOAL_COLUMNS = ["point", "run", "seed", *GoalRow._fields]
#: burden.csv of a run, and burden_runs.csv of a sweep
BURDEN_COLUMNS = ["point", "run", *BurdenRow._fields]


def _tagged(frame: pd.DataFrame, point: int, run: int) -> pd.DataFrame:
    frame = frame.copy()
    frame.insert(0, "run", run)
    frame.insert(0, "point", point)
    return frame


def runs_table(output: RunOutput, point: int, run: int,
               inputs: dict[str, float] | None = None) -> pd.DataFrame:
    """One row per deadline, then the run's sampled inputs (and lever values) as columns."""
    frame = _tagged(output.goal, point, run)
    frame.insert(2, "seed", output.seed)
    values = {**(inputs or {}), **output.sampled}
    if not values:
        return frame
    columns = pd.DataFrame({path: [values[path]] * len(frame) for path in sorted(values)},
                           index=frame.index)
    return pd.concat([frame, columns], axis=1)


def runs_rows(outputs: Sequence[tuple[int, RunOutput]], point: int,
              inputs: dict[str, Any] | None = None) -> pd.DataFrame:
    """``runs_table`` of several runs, concatenated: the same frame, built in one go.

    A sweep worker's runs have the same inputs, so their goal rows are concatenated once
    and each input becomes one column (the float ones one block), where a frame per run
    and a concat of them cost more than the run itself. Runs whose inputs differ in name
    or type take the run-by-run way, so the result never differs.
    """
    values = [{**(inputs or {}), **o.sampled} for _, o in outputs]
    names = sorted(values[0]) if values else []
    if (not outputs or any(len(o.goal) == 0 for _, o in outputs)
            or any(sorted(v) != names for v in values)
            or any(len({type(v[n]) for v in values}) > 1 for n in names)):
        return pd.concat([runs_table(o, point, r, inputs) for r, o in outputs],
                         ignore_index=True)
    lengths = [len(o.goal) for _, o in outputs]
    frame = pd.concat([o.goal for _, o in outputs], ignore_index=True)
    frame.insert(0, "seed", np.repeat(np.array([o.seed for _, o in outputs], np.int64),
                                      lengths))
    frame.insert(0, "run", np.repeat(np.array([r for r, _ in outputs], np.int64), lengths))
    frame.insert(0, "point", point)
    if not names:
        return frame
    floats = [n for n in names if type(values[0][n]) is float]
    others = [n for n in names if type(values[0][n]) is not float]
    block = np.repeat(np.array([[v[n] for n in floats] for v in values], np.float64),
                      lengths, axis=0)
    parts = [frame, pd.DataFrame(block, columns=floats, index=frame.index)]
    if others:  # inferred from the values, as a run's own column would be
        parts.append(pd.DataFrame({n: [v[n] for v, k in zip(values, lengths, strict=True)
                                       for _ in range(k)] for n in others}, index=frame.index))
    rows = pd.concat(parts, axis=1)
    return rows[[*frame.columns, *names]] if others else rows


def run_tables(output: RunOutput, point: int = 0, run: int = 0,
               inputs: dict[str, float] | None = None) -> dict[str, pd.DataFrame]:
    return {
        "runs": runs_table(output, point, run, inputs),
        "timeseries": _tagged(output.timeseries, point, run),
        "production": _tagged(output.production, point, run),
        "budget": _tagged(output.budget, point, run),
        "constraints": _tagged(output.constraints, point, run),
        "contracts": _tagged(output.contracts, point, run),
        "capability": _tagged(output.capability, point, run),
        "deliveries": _tagged(output.deliveries, point, run),
        "expansions": _tagged(output.expansions, point, run),
        "decisions": _tagged(output.decisions, point, run),
        "burden": _tagged(output.burden, point, run),
    }
