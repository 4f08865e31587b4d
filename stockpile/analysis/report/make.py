"""``stockpile report``: the entry point, choosing the report that fits the folder's kind.

Everything is made from the folder's CSVs and manifest, staged beside the folder and renamed
to report/ when complete, so a failure leaves no half-written report.
"""

from __future__ import annotations

from pathlib import Path

from stockpile.analysis.report.batch import build_batch
from stockpile.analysis.report.build import build
from stockpile.analysis.report.compare import build_compare
from stockpile.analysis.report.document import write_document
from stockpile.analysis.report.folder import context
from stockpile.analysis.results import REPORT_DIR, load_results
from stockpile.experiment.csvstyle import folder_style, restyle_folder, style_named
from stockpile.experiment.output import staged_folder


def make_report(folder: str | Path, force: bool = False, point: int | None = None,
                deadline: int | None = None, csv_style: str | None = None) -> Path:
    """Write FOLDER/report/ (or nothing, if anything fails); return its path."""
    folder = Path(folder)
    results = load_results(folder)
    style = style_named(csv_style or folder_style(results.manifest))
    out = folder / REPORT_DIR
    with staged_folder(out, force) as stage:
        if results.kind == "batch":
            doc, title = build_batch(results, stage, point, deadline)
        elif results.kind == "compare" and "compare" in results.tables:
            doc, title = build_compare(results, stage)
        else:
            title = f"{results.name}: can the goal be met?"
            doc = build(context(results, REPORT_DIR, "", point, deadline), stage, title)
        write_document(doc, stage, title)
        restyle_folder(stage, style)
        restyle_folder(stage / "tables", style)
    return out
