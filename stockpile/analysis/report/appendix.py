"""The appendix: data sources, assumptions and how the report was made (appendix.md/html).

The main report states the answer; what a reviewer checks before quoting it (every table
row's source, the rows resting on assumptions, the inputs drawn afresh in each run, the
folder's provenance) is kept here, linked from the report.
"""

from __future__ import annotations

from pathlib import Path

from stockpile.analysis.report.document import Document, write_document
from stockpile.analysis.report.labels import input_label
from stockpile.analysis.report.sources import (
    assumptions,
    provenance,
    retirements,
    uncertain_inputs,
)
from stockpile.analysis.results import Results

NAME = "appendix"
LINK = ("Appendix: data sources, assumptions and how this report was made (appendix.html)",
        "appendix.html")


def write_appendix(results: Results, stage: Path, title: str) -> None:
    """appendix.md and appendix.html beside the report."""
    doc = Document()
    heading = f"{title}: appendix"
    doc.heading(heading, 1)
    doc.links([("Back to the report (report.html)", "report.html")])
    sources_section(doc, results)
    about_section(doc, results)
    write_document(doc, stage, heading, NAME)


def sources_section(doc: Document, results: Results) -> None:
    """Uncertain inputs, rows marked as assumptions, and every table row's source."""
    doc.heading("Data sources and assumptions")
    scenario = results.manifest.get("scenario") or {}
    uncertain = uncertain_inputs(scenario)
    if uncertain:
        doc.para("Inputs drawn afresh in every run (scipy.stats distributions):")
        doc.bullets([f"{input_label(path)} ({path}): {dist}" for path, dist in uncertain])
    retiring = retirements(scenario)
    if len(retiring):
        doc.para("Legacy fire units retire during the horizon, which lowers capability on "
                 "those dates; the baseline counts them, so the target is a multiple of what "
                 "was there at the start, not of what remains:")
        doc.table(retiring)
    rows, note = provenance(results.manifest, results.folder)
    doc.para(f"Sources of the table rows: {note}.")
    if not len(rows):
        return
    marked = assumptions(rows)
    doc.heading("Rows resting on assumptions", 3)
    doc.para(f"{len(marked)} of {len(rows)} table rows are marked 'assumption' in their "
             "confidence column: their figures have no public source and are the analyst's "
             "judgement.")
    doc.table(marked[["table", "key", "confidence", "assumed"]])
    doc.heading("All sources", 3)
    doc.table(rows[["table", "key", "confidence", "source"]])


def about_section(doc: Document, results: Results) -> None:
    """Where the folder came from, enough to reproduce it."""
    manifest = results.manifest
    doc.heading("About this report")
    design = manifest.get("design")
    items = [f"Results folder: {results.folder} ({results.kind})",
             f"Scenario: {results.name} ({manifest.get('scenario_file', 'unknown file')}, "
             f"hash {str(manifest.get('scenario_hash', ''))[:12]})",
             f"Command: {manifest.get('command', 'unknown')}",
             f"Root seed: {manifest.get('seed', 'unknown')}; runs per point: "
             f"{manifest.get('runs', 'unknown')}"
             + ("; deterministic (central values, no random events)"
                if manifest.get("deterministic") else ""),
             f"Design: {_design_words(design)}",
             f"Made: {manifest.get('started', '?')} to {manifest.get('finished', '?')}",
             "Files: report.md and report.html (the findings), appendix.md and appendix.html "
             "(this appendix), results.xlsx (every table, with a README sheet defining each "
             "column), plots/*.png, facts.csv (the source cell of every quoted figure), "
             "sensitivity.csv and discovery.csv where the folder has sampled inputs "
             "(sensitivity_noise.csv where SALib indices are within sampling noise), "
             "tables/*.csv (the report's own tables)."]
    versions = manifest.get("versions") or {}
    if versions:
        items.append("Versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    doc.bullets(items)


def _design_words(design: object) -> str:
    if not isinstance(design, dict):
        return str(design or "unknown")
    shown = {k: v for k, v in design.items() if k != "problem"}
    return ", ".join(f"{k}={v}" for k, v in shown.items()) or "single point"
