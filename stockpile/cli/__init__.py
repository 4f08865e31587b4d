"""The ``stockpile`` command line: one thin module per verb, all on the ``main`` group."""

from stockpile.cli import compare, run, validate  # noqa: F401  (each module adds its command)
from stockpile.cli.common import main

__all__ = ["main"]
