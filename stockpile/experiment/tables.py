"""A run's tables as they appear in a results folder: with point, run and seed columns."""

from __future__ import annotations

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
