"""Results for notebooks: a sweep or any results folder as pandas DataFrames, ready to plot.

The CSVs keep dates as ``YYYY-MM`` text and yes/no as 1/0 so that spreadsheets read them
anywhere; a notebook wants types instead, so here month columns are ``pandas.Period``
(monthly; a run that never meets the goal has ``NaT``) and yes/no columns are booleans.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from stockpile.analysis import results as folders
from stockpile.analysis.derive import complete
from stockpile.api import DEFAULT_SEED
from stockpile.experiment import salib_design  # noqa: F401  (registers sobol, morris)
from stockpile.experiment.designs import DesignRequest, build, parse_grid, parse_range
from stockpile.experiment.plan import SweepPlan
from stockpile.experiment.sweep import SweepOptions, run_sweep
from stockpile.scenario import Problem, Scenario, ScenarioError

DESIGNS = ("grid", "lhs", "sobol", "morris")
Params = Mapping[str, Sequence[Any]] | Sequence[str] | None


def is_date_column(column: str) -> bool:
    return (column in {"date", "first_met"} or column.endswith("_date")
            or column.startswith("first_met_p"))


def typed(frame: pd.DataFrame, flags: set[str] = frozenset()) -> pd.DataFrame:
    """Month text as monthly Periods (blank: NaT); the named 1/0 columns as booleans."""
    frame = frame.copy()
    for column in frame.columns:
        if is_date_column(str(column)):
            text = frame[column].astype("string").fillna("")
            frame[column] = pd.PeriodIndex(
                pd.to_datetime(text, format="%Y-%m", errors="coerce"), freq="M")
        elif column in flags:
            frame[column] = frame[column].map(folders.as_flag).map(
                lambda v: pd.NA if v == "" else bool(v)).astype("boolean")
    return frame


@dataclass
class ResultSet:
    """A results folder's tables as typed DataFrames.

    ``runs``: one row per design point, run and deadline (seed, ratio, met, first_met and the
    sampled inputs); ``summary``: per point and deadline, the share met with its Wilson
    interval and quantiles; ``fan``, ``timeseries_summary``, ``constraints_summary``,
    ``production_summary``: monthly summaries; every other table is in ``tables``.

    >>> res = stockpile.load_results("results/baseline-sweep")   # doctest: +SKIP
    >>> res.summary[["deadline", "p_met", "ci_low", "ci_high"]]  # doctest: +SKIP
    """

    kind: str
    manifest: dict
    tables: dict[str, pd.DataFrame]
    folder: Path | None = None
    members: dict[str, ResultSet] = field(default_factory=dict)

    def _get(self, name: str) -> pd.DataFrame | None:
        return self.tables.get(name)

    runs = property(lambda self: self._get("runs"), doc="one row per run and deadline")
    summary = property(lambda self: self._get("summary"), doc="per point and deadline")
    points = property(lambda self: self._get("points"), doc="lever values per point")
    failures = property(lambda self: self._get("failures"), doc="runs that raised")
    fan = property(lambda self: self._get("fan"), doc="goal ratio quantiles per month")
    timeseries_summary = property(lambda self: self._get("timeseries_summary"),
                                  doc="stock quantiles per month, country and system")
    constraints_summary = property(lambda self: self._get("constraints_summary"),
                                   doc="share of runs bound by each constraint per month")
    production_summary = property(lambda self: self._get("production_summary"),
                                  doc="line capacity, starts and backlog per month")
    timeseries = property(lambda self: self._get("timeseries"),
                          doc="every run's months (sweeps with timeseries='full', or a run)")

    def __repr__(self) -> str:
        shown = ", ".join(f"{name} ({len(frame):,} rows)" for name, frame in self.tables.items())
        return f"<ResultSet {self.kind} {self.folder or '(in memory)'}: {shown}>"


def _from(loaded: folders.Results) -> ResultSet:
    members = {name: _from(member) for name, member in loaded.members.items()}
    if loaded.kind != "batch":
        complete(loaded)  # a run folder gets the summaries a sweep writes
    tables = {name: typed(frame, set().union(*folders.FLAG_COLUMNS.values())
                          if name in folders.FLAG_COLUMNS else set())
              for name, frame in loaded.tables.items()}
    return ResultSet(loaded.kind, loaded.manifest, tables, loaded.folder, members)


def load_results(folder: str | Path) -> ResultSet:
    """Any results folder (run, sweep, compare, batch) as typed DataFrames.

    >>> res = stockpile.load_results("results/baseline-sweep")      # doctest: +SKIP
    >>> res.runs.groupby("deadline")["met"].mean()                   # doctest: +SKIP
    """
    return _from(folders.load_results(folder))


def design_request(design: str, params: Params, samples: int | None,
                   seed: int) -> DesignRequest:
    """``params`` as a grid (``{"key": [v1, v2]}`` or ``["key=v1,v2"]``) or as ranges
    (``{"key": (low, high)}`` or ``["key=low:high"]``) for lhs, sobol and morris."""
    if design not in DESIGNS:
        raise ScenarioError([Problem("design", design, f"one of {', '.join(DESIGNS)}")])
    params = params or {}
    if design == "grid":
        texts = ([f"{k}={','.join(map(str, v))}" for k, v in params.items()]
                 if isinstance(params, Mapping) else list(params))
        return DesignRequest(dict(parse_grid(t) for t in texts), {}, samples, seed)
    texts = ([f"{k}={lo}:{hi}" for k, (lo, hi) in params.items()]
             if isinstance(params, Mapping) else list(params))
    return DesignRequest({}, dict(parse_range(t) for t in texts), samples, seed, design)


def sweep(scenario: Scenario | str | Path, runs: int = 100, seed: int | None = None,
          design: str = "grid", params: Params = None, jobs: int | None = None, *,
          samples: int | None = None, overrides: Sequence[str] = (),
          out: str | Path | None = None, timeseries: str = "summary",
          until_ci: float | None = None, scheduler: str | None = None, resume: bool = False,
          force: bool = False, progress: bool = True) -> ResultSet:
    """Monte Carlo sweep of a scenario; returns its tables (see ``ResultSet``).

    ``design`` is ``grid`` (``params`` lists each lever's values) or ``lhs``, ``sobol``,
    ``morris`` (``params`` gives each lever's range, ``samples`` the points or base
    samples). Without ``out`` the files go to a temporary folder that is removed once read.
    The other arguments are the ``stockpile sweep`` options of the same names.

    >>> res = stockpile.sweep("configs/baseline.yaml", runs=50, seed=1,      # doctest: +SKIP
    ...                       params={"country_defaults.gbad_share": [0.1, 0.2]})
    >>> res.summary.pivot(index="point", columns="deadline", values="p_met")  # doctest: +SKIP
    """
    seed = DEFAULT_SEED if seed is None else int(seed)
    plan = SweepPlan.build(scenario, build(design_request(design, params, samples, seed)),
                           list(overrides))
    options = SweepOptions(runs, seed, until_ci, jobs, scheduler, timeseries, resume, force,
                           progress)
    if out is not None:
        run_sweep(plan, Path(out), options)
        return load_results(out)
    with tempfile.TemporaryDirectory(prefix="stockpile-sweep-") as temp:
        run_sweep(plan, Path(temp) / plan.name, options)
        loaded = load_results(Path(temp) / plan.name)
    loaded.folder = None
    return loaded
