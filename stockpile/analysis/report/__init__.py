"""The report: a results folder's findings in words, charts, a workbook and an appendix.

Statistics live one level up (``stockpile.analysis``: summaries, sensitivity, discovery,
goal-seek, validation, magazine); this package only turns their tables into documents, and
nothing up there imports from here. ``make_report`` is the one entry point (``stockpile
report``); it is imported lazily so that ``stockpile.analysis.report.labels`` and friends
load without matplotlib.
"""

from __future__ import annotations

from pathlib import Path


def make_report(folder: str | Path, force: bool = False, point: int | None = None,
                deadline: int | None = None, csv_style: str | None = None) -> Path:
    """Write FOLDER/report/ for a run, sweep, batch or compare folder; return its path."""
    from stockpile.analysis.report.make import make_report as make

    return make(folder, force=force, point=point, deadline=deadline, csv_style=csv_style)


__all__ = ["make_report"]
