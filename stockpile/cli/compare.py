"""``stockpile compare``: the same scenario under two procurement modes, and the difference."""

from __future__ import annotations

from pathlib import Path

import click

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
from stockpile.experiment.compare import (
    comparison_text,
    mode_scenarios,
    parse_modes,
    run_comparison,
    write_comparison,
)
from stockpile.experiment.output import check_free, default_out


def _modes(_ctx: click.Context, _param: click.Parameter, value: str) -> tuple[str, str]:
    try:
        return parse_modes(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@main.command()
@click.argument("config", type=click.Path(path_type=Path))
@click.option("--modes", default="national,joint", show_default=True, callback=_modes,
              metavar="MODE,MODE", help="The two procurement modes; differences are 2nd − 1st.")
@click.option("--runs", type=click.IntRange(min=1), default=100, show_default=True,
              help="Paired replications per mode (run r has the same seed in both).")
@click.option("--deterministic", is_flag=True,
              help="One run per mode at central values, random events off.")
@seed_option
@set_option
@out_option
@force_option
@csv_style_option
@quiet_option
def compare(config: Path, modes: tuple[str, str], runs: int, deterministic: bool,
            seed: int | None, overrides: list[str], out: Path | None, force: bool,
            csv_style: str | None, quiet: bool) -> None:
    """CONFIG under two procurement modes on common random numbers: P(goal met) per deadline,
    its paired difference with a 95% interval, and the median first-met month."""
    scenarios = mode_scenarios(config, styled(overrides, csv_style), modes)
    first = scenarios[modes[0]]
    out = out or default_out("compare", first)
    check_free(out, force)
    comparison = run_comparison(scenarios, runs, seed, deterministic, progress=not quiet)
    write_comparison(comparison, out, force)
    kind = "deterministic" if deterministic else (
        f"{runs} paired runs per mode, root seed {comparison.seed}")
    click.echo(f"{first.name}: {first.goal.metric} × {float(first.goal.multiplier):g}, "
               f"{modes[1]} vs {modes[0]} ({kind})")
    click.echo(comparison_text(comparison))
    if not quiet:
        click.echo(f"results: {out}")
