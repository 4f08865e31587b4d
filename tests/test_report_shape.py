"""The report's shape: the answer first, a one-page summary, findings, and an appendix.

A minister's aide reads report.md in five minutes: a headline with numbers, at most 400
words of summary with one chart, the findings, under 2,500 words in all; sources and
assumptions are one link away in appendix.md.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from stockpile.analysis.report import make_report
from stockpile.analysis.report.headline import goal_words, words
from stockpile.analysis.report.names import Names, short
from stockpile.analysis.report.narrative import verify
from stockpile.analysis.results import read_table
from stockpile.analysis.summary import summarise
from stockpile.experiment.output import write_csv
from tests.report_fixtures import DEADLINES, write_sweep

NAMED = {"systems": {"sam": {"name": "Skyguard SAM (upper tier, 2030 build)",
                             "capability_weight": 1.0},
                     "gun": {"name": "Flak gun", "capability_weight": 0.5}},
         "products": {"sam_missile": {"name": "Skyguard missile (block 2)"}},
         "lines": {"sam_line": {"product": "sam_missile", "manufacturer": "Acme (Group)"},
                   "motor_line": {"name": "Rocket motor works"}},
         "countries": {"AAA": {"european": True, "name": "Aland"},
                       "BBB": {"european": True, "name": "Borduria"}}}


def _named(folder: Path) -> Path:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["scenario"].update(NAMED)
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def named_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = _named(write_sweep(tmp_path_factory.mktemp("shape") / "planted-sweep"))
    make_report(folder)
    return folder / "report"


def _sections(markdown: str) -> dict[str, str]:
    parts = re.split(r"^## ", markdown, flags=re.M)
    return {p.split("\n", 1)[0]: p.split("\n", 1)[1] if "\n" in p else "" for p in parts[1:]}


def _prose(markdown: str) -> str:
    """The text a reader reads: no table rows, no image links."""
    return "\n".join(line for line in markdown.splitlines()
                     if not line.startswith(("|", "![")))


def test_headline_comes_first_and_states_the_answer_in_numbers(named_report: Path) -> None:
    markdown = (named_report / "report.md").read_text(encoding="utf-8")
    first = markdown.splitlines()[0]
    summary = pd.read_csv(named_report.parent / "summary.csv")
    row = summary[(summary["point"] == 0) & (summary["deadline"] == DEADLINES[-1])].iloc[0]
    assert first.startswith(f"# Fivefold reached by {DEADLINES[-1]} in {row.p_met:.0%} of "
                            f"{row.runs} runs; median {row.ratio_p50:.1f}×")
    facts = read_table(named_report / "facts.csv")
    assert facts["text"].iloc[0] == first.removeprefix("# ")  # every figure in it is cited
    assert verify(named_report.parent) == []
    html = (named_report / "report.html").read_text(encoding="utf-8")
    assert re.search(r"<body><h1>Fivefold reached by", html.replace("\n", ""))


def test_summary_fits_on_a_page_with_one_chart(named_report: Path) -> None:
    markdown = (named_report / "report.md").read_text(encoding="utf-8")
    sections = _sections(markdown)
    names = list(sections)
    assert names[0].startswith("In short") and names[1] == "What the numbers say"
    page = sections[names[0]]
    assert words(page) <= 400
    assert page.count("![") == 1
    assert "### What holds Europe back" in page and "### What would change the answer" in page
    moved = "In an average month, the share of countries held back"
    assert moved in page and markdown.count(moved) == 1  # moved from the findings, not repeated


def test_main_report_is_short_and_the_appendix_holds_the_sources(named_report: Path) -> None:
    markdown = (named_report / "report.md").read_text(encoding="utf-8")
    assert words(markdown) < 2500
    assert "Data sources and assumptions" not in markdown and "About this report" not in markdown
    assert "(appendix.md)" in markdown
    assert "href='appendix.html'" in (named_report / "report.html").read_text(encoding="utf-8")
    appendix = (named_report / "appendix.md").read_text(encoding="utf-8")
    for heading in ("## Data sources and assumptions", "## About this report"):
        assert heading in appendix
    assert "Sources of the table rows:" in appendix and "Root seed: 1" in appendix
    assert (named_report / "appendix.html").read_text(encoding="utf-8").startswith("<!DOCTYPE")


def test_every_section_of_the_findings_is_kept(named_report: Path) -> None:
    sections = _sections((named_report / "report.md").read_text(encoding="utf-8"))
    for heading in ("What the numbers say", "Launchers or missiles: the verdict without the "
                    "stock guess", "Depth: days of fire", "Who carries the load",
                    "What holds countries back", "Production lines", "What matters most"):
        assert heading in sections, heading


def test_sentences_and_charts_use_human_names(named_report: Path) -> None:
    prose = _prose((named_report / "report.md").read_text(encoding="utf-8"))
    assert "Skyguard missile (Acme)" in prose
    assert "Aland" in prose
    assert "sam_line" not in prose and "motor_line" not in prose


def test_names_come_from_the_scenario() -> None:
    names = Names.of(NAMED)
    assert names.line("sam_line") == "Skyguard missile (Acme)"
    assert names.line("motor_line") == "Rocket motor works"
    assert names.system("sam") == "Skyguard SAM" and names.system("other") == "other"
    assert names.input("systems.sam.stock_factor") == "stock factor (Skyguard SAM)"
    assert short("CAMM (Land Ceptor)") == "CAMM"
    assert goal_words(5) == "Fivefold" and goal_words(5.5) == "The 5.5× goal"


def test_a_chart_of_all_zero_odds_is_a_sentence(tmp_path: Path) -> None:
    folder = write_sweep(tmp_path / "never", runs=12)
    runs = read_table(folder / "runs.csv").assign(met=False, first_met="")
    write_csv(runs, folder / "runs.csv")
    write_csv(summarise(runs, read_table(folder / "points.csv")), folder / "summary.csv")
    make_report(folder)
    markdown = (folder / "report" / "report.md").read_text(encoding="utf-8")
    assert not (folder / "report" / "plots" / "p_met.png").exists()
    assert "so there is no chart of the odds" in markdown
    assert markdown.startswith(f"# Fivefold not reached by {DEADLINES[-1]} in any of 12 runs")
    assert verify(folder) == []
