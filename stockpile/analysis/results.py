"""A finished results folder read back into frames: a run, a sweep or a batch.

Analysis works only on these tables (and the manifest), never on model objects, so a
report can be made a year later from the folder alone. Text columns (dates, keys) stay
text; numbers are numbers; a blank ``first_met`` is an empty string.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from stockpile.experiment.csvstyle import read_csv
from stockpile.experiment.tables import GOAL_COLUMNS
from stockpile.scenario import Problem, ScenarioError
from stockpile.scenario.schema import LAYERS

#: the summary files a sweep writes; a report derives any that are missing
SUMMARY_FILES = ("summary", "layers_summary", "fan", "timeseries_summary",
                 "constraints_summary", "production_summary")
RUN_FILES = ("runs", "points", "timeseries", "production", "budget", "constraints",
             "contracts", "capability", "deliveries", "expansions", "decisions", "failures",
             "burden", "burden_runs")
TEXT_COLUMNS = {"date", "signed_date", "reference", "layer", "checkpoint", "measure", "where",
                "tolerance", "unit", "source", "first_met", "country", "system", "line", "product",
                "account", "binding", "limited_by", "channel", "lead", "buyer", "config",
                "name", "error", "command", "ready_date", "paid_by", "reason", "considered"}
REPORT_DIR = "report"
#: yes/no columns by file, written 1/0 (older folders: True/False); read back as booleans
#: (summary.csv's ``met`` is a count)
FLAG_COLUMNS = {"runs": {"met", "fielded_met", *(f"met_{layer}" for layer in LAYERS)},
                "validation": {"within"}}


@dataclass
class Results:
    """One results folder: its kind, manifest and tables (file stem -> frame)."""

    folder: Path
    kind: str
    manifest: dict
    tables: dict[str, pd.DataFrame]
    members: dict[str, Results] = field(default_factory=dict)  # batch: name -> sub-folder

    @property
    def name(self) -> str:
        scenario = self.manifest.get("scenario") or {}
        return str(scenario.get("name") or self.folder.name)


def _is_text(column: str) -> bool:
    return column in TEXT_COLUMNS or column.startswith("first_met_") or column.endswith("_date")


def read_table(path: Path) -> pd.DataFrame:
    """A results CSV with text columns as text (blank -> '') and the rest as parsed."""
    header = read_csv(path, nrows=0).columns
    text = {c: str for c in header if _is_text(c)}
    frame = read_csv(path, dtype=text, keep_default_na=False,
                     na_values={c: [""] for c in header if c not in text})
    for column in text:
        frame[column] = frame[column].astype(object)
    for column in FLAG_COLUMNS.get(Path(path).stem, set()) & set(frame.columns):
        frame[column] = frame[column].map(as_flag)
        if "" not in set(frame[column]):
            frame[column] = frame[column].astype(bool)
    return frame.copy()  # one block again after the column-by-column conversions


def as_flag(value: object) -> bool | str:
    """1/0 (or True/False) as a boolean; blank (does not apply) as ''."""
    if isinstance(value, str):
        return {"1": True, "true": True, "0": False, "false": False}.get(value.lower(), "")
    if value is None or pd.isna(value):
        return ""
    return bool(value)


def read_manifest(folder: Path) -> dict:
    path = folder / "manifest.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def load_results(folder: str | Path) -> Results:
    """Read every known table of a results folder; a batch also reads its sub-folders."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ScenarioError([Problem(str(folder), "", "no such results folder")])
    manifest = read_manifest(folder)
    if (folder / "batch_summary.csv").is_file():
        members = {sub.name: load_results(sub) for sub in sorted(folder.iterdir())
                   if sub.is_dir() and (sub / "manifest.json").is_file()
                   and sub.name != REPORT_DIR}
        tables = {"batch_summary": read_table(folder / "batch_summary.csv")}
        return Results(folder, "batch", manifest, tables, members)
    tables = {name: read_table(folder / f"{name}.csv")
              for name in (*RUN_FILES, *SUMMARY_FILES, "validation", "magazine", "compare",
                           "compare_countries")
              if (folder / f"{name}.csv").is_file()}
    if (folder / "timeseries.parquet").is_file():  # past a spreadsheet's rows
        tables["timeseries"] = pd.read_parquet(folder / "timeseries.parquet")
    if "runs" not in tables and "summary" not in tables:
        raise ScenarioError([Problem(str(folder), "", "not a results folder (no runs.csv, "
                                     "summary.csv or batch_summary.csv)")])
    kind = str(manifest.get("kind") or ("sweep" if "summary" in tables else "run"))
    return Results(folder, kind, manifest, tables)


def input_columns(runs: pd.DataFrame) -> list[str]:
    """Sampled inputs and levers: numeric columns of runs.csv beyond the goal columns."""
    found = []
    for column in runs.columns:
        if column in GOAL_COLUMNS or _is_text(column):
            continue
        if pd.api.types.is_numeric_dtype(runs[column]) and runs[column].nunique() > 1:
            found.append(column)
    return found


def lever_columns(results: Results) -> list[str]:
    """Lever keys of the design: the columns of points.csv other than ``point``."""
    points = results.tables.get("points")
    if points is None:
        return []
    return [c for c in points.columns if c != "point"]
