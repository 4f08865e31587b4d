"""``stockpile report``: plots, a written report and a workbook from a finished results folder."""

from __future__ import annotations

from pathlib import Path

import click

from stockpile.analysis.report import make_report
from stockpile.cli.common import csv_style_option, force_option, main, quiet_option


@main.command()
@click.argument("results_dir", metavar="RESULTS_DIR",
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--point", type=click.IntRange(min=0), default=None, metavar="N",
              help="Design point the country, constraint and line sections describe "
                   "(default: the first).")
@click.option("--deadline", type=int, default=None, metavar="YEAR",
              help="Deadline the report dwells on (default: the first with a p_met "
                   "between 5% and 95%).")
@force_option
@csv_style_option
@quiet_option
def report(results_dir: Path, point: int | None, deadline: int | None, force: bool,
           csv_style: str | None, quiet: bool) -> None:
    """Write RESULTS_DIR/report/: report.md and report.html (the answer, a one-page summary
    and the findings, with plots), appendix.md and appendix.html (sources, assumptions,
    provenance), results.xlsx (every table, a README sheet per column), sensitivity.csv
    (and sensitivity_noise.csv where SALib indices are within sampling noise),
    discovery.csv and facts.csv (where each quoted figure comes from). CSVs are spelled as
    the folder's (output.csv_style) unless --csv-style says otherwise."""
    out = make_report(results_dir, force=force, point=point, deadline=deadline,
                      csv_style=csv_style)
    if not quiet:
        for line in headline(out):
            click.echo(line)
    click.echo(f"report: {out}")


def headline(out: Path, limit: int = 6) -> list[str]:
    """The report's headline and first findings, for the terminal."""
    text = (out / "report.md").read_text(encoding="utf-8")
    top = [text.split("\n", 1)[0].removeprefix("# ")] if text.startswith("# ") else []
    section = text.split("## What the numbers say", 1)[-1].split("\n## ", 1)[0]
    said = [p for p in section.split("\n\n") if p.strip() and not p.startswith(("!", "*", "|"))]
    return top + said[:limit]
