"""``stockpile goal-seek``: the smallest lever value that meets the goal with probability ≥ P."""

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
@click.option("--lever", required=True, metavar="KEY",
              help="Config key to search over, e.g. country_defaults.gbad_share.")
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
def goal_seek(config: Path, lever: str, deadline: int, prob: float, runs: int,
              bounds: str | None, decreasing: bool | None, tol: float | None,
              deterministic: bool, jobs: int, seed: int | None, overrides: list[str],
              out: Path | None, force: bool, quiet: bool) -> None:
    """The smallest value of a lever (largest, for one where more is worse) for which CONFIG
    meets the goal by the deadline with probability ≥ P: bracketing and bisection on Monte
    Carlo estimates with common random numbers. Writes goalseek.csv only with --out."""
    started = now_iso()
    if out is not None:
        check_free(out, force)
    seed = DEFAULT_SEED if seed is None else seed
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
