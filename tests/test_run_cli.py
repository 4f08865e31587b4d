"""``stockpile run``: files written, verdicts printed, folders never half-written or clobbered."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from stockpile.cli import main
from stockpile.experiment.tables import GOAL_COLUMNS, RUN_FILES

pytestmark = pytest.mark.usefixtures("_in_tmp")


@pytest.fixture
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def invoke(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_run_writes_every_table_and_prints_verdicts(tiny_scenario: Path) -> None:
    result = invoke("run", tiny_scenario, "--deterministic", "--out", "out")
    assert result.exit_code == 0, result.output
    for deadline in ("2028", "2030"):
        assert any(line.strip().startswith(deadline) for line in result.output.splitlines())
    folder = Path("out")
    assert sorted(p.name for p in folder.iterdir()) == sorted([*RUN_FILES.values(),
                                                                "manifest.json", "magazine.csv"])
    runs = pd.read_csv(folder / "runs.csv")
    assert list(runs.columns[: len(GOAL_COLUMNS)]) == GOAL_COLUMNS
    assert runs["deadline"].tolist() == [2028, 2030]
    timeseries = pd.read_csv(folder / "timeseries.csv")
    assert {"point", "run", "date", "country", "system", "fire_units", "interceptors",
            "ready_fire_units", "on_order", "delivered", "consumed", "donated",
            "expired"} <= set(timeseries.columns)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["deterministic"] is True
    assert len(manifest["scenario_hash"]) == 64
    assert manifest["scenario"]["name"] == "tiny"


def test_same_seed_writes_the_same_bytes(tiny_scenario: Path) -> None:
    for out in ("a", "b"):
        assert invoke("run", tiny_scenario, "--seed", 5, "--out", out).exit_code == 0
    for name in RUN_FILES.values():
        assert Path("a", name).read_bytes() == Path("b", name).read_bytes()


def test_existing_folder_is_refused_without_force(tiny_scenario: Path) -> None:
    assert invoke("run", tiny_scenario, "--out", "out").exit_code == 0
    before = Path("out/runs.csv").read_bytes()
    again = invoke("run", tiny_scenario, "--out", "out", "--set", "goal.multiplier=3")
    assert again.exit_code == 2
    assert "use --force" in again.stderr
    assert Path("out/runs.csv").read_bytes() == before
    forced = invoke("run", tiny_scenario, "--out", "out", "--force",
                    "--set", "goal.multiplier=3")
    assert forced.exit_code == 0
    assert pd.read_csv("out/runs.csv")["target"].iloc[0] == pytest.approx(
        3 * pd.read_csv("out/runs.csv")["baseline"].iloc[0])


def test_bad_config_leaves_no_folder(tiny_scenario: Path) -> None:
    result = invoke("run", tiny_scenario, "--out", "out", "--set", "goal.multiplier=-1")
    assert result.exit_code == 2
    assert "goal.multiplier" in result.stderr
    assert not Path("out").exists()
    assert not any(p.name.endswith(".partial") for p in Path().iterdir())


def test_failed_run_leaves_no_folder(tiny_scenario: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("model fell over")

    monkeypatch.setattr("stockpile.model.world.World.run", broken)
    result = invoke("run", tiny_scenario, "--out", "out")
    assert result.exit_code == 1
    assert "model fell over" in result.stderr
    assert not Path("out").exists()


def test_run_as_a_real_process(tiny_scenario: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "stockpile", "run", str(tiny_scenario),
                           "--deterministic", "--out", "proc"], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert "deadline" in done.stdout
    assert Path("proc/runs.csv").exists()
