"""What every ``stockpile`` command shares: the group, error reporting, common options.

Every command of the ``main`` group is a ``StockpileCommand``, so they all handle errors the
same way: bad input (a ``ScenarioError``) prints one ``FILE: key.path: message`` line per
problem and exits 2; anything unexpected prints one ``stockpile: error: ...`` line and exits 1
(set ``STOCKPILE_DEBUG=1`` for the traceback). A file system error (a full disk, a read-only
folder) prints one line naming the path: exit 2 when the place cannot be written at all
(permissions, read-only), 1 otherwise. Options shared by several verbs are the
decorators below, so every verb spells them the same way.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from stockpile import __version__
from stockpile.experiment.csvstyle import STYLES
from stockpile.experiment.output import FolderExists
from stockpile.scenario import ScenarioError

EXIT_OK = 0
EXIT_FAILED = 1  # a run or sweep failed
EXIT_BAD_INPUT = 2  # a scenario, table or option is wrong

F = TypeVar("F", bound=Callable[..., Any])


@contextmanager
def reported_errors() -> Iterator[None]:
    """Turn exceptions into the one-line messages and exit codes users and scripts rely on."""
    try:
        yield
    except ScenarioError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise click.exceptions.Exit(EXIT_BAD_INPUT) from None
    except FolderExists as exc:
        click.echo(str(exc), err=True)
        raise click.exceptions.Exit(EXIT_BAD_INPUT) from None
    except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
        raise
    except OSError as exc:
        if os.environ.get("STOCKPILE_DEBUG") == "1":
            raise
        click.echo(os_error_line(exc), err=True)
        raise click.exceptions.Exit(os_error_code(exc)) from None
    except Exception as exc:
        if os.environ.get("STOCKPILE_DEBUG") == "1":
            raise
        click.echo(f"stockpile: error: {_one_line(exc)} (STOCKPILE_DEBUG=1 shows the traceback)",
                   err=True)
        raise click.exceptions.Exit(EXIT_FAILED) from None


#: errors that say the place cannot be written at all: the user must pick another --out
REFUSED = {errno.EACCES, errno.EPERM, errno.EROFS}


def os_error_line(exc: OSError) -> str:
    """``stockpile: error: PATH: No space left on device``: what failed, and where."""
    where = f"{exc.filename}: " if exc.filename else ""
    return f"stockpile: error: {where}{exc.strerror or _one_line(exc)}"


def os_error_code(exc: OSError) -> int:
    return EXIT_BAD_INPUT if exc.errno in REFUSED else EXIT_FAILED


def _one_line(exc: BaseException) -> str:
    """An exception as one line, so that logs and scripts can grep it."""
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class StockpileCommand(click.Command):
    """A command whose errors are reported by ``reported_errors``."""

    def invoke(self, ctx: click.Context) -> Any:
        with reported_errors():
            return super().invoke(ctx)


class StockpileGroup(click.Group):
    """The ``stockpile`` group: its commands are ``StockpileCommand`` unless told otherwise."""

    command_class = StockpileCommand


def set_option(func: F) -> F:
    """``--set KEY=VALUE``, repeatable; the command receives ``overrides`` as a list."""
    return click.option(
        "--set", "overrides", multiple=True, metavar="KEY=VALUE",
        callback=lambda _ctx, _param, value: list(value),
        help="Override a config key by its dotted path, e.g. countries.DEU.gbad_share=0.12 "
             "(the value is read as YAML). Repeatable.")(func)


def out_option(func: F) -> F:
    """``--out DIR``: where a command writes its results (the command picks the default)."""
    return click.option(
        "--out", "out", type=click.Path(file_okay=False, path_type=Path), default=None,
        metavar="DIR", help="Results folder (default: under results/).")(func)


def seed_option(func: F) -> F:
    """``--seed INT``: the root seed every run's streams are spawned from."""
    return click.option(
        "--seed", "seed", type=click.IntRange(min=0), default=None, metavar="INT",
        help="Root random seed (a whole number, zero or more).")(func)


def csv_style_option(func: F) -> F:
    """``--csv-style``: how CSVs are spelled; sets ``output.csv_style`` (see ``styled``)."""
    return click.option(
        "--csv-style", "csv_style", type=click.Choice(list(STYLES)), default=None,
        help="CSV spelling: standard (comma, dot decimal) or excel-eu (semicolon, decimal "
             "comma, byte-order mark) for continental-European spreadsheets. Sets the "
             "config key output.csv_style.")(func)


def styled(overrides: list[str] | tuple[str, ...], csv_style: str | None) -> list[str]:
    """``--csv-style`` as the ``--set`` it stands for, so the manifest records it."""
    return [*overrides, *([f"output.csv_style={csv_style}"] if csv_style else [])]


def quiet_option(func: F) -> F:
    """``--quiet``: only errors and the final verdict, for scripts and logs."""
    return click.option("--quiet", "quiet", is_flag=True,
                        help="Print only problems and final results.")(func)


def force_option(func: F) -> F:
    """``--force``: results folders are never overwritten without it."""
    return click.option("--force", "force", is_flag=True,
                        help="Overwrite an existing results folder.")(func)


@click.group(cls=StockpileGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="stockpile")
def main() -> None:
    """Can European NATO expand ground-based air defence fivefold, and by when?"""
