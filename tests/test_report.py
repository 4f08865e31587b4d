"""``stockpile report``: files, images, figures traced to CSVs, the workbook, folder kinds."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from PIL import Image

from stockpile.analysis.report import make_report
from stockpile.analysis.report.narrative import verify
from stockpile.analysis.report.workbook import is_month_column
from stockpile.analysis.results import read_table
from stockpile.cli import main
from stockpile.experiment.output import write_csv
from stockpile.experiment.single import run_once
from stockpile.scenario import load_scenario
from tests.report_fixtures import DEADLINES, DOMINANT, NOISE, write_sweep

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
NUMBER = re.compile(r"\d[\d,.]*\d|\d")
#: fixed wording that names a statistic rather than quoting a result
DEFINITIONS = ("95% interval", "90% of runs", "fastest 5%", "--point N")

PROVENANCE_CSV = {
    "countries.csv": "country,gdp_usd_bn,defence_share_start,source,confidence\n"
                     "AAA,100,0.02,IMF WEO 2025,high\n",
    "systems.csv": "system,combat_load,source,confidence\n"
                   "sam,10,assumption: a load of 10 as in the press. More text,"
                   "assumption; load medium\n",
}


@pytest.fixture(scope="module")
def sweep_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A planted sweep folder and its report, made once for the tests that only read it."""
    folder = write_sweep(tmp_path_factory.mktemp("sweep") / "planted-sweep")
    make_report(folder)
    return folder


def test_report_writes_every_file(sweep_report: Path) -> None:
    report = sweep_report / "report"
    for name in ("report.md", "report.html", "results.xlsx", "facts.csv", "sensitivity.csv",
                 "discovery.csv"):
        assert (report / name).is_file(), name
    assert {p.name for p in (report / "plots").glob("*.png")} == {
        "p_met.png", "fan.png", "countries.png", "binding.png", "lines.png", "tornado.png",
        "magazine.png"}
    # no staging folder left behind; only the (unlocked) lock file stays
    assert [p.name for p in sweep_report.glob(".report*")] == [".report.lock"]


def test_plots_are_readable_png_images(sweep_report: Path) -> None:
    for path in (sweep_report / "report" / "plots").glob("*.png"):
        assert path.read_bytes()[:8] == PNG_MAGIC, path.name
        with Image.open(path) as image:
            image.verify()
        with Image.open(path) as image:
            width, height = image.size
        assert width >= 600 and height >= 300, (path.name, image.size)


def test_every_quoted_figure_is_in_a_csv(sweep_report: Path) -> None:
    assert verify(sweep_report) == []
    facts = read_table(sweep_report / "report" / "facts.csv")
    markdown = (sweep_report / "report" / "report.md").read_text(encoding="utf-8")
    assert len(facts) > 20
    for text, cited in facts.groupby("text", sort=False):
        assert text in markdown
        allowed = " ".join([*cited["shown"].astype(str), *cited["where"].astype(str)])
        for phrase in DEFINITIONS:
            text = text.replace(phrase, "")
        for number in NUMBER.findall(text):
            assert number in allowed, f"{number!r} in {text!r} is not a cited figure"


def test_the_tornado_leaves_out_inputs_within_noise(sweep_report: Path) -> None:
    """The planted noise input stays in sensitivity.csv, flagged, and out of the chart."""
    table = pd.read_csv(sweep_report / "report" / "sensitivity.csv")
    flags = table[(table["outcome"] == "ratio")].groupby("input")["beyond_noise"].max()
    assert flags[NOISE] == 0 and flags[DOMINANT] == 1
    markdown = (sweep_report / "report" / "report.md").read_text(encoding="utf-8")
    assert re.search(r"inputs? whose effect is within sampling noise left out", markdown)


def test_headline_sentence_quotes_summary(sweep_report: Path) -> None:
    summary = pd.read_csv(sweep_report / "summary.csv")
    row = summary[(summary["point"] == 0) & (summary["deadline"] == DEADLINES[-1])].iloc[0]
    markdown = (sweep_report / "report" / "report.md").read_text(encoding="utf-8")
    expected = (f"By the end of {DEADLINES[-1]} the goal is met in {row.p_met:.0%} of "
                f"{row.runs} runs (95% interval {row.ci_low:.0%} to {row.ci_high:.0%})")
    assert expected in markdown


