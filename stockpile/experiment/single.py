"""One replication written to a results folder (``stockpile run``)."""

from __future__ import annotations

from pathlib import Path

from stockpile.analysis.magazine import scenario_magazine
from stockpile.analysis.validation import scenario_sources, validation_table
from stockpile.api import DEFAULT_SEED, simulate
from stockpile.experiment.csvstyle import restyle_folder, style_named
from stockpile.experiment.output import manifest, now_iso, staged_folder, write_csv, write_json
from stockpile.experiment.tables import RUN_FILES, run_tables
from stockpile.model.world import RunOutput
from stockpile.scenario.schema import Scenario


def run_once(scenario: Scenario, out: Path, seed: int | None = None,
             deterministic: bool = False, force: bool = False) -> RunOutput:
    """Simulate once and write every table, or nothing if anything fails."""
    started = now_iso()
    seed = DEFAULT_SEED if seed is None else seed
    with staged_folder(out, force) as stage:  # claimed from the start: one writer wins
        output = simulate(scenario, seed=seed, deterministic=deterministic)
        tables = run_tables(output)
        for name, frame in tables.items():
            write_csv(frame, stage / RUN_FILES[name])
        write_csv(scenario_magazine(output.timeseries, scenario.model_dump(mode="json")),
                  stage / "magazine.csv")
        if scenario.checkpoints:
            checkpoints = {k: v.model_dump() for k, v in scenario.checkpoints.items()}
            write_csv(validation_table(checkpoints, tables, scenario.time.start,
                                       scenario_sources(scenario._provenance)),
                      stage / "validation.csv")
        restyle_folder(stage, style_named(scenario.output.csv_style))
        write_json(manifest(scenario, kind="run", seed=seed, deterministic=deterministic, runs=1,
                            design={"points": 1}, events=output.events, started=started,
                            finished=now_iso()), stage / "manifest.json")
    return output
