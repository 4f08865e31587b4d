"""Spreadsheet-exact values: excel-eu CSVs, seeds, booleans, empty never-dates, BOM, Parquet."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from stockpile.analysis.report import make_report
from stockpile.analysis.results import load_results, read_table
from stockpile.cli import main
from stockpile.experiment import parquet
from stockpile.experiment.output import write_csv
from stockpile.experiment.seeds import run_seed
from tests.report_fixtures import DEADLINES, write_sweep
from tests.sweeps import quick

BOM = "\ufeff".encode()


def _sweep(*args: str) -> None:
    result = CliRunner().invoke(main, ["sweep", *args, "--jobs", "1", "--quiet"])
    assert result.exit_code == 0, result.output


def test_excel_eu_reads_back_with_semicolons_and_decimal_commas(tmp_path: Path) -> None:
    config = str(quick(tmp_path))
    _sweep(config, "--runs", "4", "--seed", "5", "--out", str(tmp_path / "std"))
    _sweep(config, "--runs", "4", "--seed", "5", "--out", str(tmp_path / "eu"),
           "--csv-style", "excel-eu")
    for name in ("runs.csv", "summary.csv", "fan.csv"):
        raw = (tmp_path / "eu" / name).read_bytes()
        assert raw.startswith(BOM) and b";" in raw.split(b"\n", 1)[0]
        eu = pd.read_csv(tmp_path / "eu" / name, sep=";", decimal=",", encoding="utf-8-sig")
        std = pd.read_csv(tmp_path / "std" / name)
        pd.testing.assert_frame_equal(eu, std)
    summary = pd.read_csv(tmp_path / "eu" / "summary.csv", sep=";", decimal=",",
                          encoding="utf-8-sig")
    assert summary["p_met"].dtype == float and summary["p_met"].between(0, 1).all()
    # the folder's readers and its report know the style
    assert load_results(tmp_path / "eu").tables["runs"].equals(
        load_results(tmp_path / "std").tables["runs"])
    report = make_report(tmp_path / "eu")
    assert (report / "facts.csv").read_bytes().startswith(BOM)


def test_a_run_is_reproduced_from_root_seed_and_run_number(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    monkeypatch.chdir(tmp_path)
    config = str(quick(tmp_path))
    _sweep(config, "--runs", "3", "--seed", "11", "--out", "sw")
    runs = pd.read_csv("sw/runs.csv", dtype=str, keep_default_na=False)
    result = CliRunner().invoke(main, ["run", config, "--seed", "11", "--run", "2",
                                       "--out", "one"])
    assert result.exit_code == 0, result.output
    assert f"seed {run_seed(11, 2)}" in result.output
    alone = pd.read_csv("one/runs.csv", dtype=str, keep_default_na=False)
    mine = runs[runs.run == "2"]
    shared = [c for c in alone.columns if c not in {"point", "run"}]
    assert alone[shared].values.tolist() == mine[shared].values.tolist()
    assert set(runs["met"]) <= {"0", "1"}  # booleans are 1/0


def test_workbook_keeps_seeds_exact_and_pivots_by_deadline(tmp_path: Path) -> None:
    folder = write_sweep(tmp_path / "planted-sweep", runs=12)
    make_report(folder)
    book = openpyxl.load_workbook(folder / "report" / "results.xlsx")
    csv = read_table(folder / "runs.csv")
    seeds = [row[2] for row in book["runs"].iter_rows(min_row=2, values_only=True)]
    assert seeds == [str(s) for s in csv["seed"]] and max(map(int, seeds)) > 2**53
    flags = {row[8] for row in book["runs"].iter_rows(min_row=2, values_only=True)}
    assert flags <= {0, 1}
    summary = pd.read_excel(folder / "report" / "results.xlsx", sheet_name="summary")
    dates = summary[[c for c in summary.columns if c.startswith("first_met_p")]]
    assert all(isinstance(v, pd.Timestamp) or pd.isna(v) for v in dates.to_numpy().ravel())
    assert "never_met_share" in summary
    wide = pd.read_excel(folder / "report" / "results.xlsx",
                         sheet_name="capability_by_country")
    assert list(wide.columns) == ["point", "country", *map(str, DEADLINES)]
    contribution = read_table(folder / "report" / "tables" / "contribution.csv")
    at = contribution.set_index(["point", "date", "country"])["value"]
    for row in wide.itertuples(index=False):
        assert row[2] == pytest.approx(at[(row.point, f"{DEADLINES[0]}-12", row.country)])
    readme = pd.read_excel(folder / "report" / "results.xlsx", sheet_name="README")
    assert "1 = yes, 0 = no" in " ".join(readme["meaning"])
    p_met = pd.read_excel(folder / "report" / "results.xlsx", sheet_name="p_met_by_deadline")
    assert list(p_met.columns)[-len(DEADLINES):] == list(map(str, DEADLINES))
    layers = pd.read_excel(folder / "report" / "results.xlsx", sheet_name="ready_by_layer")
    assert list(layers.columns) == ["layer", *map(str, DEADLINES)]
    magazine = read_table(folder / "report" / "magazine.csv")
    europe = magazine[(magazine.country == "Europe") & (magazine.system == "all")]
    for row in layers.itertuples(index=False):
        at = europe[(europe.layer == row.layer) & (europe.date == f"{DEADLINES[0]}-12")]
        assert row[1] == pytest.approx(at["ready_fire_units"].sum())


def test_non_ascii_csvs_get_a_byte_order_mark(tmp_path: Path) -> None:
    write_csv(pd.DataFrame({"text": ["4.3×"]}), tmp_path / "wide.csv")
    write_csv(pd.DataFrame({"text": ["plain"]}), tmp_path / "plain.csv")
    assert (tmp_path / "wide.csv").read_bytes().startswith(BOM)
    assert not (tmp_path / "plain.csv").read_bytes().startswith(BOM)
    assert pd.read_csv(tmp_path / "wide.csv", encoding="utf-8-sig")["text"][0] == "4.3×"


def test_timeseries_past_a_sheet_is_parquet(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parquet, "SHEET_ROWS", 40)
    _sweep(str(quick(tmp_path)), "--runs", "2", "--timeseries", "full",
           "--out", str(tmp_path / "out"))
    assert not (tmp_path / "out" / "timeseries.csv").exists()
    frame = pd.read_parquet(tmp_path / "out" / "timeseries.parquet")
    assert len(frame) > 40 and set(frame["run"]) == {0, 1}
    assert len(load_results(tmp_path / "out").tables["timeseries"]) == len(frame)
    help_text = CliRunner().invoke(main, ["sweep", "--help"]).output
    assert "parquet" in help_text and "1,048,576" in help_text