def test_workbook_numbers_and_dates_equal_the_csvs(sweep_report: Path) -> None:
    book = openpyxl.load_workbook(sweep_report / "report" / "results.xlsx")
    for name in ("summary", "runs", "fan"):
        csv = read_table(sweep_report / f"{name}.csv")
        sheet = book[name]
        header = [c.value for c in sheet[1]]
        assert header == list(csv.columns)
        for row, values in zip(sheet.iter_rows(min_row=2, values_only=True),
                               csv.itertuples(index=False), strict=True):
            for column, cell, value in zip(header, row, values, strict=True):
                _assert_cell(column, cell, value)
    date_cell = book["fan"]["B2"]
    assert date_cell.is_date and date_cell.number_format == "yyyy-mm"


def _assert_cell(column: str, cell: object, value: object) -> None:
    if column == "seed":  # text: all 19 digits
        assert cell == str(value), column
    elif is_month_column(column):
        shown = cell.strftime("%Y-%m") if hasattr(cell, "strftime") else (cell or "")
        assert shown == (value or ""), column
    elif isinstance(value, str):
        assert cell == value, column
    elif pd.isna(value):
        assert cell is None, column
    else:
        assert isinstance(cell, int | float) and not isinstance(cell, bool), (column, cell)
        assert cell == pytest.approx(int(value) if isinstance(value, bool) else value), column


def test_readme_sheet_defines_every_column(sweep_report: Path) -> None:
    readme = pd.read_excel(sweep_report / "report" / "results.xlsx", sheet_name="README")
    assert not readme["meaning"].isna().any()
    unknown = readme[readme["meaning"].str.startswith("see the CSV")]
    assert unknown.empty, unknown
    summary_rows = readme[readme["sheet"] == "summary"].set_index("column")["meaning"]
    assert "Wilson" in summary_rows["ci_low"]


def test_html_embeds_every_plot(sweep_report: Path) -> None:
    html = (sweep_report / "report" / "report.html").read_text(encoding="utf-8")
    assert html.count("data:image/png;base64,") == 7
    assert "<h2>What the numbers say</h2>" in html


def test_existing_report_is_kept_without_force(tmp_path: Path) -> None:
    folder = write_sweep(tmp_path / "sweep", runs=12)
    runner = CliRunner()
    assert runner.invoke(main, ["report", str(folder), "--quiet"]).exit_code == 0
    (folder / "report" / "mine.txt").write_text("keep", encoding="utf-8")
    refused = runner.invoke(main, ["report", str(folder)])
    assert refused.exit_code == 2
    assert "--force" in refused.output
    assert (folder / "report" / "mine.txt").exists()
    forced = runner.invoke(main, ["report", str(folder), "--force", "--deadline", "2030"])
    assert forced.exit_code == 0, forced.output
    assert not (folder / "report" / "mine.txt").exists()
    bad = runner.invoke(main, ["report", str(folder), "--force", "--point", "7"])
    assert bad.exit_code == 2 and "--point: 7: no such point" in bad.output
    empty = runner.invoke(main, ["report", str(tmp_path)])
    assert empty.exit_code == 2 and "not a results folder" in empty.output


def test_report_of_a_single_run_derives_its_summaries(tiny_scenario: Path,
                                                      tmp_path: Path) -> None:
    folder = tmp_path / "tiny-run"
    run_once(load_scenario(tiny_scenario), folder, seed=3)
    make_report(folder)
    tables = folder / "report" / "tables"
    for name in ("summary", "fan", "timeseries_summary", "constraints_summary",
                 "production_summary"):
        assert (tables / f"{name}.csv").is_file(), name
    assert verify(folder) == []
    markdown = (folder / "report" / "report.md").read_text(encoding="utf-8")
    assert "this run" in markdown
    assert not (folder / "report" / "plots" / "p_met.png").exists()  # one run: no odds


def test_report_says_how_much_money_is_idle_and_why(tiny_scenario: Path,
                                                     tmp_path: Path) -> None:
    """Under own_baseline every country stops at its own multiple: the report gives the
    idle money per deadline with 'target cap reached' as a reason, each figure in facts."""
    folder = tmp_path / "capped-run"
    scenario = load_scenario(tiny_scenario, overrides=["procurement.target=own_baseline"])
    run_once(scenario, folder, seed=3, deterministic=True)
    make_report(folder)
    runs = pd.read_csv(folder / "runs.csv")
    assert (runs["idle_cap_reached_eur_m"] > 0).any()
    markdown = (folder / "report" / "report.md").read_text(encoding="utf-8")
    section = markdown.split("## Money left idle, and why")[1].split("\n## ")[0]
    assert "target cap reached" in section
    idle = pd.read_csv(folder / "report" / "tables" / "idle_money.csv")
    last = idle.iloc[-1]
    assert last["idle_eur_m"] == pytest.approx(last[["idle_no_plan_eur_m",
                                                     "idle_cap_reached_eur_m",
                                                     "idle_too_little_eur_m",
                                                     "idle_since_decision_eur_m",
                                                     "lapsed_eur_m"]].sum(), abs=0.01)
    facts = pd.read_csv(folder / "report" / "facts.csv")
    assert "idle_cap_reached_eur_m" in set(facts["column"])


