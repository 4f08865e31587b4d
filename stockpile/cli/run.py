"""``stockpile run``: one replication, its tables, and the goal verdict per deadline."""

from __future__ import annotations

from pathlib import Path

import click

from stockpile.analysis.report.text import binding_summary, verdict_table
from stockpile.api import DEFAULT_SEED
from stockpile.cli.common import (
    csv_style_option,
    force_option,
    main,
    out_option,
    quiet_option,
    seed_option,
    set_option,
    styled,
)
from stockpile.experiment.output import check_free, default_out
from stockpile.experiment.seeds import run_seed
from stockpile.experiment.single import run_once
from stockpile.scenario import load_scenario


@main.command()
@click.argument("config", type=click.Path(path_type=Path))
@click.option("--deterministic", is_flag=True,
              help="Every distribution at its median; random events off.")
@seed_option
@click.option("--run", "run_number", type=click.IntRange(min=0), default=None, metavar="N",
              help="Run N of a sweep whose root seed is --seed: its seed is spawned from "
                   "both (the seed column of runs.csv, exactly).")
@set_option
@out_option
@force_option
@csv_style_option
@quiet_option
def run(config: Path, deterministic: bool, seed: int | None, run_number: int | None,
        overrides: list[str], out: Path | None, force: bool, csv_style: str | None,
        quiet: bool) -> None:
    """One replication of CONFIG: writes its tables and prints the verdict per deadline.

    ``--seed ROOT --run N`` reproduces run N of a sweep with root seed ROOT (add the
    point's levers with --set); ``--seed SEED`` alone takes a run seed as it is.
    """
    scenario = load_scenario(config, styled(overrides, csv_style))
    out = out or default_out("run", scenario)
    check_free(out, force)
    root = DEFAULT_SEED if seed is None else seed
    seed = root if run_number is None else run_seed(root, run_number)
    output = run_once(scenario, out, seed=seed, deterministic=deterministic, force=force)
    mode = ("deterministic" if deterministic else f"seed {seed}" if run_number is None
            else f"run {run_number} of root seed {root}: seed {seed}")
    click.echo(f"{scenario.name}: {scenario.goal.metric} × {float(scenario.goal.multiplier):g} "
               f"({mode})")
    click.echo(verdict_table(output.goal))
    if not quiet:
        click.echo(binding_summary(output.constraints, output.production))
        click.echo(f"results: {out}")
