"""``stockpile sweep`` and ``stockpile batch``: Monte Carlo over runs and design points.

Exit codes: 0 every run finished; 1 some runs raised (they are in failures.csv, the rest
of the sweep is complete); 2 bad input (scenario, lever, option, or a results folder that
exists or does not match ``--resume``); 130 interrupted with Ctrl-C (finished chunks are
kept: the same command with ``--resume`` continues).
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from stockpile.analysis.report.text import batch_text
from stockpile.analysis.summary import summary_text
from stockpile.api import DEFAULT_SEED
from stockpile.cli.common import (
    EXIT_FAILED,
    csv_style_option,
    force_option,
    main,
    os_error_code,
    os_error_line,
    out_option,
    quiet_option,
    seed_option,
    set_option,
    styled,
)
from stockpile.experiment import salib_design  # noqa: F401  (registers sobol, morris)
from stockpile.experiment.batch import expand, plan_batch, run_batch
from stockpile.experiment.designs import Design, build, request_from_options
from stockpile.experiment.output import default_out
from stockpile.experiment.plan import SweepPlan
from stockpile.experiment.runners import available_cores
from stockpile.experiment.sweep import (
    TIMESERIES,
    SweepInterrupted,
    SweepOptions,
    SweepResult,
    run_sweep,
)

EXIT_INTERRUPTED = 130  # the shell's code for a process stopped by Ctrl-C (128 + SIGINT)
F = TypeVar("F", bound=Callable[..., Any])

SWEEP_OPTIONS = [
    click.option("--runs", type=click.IntRange(min=1), default=100, show_default=True,
                 help="Replications per design point (the most, with --until-ci)."),
    seed_option,
    click.option("--grid", "grid", multiple=True, metavar="KEY=V1,V2,...",
                 help="A lever and its values; repeat to cross several (full grid)."),
    click.option("--lhs", "lhs", multiple=True, metavar="KEY=LOW:HIGH",
                 help="A lever's range for a Latin hypercube design; repeatable."),
    click.option("--samples", type=click.IntRange(min=1), default=None, metavar="K",
                 help="Latin hypercube points (with --lhs); SALib base samples with "
                      "--design sobol (K×(levers+2) points) or morris (K trajectories)."),
    click.option("--design", "design", type=click.Choice(["lhs", "sobol", "morris"]),
                 default="lhs", show_default=True,
                 help="Design over the ranges: Latin hypercube, or SALib Sobol/Morris for "
                      "sensitivity indices in `stockpile report`."),
    click.option("--param", "param", multiple=True, metavar="KEY=LOW:HIGH",
                 help="A lever's range for --design (like --lhs); repeatable."),
    click.option("--until-ci", "until_ci", type=click.FloatRange(0, 1, min_open=True,
                                                                 max_open=True),
                 default=None, metavar="WIDTH",
                 help="Add runs in batches until every deadline's 95% interval is narrower "
                      "than WIDTH (or --runs is reached)."),
    click.option("--jobs", type=click.IntRange(min=1), default=None, metavar="N",
                 help="Local worker processes (default: every core)."),
    click.option("--scheduler", default=None, metavar="ADDRESS",
                 help="Run on a Dask cluster, e.g. tcp://10.0.0.5:8786 (instead of --jobs)."),
    click.option("--resume", is_flag=True,
                 help="Continue an interrupted sweep in --out (same scenario and options)."),
    force_option,
    out_option,
    set_option,
    click.option("--timeseries", type=click.Choice(TIMESERIES), default="summary",
                 show_default=True,
                 help="Per-month output: none; summary (quantiles across runs: fan.csv, "
                      "timeseries_summary.csv, ...); full (also every run's timeseries.csv, "
                      "written as timeseries.parquet instead when it would pass a "
                      "spreadsheet's 1,048,576 rows, about 250 runs of the baseline: read it "
                      "with pandas.read_parquet)."),
    csv_style_option,
    quiet_option,
]


def sweep_options(func: F) -> F:
    for option in reversed(SWEEP_OPTIONS):
        func = option(func)
    return func


def _options(params: dict[str, Any]) -> tuple[SweepOptions, Design]:
    params["overrides"] = styled(params["overrides"], params.pop("csv_style"))
    if params["resume"] and params["force"]:
        raise click.UsageError("--resume continues a folder and --force replaces it: "
                               "give one of them")
    seed = DEFAULT_SEED if params["seed"] is None else params["seed"]
    ranges = [*params["lhs"], *params["param"]]
    design = build(request_from_options(params["grid"], ranges, params["samples"], seed,
                                        params["design"]))
    options = SweepOptions(params["runs"], seed, params["until_ci"], params["jobs"],
                           params["scheduler"], params["timeseries"], params["resume"],
                           params["force"], progress=not params["quiet"])
    options.check()
    return options, design


def _announce(plan: SweepPlan, options: SweepOptions, out: Path) -> None:
    where = (f"Dask cluster {options.scheduler}" if options.scheduler else
             f"{options.jobs or available_cores()} process(es)")
    runs = f"up to {options.runs}" if options.until_ci else str(options.runs)
    click.echo(f"{plan.name}: {len(plan)} point(s) × {runs} runs, seed {options.seed}, "
               f"{where} -> {out}")


def _report(result: SweepResult, quiet: bool) -> None:
    """The summary table always; timing and folder unless --quiet; failures on stderr."""
    if result.already_complete:
        click.echo(f"{result.out}: already complete; nothing to do")
    click.echo(summary_text(result.summary))
    if result.seconds and not quiet:
        rate = (result.runs + result.failed) / result.seconds
        click.echo(f"{result.runs + result.failed} runs in {result.seconds:.1f} s "
                   f"({rate:.1f} runs/s); results: {result.out}")
    if result.failed:
        click.echo(f"{result.failed} of {result.runs + result.failed} runs failed (see "
                   f"{result.out / 'failures.csv'}); rerun one alone: {result.rerun}", err=True)


def _resume_command(ctx: click.Context) -> str:
    """The command as given, with --resume (and without --force)."""
    words = ["stockpile", ctx.info_name or "sweep"]
    params = sorted(ctx.command.params, key=lambda p: not isinstance(p, click.Argument))
    for param in params:
        value = ctx.params.get(param.name or "")
        if isinstance(param, click.Argument):
            words += [str(v) for v in (value if isinstance(value, tuple | list) else [value])]
        elif param.name in {"force", "resume"} or value in (None, False, (), []) \
                or value == param.default:
            continue
        elif getattr(param, "is_flag", False):
            words.append(param.opts[0])
        else:
            for item in value if isinstance(value, tuple | list) else [value]:
                words += [param.opts[0], str(item)]
    return shlex.join([*words, "--resume"])


@contextmanager
def _interruptible() -> Iterator[None]:
    """Ctrl-C or a full disk: one line saying what was kept and how to continue; no traceback.

    Exit 130 on Ctrl-C; on a file system error, 2 if the folder cannot be written at all,
    else 1.
    """
    try:
        yield
    except (SweepInterrupted, KeyboardInterrupt) as exc:
        kept = f"{exc}; " if isinstance(exc, SweepInterrupted) else "interrupted; "
        click.echo(f"\n{kept}continue with: {_resume_command(click.get_current_context())}",
                   err=True)
        raise click.exceptions.Exit(EXIT_INTERRUPTED) from None
    except OSError as exc:
        if os.environ.get("STOCKPILE_DEBUG") == "1":
            raise
        click.echo(f"{os_error_line(exc)}; finished runs are kept: continue with: "
                   f"{_resume_command(click.get_current_context())}", err=True)
        raise click.exceptions.Exit(os_error_code(exc)) from None


@main.command()
@click.argument("config", type=click.Path(path_type=Path))
@sweep_options
def sweep(config: Path, **params: Any) -> None:
    """Monte Carlo sweep of CONFIG: --runs replications at every design point.

    Writes runs.csv, summary.csv, points.csv, failures.csv and per-month summaries to
    --out (default results/<name>-sweep). Exit 0 ok, 1 some runs failed, 2 bad input,
    130 interrupted (continue with --resume).
    """
    options, design = _options(params)
    with _interruptible():
        plan = SweepPlan.build(config, design, params["overrides"])
        out = params["out"] or default_out("sweep", plan.base)
        if not params["quiet"]:
            _announce(plan, options, out)
        result = run_sweep(plan, out, options)
    _report(result, params["quiet"])
    if result.failed:
        raise click.exceptions.Exit(EXIT_FAILED)


@main.command()
@click.argument("configs", nargs=-1, required=True, metavar="CONFIG...")
@sweep_options
def batch(configs: tuple[str, ...], **params: Any) -> None:
    """Sweep each CONFIG (or glob) in turn into OUT/<name>, plus OUT/batch_summary.csv.

    Takes the options of ``sweep``; --out defaults to results/batch. Every file is
    checked before the first run.
    """
    options, design = _options(params)
    plans = plan_batch(expand(configs), design, params["overrides"])
    out = params["out"] or Path("results") / "batch"
    failed = 0

    def report(result: SweepResult) -> None:
        nonlocal failed
        failed += result.failed
        _report(result, params["quiet"])

    def announce(plan: SweepPlan, folder: Path) -> None:
        if not params["quiet"]:
            _announce(plan, options, folder)

    with _interruptible():
        combined = run_batch(plans, out, options, announce, report)
    click.echo(batch_text(combined))
    click.echo(f"batch summary: {out / 'batch_summary.csv'}")
    if failed:
        raise click.exceptions.Exit(EXIT_FAILED)