def test_report_of_a_batch_compares_its_scenarios(tmp_path: Path) -> None:
    batch = tmp_path / "batch"
    frames = []
    for name, levers in (("low", (0.1,)), ("high", (0.12,))):
        write_sweep(batch / name, runs=16, levers=levers)
        summary = pd.read_csv(batch / name / "summary.csv")
        frames.append(summary.assign(name=name, config=f"{name}.yaml"))
    combined = pd.concat(frames)
    write_csv(combined[["config", "name", *frames[0].columns[:-2]]], batch / "batch_summary.csv")
    make_report(batch)
    report = batch / "report"
    assert (report / "low" / "report.md").is_file() and (report / "high" / "report.html").is_file()
    assert verify(batch) == []
    assert "Chance of meeting the goal by the end of 2030: low" in (
        report / "report.md").read_text(encoding="utf-8")
    assert {"batch_summary", "low summary", "high summary"} <= set(
        openpyxl.load_workbook(report / "results.xlsx").sheetnames)


def test_sources_and_assumptions_come_from_the_scenario_tables(tmp_path: Path,
                                                               tiny_data: dict) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    for name, text in PROVENANCE_CSV.items():
        (data_dir / name).write_text(text, encoding="utf-8")
    tiny_data["countries"] = "data/countries.csv"
    tiny_data["systems"] = "data/systems.csv"
    config = tmp_path / "sourced.yaml"
    config.write_text(json.dumps(tiny_data), encoding="utf-8")
    folder = write_sweep(tmp_path / "sweep", runs=12, scenario_file=str(config))
    make_report(folder)
    markdown = (folder / "report" / "appendix.md").read_text(encoding="utf-8")
    assert "Rows resting on assumptions" not in (folder / "report" / "report.md").read_text(
        encoding="utf-8")
    assumptions = markdown.split("### Rows resting on assumptions", 1)[1].split("###", 1)[0]
    assert "1 of 2 table rows" in assumptions
    assert ("| systems | sam | assumption; load medium | a load of 10 as in the press |"
            in assumptions)
    assert "IMF WEO 2025" in markdown
    assert "economy.defence_inflation): uniform(loc=0.02, scale=0.03)" in markdown


def test_report_command_in_a_subprocess(tmp_path: Path) -> None:
    folder = write_sweep(tmp_path / "sweep", runs=12)
    done = subprocess.run([sys.executable, "-m", "stockpile", "report", str(folder)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "By the end of 2030 the goal is met in" in done.stdout
    assert (folder / "report" / "results.xlsx").is_file()


def test_report_of_a_real_salib_sweep(tiny_scenario: Path, tmp_path: Path) -> None:
    """End to end: `stockpile sweep --design sobol`, then `stockpile report` runs SALib."""
    out = tmp_path / "sobol"
    runner = CliRunner()
    swept = runner.invoke(main, [
        "sweep", str(tiny_scenario), "--design", "sobol", "--param",
        "country_defaults.gbad_share=0.02:0.2", "--param",
        "lines.int_line.capacity_per_month=5:20", "--samples", "4", "--runs", "2",
        "--jobs", "1", "--out", str(out), "--quiet"])
    assert swept.exit_code == 0, swept.output
    design = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["design"]
    assert design["kind"] == "sobol" and len(design["spec"]["problem"]["names"]) == 2
    reported = runner.invoke(main, ["report", str(out), "--quiet"])
    assert reported.exit_code == 0, reported.output
    table = pd.read_csv(out / "report" / "sensitivity.csv")
    assert {"sobol ST", "sobol S1"} <= set(table["method"])
    assert set(table["beyond_noise"].dropna()) <= {0, 1}
    markdown = (out / "report" / "report.md").read_text(encoding="utf-8")
    noise = pd.read_csv(out / "report" / "sensitivity_noise.csv")  # 4 base samples: too few
    assert len(noise) and (noise["samples"] == 4).all() and (noise["samples_needed"] > 4).all()
    assert len(re.findall(r"Warning: the Sobol indices of .* are within sampling noise",
                          markdown)) == len(noise)
    assert verify(out) == []
