"""``stockpile goal-seek``: the smallest lever value, or the cheapest mix of levers, that meets
the goal with probability ≥ P."""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd

from stockpile.analysis.goalseek import (
    COLUMNS,
    Evaluation,
    SeekResult,
    describe,
    evaluation_rows,
    seek,
)
from stockpile.analysis.mix import Mix, mixes_table, search
from stockpile.analysis.mix import describe as describe_mix
from stockpile.analysis.report.plots import frontier_chart
from stockpile.api import DEFAULT_SEED
from stockpile.cli.common import (
    force_option,
    main,
    out_option,
    quiet_option,
    seed_option,
    set_option,
)
from stockpile.experiment.evaluate import LeverEvaluator, lever_value
from stockpile.experiment.mix import MixJudge, parse_costs, parse_lever
from stockpile.experiment.output import (
    check_free,
    manifest,
    now_iso,
    staged_folder,
    write_csv,
    write_json,
)
from stockpile.scenario import Problem, ScenarioError
from stockpile.scenario.load import unknown_key


def parse_bounds(text: str | None, lever: str, current: object) -> tuple[float, float]:
    """``LO:HI``; without it a share lever searches 0:1, any other lever must say."""
    if text is None:
        if lever.endswith("share"):
            return 0.0, 1.0
        raise ScenarioError([Problem("--range", lever, "give the values to search as "
                                     f"--range LOW:HIGH (current value: {current})")])
    low, colon, high = text.partition(":")
    try:
        bounds = float(low), float(high)
    except ValueError:
        bounds = (float("nan"), float("nan"))
    if not colon or not bounds[0] < bounds[1]:
        raise ScenarioError([Problem("--range", text, "expected LOW:HIGH with LOW < HIGH")])
    return bounds


def evaluations_table(result: SeekResult, lever: str) -> pd.DataFrame:
    """goalseek.csv: every value tried, in order, with p, its Wilson interval and the tests
    the search made on it (columns: stockpile.analysis.goalseek.COLUMNS)."""
    rows = [{"lever": lever, **row} for row in evaluation_rows(result)]
    return pd.DataFrame(rows, columns=["lever", *COLUMNS])


def _echoing(evaluate: LeverEvaluator, lever: str, quiet: bool):
    def call(value: float) -> Evaluation:
        found = evaluate(value)
        if not quiet:
            click.echo(f"  {lever}={value:.6g}: met in {found.met} of {found.runs} runs",
                       err=True)
        return found

    return call


@main.command("goal-seek")
@click.argument("config", type=click.Path(path_type=Path))
@click.option("--lever", "levers", required=True, multiple=True, metavar="KEY[=RANGE]",
              help="Config key to search over, e.g. country_defaults.gbad_share (with "
                   "--range). Several, or one as KEY=LOW:HIGH[:STEP] or KEY=A,B: the "
                   "cheapest mix of levers (Optuna's TPE search), with its cost-probability "
                   "frontier.")
@click.option("--cost", "costs", multiple=True, metavar="KEY=EUR_M",
              help="Price of a mix lever: EUR m per unit above its low end, or "
                   "KEY=CHOICE:EUR_M for a choice. GBAD money is measured in the runs and a "
                   "line's capacity is priced at its expansion capital; anything else costs "
                   "nothing unless priced. Repeatable.")
@click.option("--trials", type=click.IntRange(min=2), default=None,
              help="Mixes to try (mix search only; default 30).")
@click.option("--deadline", type=int, required=True, metavar="YEAR",
              help="Goal judged at the close of December of this year.")
@click.option("--prob", type=click.FloatRange(0, 1, min_open=True), required=True,
              metavar="P", help="Required probability of meeting the goal (0 < P ≤ 1).")
@click.option("--runs", type=click.IntRange(min=1), default=100, show_default=True,
              help="Runs per lever value (run r has the same seed at every value).")
@click.option("--range", "bounds", metavar="LOW:HIGH",
              help="Values to search (default 0:1 for a share).")
@click.option("--decreasing/--increasing", default=None,
              help="Whether larger values make the goal later (default: read from the ends).")
