"""The notebook API: typed results from a sweep or a folder, a listed API, docs/notebook.md runs."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd
import pytest

import stockpile
from tests.sweeps import LEVER, quick

ROOT = Path(__file__).resolve().parent.parent


def test_dir_and_all_list_the_api() -> None:
    for name in ("load_scenario", "simulate", "sweep", "load_results", "ResultSet"):
        assert name in stockpile.__all__ and name in dir(stockpile)
        assert getattr(stockpile, name).__doc__
    for name in ("sweep", "load_results", "simulate", "load_scenario"):
        assert ">>> " in getattr(stockpile, name).__doc__, name
    with pytest.raises(AttributeError):
        stockpile.no_such_thing  # noqa: B018


def test_sweep_returns_typed_frames_and_load_results_the_same(tmp_path: Path) -> None:
    config = quick(tmp_path)
    res = stockpile.sweep(config, runs=6, seed=3, params=[LEVER], jobs=1, progress=False,
                          out=tmp_path / "out")
    runs, summary = res.runs, res.summary
    assert len(runs) == 2 * 6 * runs["deadline"].nunique()  # points × runs × deadlines
    assert isinstance(runs["first_met"].dtype, pd.PeriodDtype)
    assert runs["first_met"].isna().any() and runs["first_met"].notna().any()
    assert runs.loc[runs["first_met"].isna(), "met"].eq(False).all()
    assert runs["met"].dtype == "boolean" and runs["seed"].dtype == "int64"
    assert isinstance(summary["first_met_p50"].dtype, pd.PeriodDtype)
    assert isinstance(res.fan["date"].dtype, pd.PeriodDtype)
    p_met = runs.groupby(["point", "deadline"])["met"].mean().to_numpy()
    assert summary["p_met"].to_numpy() == pytest.approx(p_met)
    never = summary["never_met_share"] == 1
    assert summary.loc[never, "first_met_p5"].isna().all()
    again = stockpile.load_results(tmp_path / "out")
    pd.testing.assert_frame_equal(again.runs, runs)
    pd.testing.assert_frame_equal(again.summary, summary)
    memory = stockpile.sweep(config, runs=6, seed=3, design="grid", params={
        "country_defaults.gbad_share": [0.1, 0.2]}, jobs=1, progress=False)
    assert memory.folder is None
    pd.testing.assert_frame_equal(memory.summary, summary)


def test_load_results_of_a_run_folder_derives_its_summary(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from stockpile.cli import main

    config = quick(tmp_path)
    result = CliRunner().invoke(main, ["run", str(config), "--out", str(tmp_path / "one")])
    assert result.exit_code == 0, result.output
    res = stockpile.load_results(tmp_path / "one")
    assert res.kind == "run" and len(res.summary) == len(res.runs)
    assert isinstance(res.timeseries["date"].dtype, pd.PeriodDtype)


def test_an_unknown_design_is_one_clear_error(tmp_path: Path) -> None:
    from stockpile.scenario import ScenarioError

    with pytest.raises(ScenarioError) as caught:
        stockpile.sweep(quick(tmp_path), runs=2, design="halton", progress=False)
    assert [str(p) for p in caught.value.problems] == [
        "design: halton: one of grid, lhs, sobol, morris"]


def test_docs_notebook_code_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every python block of docs/notebook.md, in order, in one namespace."""
    text = (ROOT / "docs" / "notebook.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert len(blocks) >= 5
    (tmp_path / "configs").symlink_to(ROOT / "configs")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, "docs/notebook.md", "exec"), namespace)
    assert (tmp_path / "p_met.png").stat().st_size > 1000
    assert os.path.isdir(tmp_path / "results" / "notebook-sweep")
