"""The data behind a results folder: table rows' sources, assumptions, uncertain inputs.

The loader keeps each CSV table row's source and confidence in ``scenario._provenance``;
the report reloads the scenario named in the manifest to get them (the manifest's resolved
scenario holds values, not sources). Distributions come from the manifest itself.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from stockpile.scenario import ScenarioError, load_scenario
from stockpile.scenario.distributions import central

PROVENANCE_COLUMNS = ["table", "key", "confidence", "source"]


def scenario_path(manifest: dict, folder: Path) -> Path | None:
    """The manifest's scenario file, looked for from here and from the results folder up."""
    named = manifest.get("scenario_file")
    if not named:
        return None
    path = Path(named)
    candidates = [path] if path.is_absolute() else [
        Path.cwd() / path, *[parent / path for parent in folder.resolve().parents]]
    return next((c for c in candidates if c.is_file()), None)


def provenance(manifest: dict, folder: Path) -> tuple[pd.DataFrame, str]:
    """Source rows of the scenario's tables, and a note saying where they came from."""
    path = scenario_path(manifest, folder)
    if path is None:
        return (pd.DataFrame(columns=PROVENANCE_COLUMNS),
                f"scenario file {manifest.get('scenario_file')!r} not found: sources not listed")
    try:
        scenario = load_scenario(path)
    except ScenarioError as exc:
        return (pd.DataFrame(columns=PROVENANCE_COLUMNS),
                f"{path} no longer loads ({len(exc.problems)} problems): sources not listed")
    rows = pd.DataFrame(scenario._provenance).reindex(columns=PROVENANCE_COLUMNS).fillna("")
    note = f"{manifest.get('scenario_file')} and its CSV tables"
    if manifest.get("scenario_hash"):
        from stockpile.experiment.output import scenario_hash

        if scenario_hash(scenario) != manifest["scenario_hash"]:
            note += " (the file has changed since this folder was made: sources may differ)"
    return rows, note


def is_assumption(confidence: str) -> bool:
    """Rows whose confidence starts with 'assumption' (e.g. 'assumption; price medium')."""
    return str(confidence).strip().lower().startswith("assumption")


def assumed(source: str, limit: int = 400) -> str:
    """The assumption a source text states first ('assumption: X because Y. Other...')."""
    text = " ".join(str(source).split())
    if text.lower().startswith("assumption"):
        text = text.split(":", 1)[-1].strip()
    first = text.split(". ", 1)[0]
    return first if len(first) <= limit else first[:limit - 1] + "…"


def assumptions(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows marked as assumptions, with what each assumes."""
    if not len(rows):
        return rows.assign(assumed="")
    marked = rows[rows["confidence"].map(is_assumption)]
    return marked.assign(assumed=marked["source"].map(assumed))


def uncertain_inputs(scenario: dict, prefix: str = "") -> list[tuple[str, str]]:
    """Every input given as a distribution: (dotted path, 'triang(c=0.5, loc=…)')."""
    found = []
    for key, value in scenario.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and "dist" in value:
            params = ", ".join(f"{k}={v:g}" if isinstance(v, int | float) else f"{k}={v}"
                               for k, v in value.items() if k != "dist" and v is not None)
            found.append((path, f"{value['dist']}({params})"))
        elif isinstance(value, dict):
            found.extend(uncertain_inputs(value, f"{path}."))
    return found


def retirements(scenario: dict) -> pd.DataFrame:
    """Legacy fire units that retire on a date (from the manifest's resolved scenario)."""
    rows = [{"country": iso, "system": system,
             "fire_units": round(central(row.get("fire_units") or 0)),
             "retire_year": row.get("retire_year")}
            for iso, holdings in (scenario.get("inventories") or {}).items()
            for system, row in holdings.items() if row.get("retire_year") is not None]
    return pd.DataFrame(rows, columns=["country", "system", "fire_units", "retire_year"])