@click.option("--tol", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Stop when the bracket is this narrow (default 1% of the range).")
@click.option("--deterministic", is_flag=True,
              help="One run per value at central values, random events off.")
@click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Local processes for the runs of each value.")
@seed_option
@set_option
@out_option
@force_option
@quiet_option
def goal_seek(config: Path, levers: tuple[str, ...], costs: tuple[str, ...],
              trials: int | None, deadline: int, prob: float, runs: int,
              bounds: str | None, decreasing: bool | None, tol: float | None,
              deterministic: bool, jobs: int, seed: int | None, overrides: list[str],
              out: Path | None, force: bool, quiet: bool) -> None:
    """The smallest value of a lever (largest, for one where more is worse) for which CONFIG
    meets the goal by the deadline with probability ≥ P: bracketing and bisection on Monte
    Carlo estimates with common random numbers. With several levers (KEY=LOW:HIGH each):
    the cheapest mix that does, and the cost-probability frontier. Writes goalseek.csv
    (frontier.csv and frontier.png for a mix) only with --out."""
    started = now_iso()
    if out is not None:
        check_free(out, force)
    seed = DEFAULT_SEED if seed is None else seed
    if len(levers) > 1 or "=" in levers[0]:
        given = [name for name, value in (("--range", bounds), ("--decreasing", decreasing),
                                          ("--tol", tol)) if value is not None]
        if given:
            raise ScenarioError([Problem(given[0], "--lever KEY=LOW:HIGH",
                                         f"{given[0]} is for one lever; a mix gives each "
                                         "lever's range as KEY=LOW:HIGH")])
        seek_mix(config, list(levers), list(costs), trials or 30, deadline, prob, runs,
                 deterministic, jobs, seed, overrides, out, force, quiet, started)
        return
    if costs or trials is not None:
        raise ScenarioError([Problem("--cost" if costs else "--trials", levers[0],
                                     "prices and trials are for a mix: give the lever as "
                                     "KEY=LOW:HIGH")])
    lever = levers[0]
    evaluator = LeverEvaluator(config, lever, deadline, runs, seed, list(overrides),
                               deterministic, jobs)
    why = unknown_key(evaluator.base, lever)
    if why:
        raise ScenarioError([Problem("--lever", lever, why)])
    current = lever_value(evaluator.base, lever)
    low, high = parse_bounds(bounds, lever, current)
    integer = isinstance(current, int) and not isinstance(current, bool)
    with evaluator:
        result = seek(_echoing(evaluator, lever, quiet), low, high, prob, decreasing, tol,
                      integer)
    mode = ("deterministic" if deterministic
            else f"{evaluator.runs} runs per value, root seed {seed}")
    click.echo(f"{evaluator.base.name}: goal-seek on {lever} ({mode})")
    for line in describe(result, lever, deadline):
        click.echo(line)
    if out is not None:
        with staged_folder(out, force) as stage:
            write_csv(evaluations_table(result, lever), stage / "goalseek.csv")
            write_json(manifest(evaluator.base, kind="goal-seek", seed=seed,
                                runs=evaluator.runs, lever=lever, deadline=deadline,
                                prob=prob, range=[low, high], status=result.status,
                                answer=result.answer, bracket=list(result.bracket),
                                level=result.level,
                                supported=(None if result.supported is None
                                           else list(result.supported)),
                                supported_ends_shown=list(result.ends_shown),
                                runs_to_halve=result.runs_to_halve,
                                started=started, finished=now_iso()),
                       stage / "manifest.json")
        if not quiet:
            click.echo(f"results: {out}")


def _mix_echo(quiet: bool):
    def echo(mix: Mix) -> None:
        if not quiet:
            settings = ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                                 for k, v in mix.settings.items())
            click.echo(f"  mix {mix.number}: {settings}: met in {mix.met} of {mix.runs} "
                       f"runs, EUR {mix.cost_eur_m:,.0f} m", err=True)
    return echo


def seek_mix(config: Path, texts: list[str], costs: list[str], trials: int, deadline: int,
             prob: float, runs: int, deterministic: bool, jobs: int, seed: int,
             overrides: list[str], out: Path | None, force: bool, quiet: bool,
             started: str) -> None:
    """The cheapest mix of levers meeting the goal with probability ≥ P (analysis/mix.py)."""
    judge = MixJudge(config, deadline, runs, seed, list(overrides), deterministic, jobs)
    prices = parse_costs(costs)
    levers = [parse_lever(text, judge.base, prices) for text in texts]
    keys = [lever.key for lever in levers]
    extra = sorted(set(prices) - set(keys))
    if extra or len(set(keys)) < len(keys):
        raise ScenarioError([Problem("--cost" if extra else "--lever",
                                     extra[0] if extra else keys[0],
                                     "a price for a key that is not a lever" if extra
                                     else "the same lever twice")])
    with judge:
        result = search(levers, judge, prob, trials, seed % (2 ** 32), _mix_echo(quiet))
    mode = ("deterministic" if deterministic
            else f"{judge.runs} runs per mix, root seed {seed}")
    click.echo(f"{judge.base.name}: cheapest mix of {', '.join(keys)} ({mode})")
    for line in describe_mix(result, deadline):
        click.echo(line)
    if out is not None:
        table = mixes_table(result)
        with staged_folder(out, force) as stage:
            write_csv(table, stage / "frontier.csv")
            frontier_chart(table, prob, deadline, stage / "frontier.png")
            best = result.cheapest
            write_json(manifest(judge.base, kind="goal-seek-mix", seed=seed, runs=judge.runs,
                                levers=texts, costs=list(costs), deadline=deadline, prob=prob,
                                trials=len(result.mixes),
                                cheapest=None if best is None else best.settings,
                                cheapest_cost_eur_m=None if best is None else best.cost_eur_m,
                                started=started, finished=now_iso()),
                       stage / "manifest.json")
        if not quiet:
            click.echo(f"results: {out}")
