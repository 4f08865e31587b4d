"""The ``stockpile`` command line: one thin module per verb, all on the ``main`` group."""

from stockpile.cli import compare, goalseek, report, run, sweep, validate  # noqa: F401
from stockpile.cli.common import main

__all__ = ["main"]
