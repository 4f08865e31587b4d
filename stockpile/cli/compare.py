"""``stockpile compare``: two scenarios (or two modes of one) on common random numbers."""

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
    scenario_pair,
    write_comparison,
)
from stockpile.experiment.output import check_free, default_out
from stockpile.scenario import Problem, ScenarioError


def _modes(_ctx: click.Context, _param: click.Parameter,
           value: str | None) -> tuple[str, str] | None:
    if value is None:
        return None
    try:
        return parse_modes(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _rerun(config: Path, overrides: list[str]) -> str:
    sets = "".join(f" --set {o}" for o in overrides)
    return f"stockpile run {config}{sets}"


@main.command()
@click.argument("config", type=click.Path(path_type=Path))
@click.argument("config_b", required=False, type=click.Path(path_type=Path))
@click.option("--modes", default=None, callback=_modes, metavar="MODE,MODE",
              help="Compare CONFIG under two procurement modes (default when no second "
                   "scenario is given: national,joint); differences are 2nd − 1st.")
@click.option("--set-b", "overrides_b", multiple=True, metavar="KEY=VALUE",
              callback=lambda _ctx, _param, value: list(value),
              help="Override a key of the second scenario only (CONFIG_B, or CONFIG again "
                   "when CONFIG_B is not given). Repeatable.")
@click.option("--runs", type=click.IntRange(min=1), default=100, show_default=True,
              help="Paired replications per side (run r has the same seed on both).")
@click.option("--deterministic", is_flag=True,
              help="One run per side at central values, random events off.")
@seed_option
@set_option
@out_option
@force_option
@csv_style_option
@quiet_option
def compare(config: Path, config_b: Path | None, modes: tuple[str, str] | None,
            overrides_b: list[str], runs: int, deterministic: bool, seed: int | None,
            overrides: list[str], out: Path | None, force: bool, csv_style: str | None,
            quiet: bool) -> None:
    """Two scenarios on common random numbers: CONFIG against CONFIG_B, CONFIG against
    itself with --set-b overrides, or CONFIG under two procurement modes (--modes). Per
    deadline: P(goal met) on each side, the paired difference with a 95% interval, the
    first-met month's paired difference, and where the difference comes from (deliveries,
    donations, fire, money). --set applies to both sides."""
    sets = styled(overrides, csv_style)
    pair = config_b is not None or bool(overrides_b)
    if pair and modes is not None:
        raise ScenarioError([Problem("--modes", ",".join(modes),
                                     "compare either two modes of CONFIG or two scenarios "
                                     "(CONFIG_B or --set-b), not both")])
    if pair:
        scenarios = scenario_pair(config, config_b, sets, overrides_b)
        by = "scenarios"
        rerun = dict(zip(scenarios, (_rerun(config, sets),
                                     _rerun(config_b or config, [*sets, *overrides_b])),
                         strict=True))
    else:
        modes = modes or ("national", "joint")
        scenarios = mode_scenarios(config, sets, modes)
        by = "modes"
        rerun = {m: _rerun(config, [*sets, f"procurement.mode={m}"]) for m in modes}
    sides = tuple(scenarios)
    first = scenarios[sides[0]]
    out = out or default_out("compare", first)
    check_free(out, force)
    comparison = run_comparison(scenarios, runs, seed, deterministic, progress=not quiet,
                                by=by, rerun=rerun)
    write_comparison(comparison, out, force)
    kind = "deterministic" if deterministic else (
        f"{runs} paired runs per side, root seed {comparison.seed}")
    click.echo(f"{first.name}: {first.goal.metric} × {float(first.goal.multiplier):g}, "
               f"{sides[1]} vs {sides[0]} ({kind})")
    click.echo(comparison_text(comparison))
    if not quiet:
        click.echo(f"results: {out}")
