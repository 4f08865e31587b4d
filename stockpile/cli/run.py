"""``stockpile run``: one replication, its tables, and the goal verdict per deadline."""

from __future__ import annotations

from pathlib import Path

import click

from stockpile.analysis.text import binding_summary, verdict_table
from stockpile.api import DEFAULT_SEED
from stockpile.cli.common import (
    force_option,
    main,
    out_option,
    quiet_option,
    seed_option,
    set_option,
)
from stockpile.experiment.output import check_free, default_out
from stockpile.experiment.single import run_once
from stockpile.scenario import load_scenario


@main.command()
@click.argument("config", type=click.Path(path_type=Path))
@click.option("--deterministic", is_flag=True,
              help="Every distribution at its median; random events off.")
@seed_option
@set_option
@out_option
@force_option
@quiet_option
def run(config: Path, deterministic: bool, seed: int | None, overrides: list[str],
        out: Path | None, force: bool, quiet: bool) -> None:
    """One replication of CONFIG: writes its tables and prints the verdict per deadline."""
    scenario = load_scenario(config, overrides)
    out = out or default_out("run", scenario)
    check_free(out, force)
    seed = DEFAULT_SEED if seed is None else seed
    output = run_once(scenario, out, seed=seed, deterministic=deterministic, force=force)
    mode = "deterministic" if deterministic else f"seed {seed}"
    click.echo(f"{scenario.name}: {scenario.goal.metric} × {float(scenario.goal.multiplier):g} "
               f"({mode})")
    click.echo(verdict_table(output.goal))
    if not quiet:
        click.echo(binding_summary(output.constraints, output.production))
        click.echo(f"results: {out}")
