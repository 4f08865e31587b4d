"""Small results folders with planted structure, written in the sweep's file formats.

They let the report, sensitivity and discovery tests run in a second without waiting for a
real sweep, and plant effects whose answer is known: the ratio is driven by one input,
and the goal is met exactly when two inputs are on the right side of a threshold.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from stockpile.analysis.summary import summarise
from stockpile.experiment.output import write_csv

DEADLINES = (2028, 2030)
MONTHS = [f"{y}-{m:02d}" for y in range(2025, 2031) for m in range(1, 13)]
LEVER = "country_defaults.gbad_share"
DOMINANT = "lines.sam_line.europe_share"  # drives the ratio
DELAY = "procurement.contracting_delay_months"  # with DOMINANT, decides met
NOISE = "economy.defence_inflation"  # does nothing
COUNTRIES = ("AAA", "BBB")
LINES = ("sam_line", "motor_line")

SCENARIO = {
    "name": "planted",
    "goal": {"metric": "ready_fire_units", "multiplier": 5, "deadlines": list(DEADLINES),
             "members": "european"},
    "countries": {"AAA": {"european": True}, "BBB": {"european": True}},
    "systems": {"sam": {"capability_weight": 1.0}, "gun": {"capability_weight": 0.5}},
    "economy": {"defence_inflation": {"dist": "uniform", "loc": 0.02, "scale": 0.03}},
}


def planted_runs(runs: int, levers: list[float], seed: int = 7) -> pd.DataFrame:
    """runs.csv: ratio = 3 + 20·(dominant − 0.2) + lever effect; met iff dominant ≥ 0.2 and
    delay ≤ 15 (at the last deadline; never at the first)."""
    rng = np.random.default_rng(seed)
    draws = pd.DataFrame({DOMINANT: rng.uniform(0.1, 0.3, runs),
                          DELAY: rng.uniform(6, 24, runs), NOISE: rng.uniform(0.02, 0.05, runs),
                          "seed": rng.integers(1, 2**62, runs)})
    rows = []
    for point, lever in enumerate(levers):
        for run, draw in draws.iterrows():
            for deadline in DEADLINES:
                ratio = 3 + 20 * (draw[DOMINANT] - 0.2) + 10 * (lever - 0.1) \
                    + (deadline - DEADLINES[0]) * 0.5
                met = deadline == DEADLINES[-1] and draw[DOMINANT] >= 0.2 and draw[DELAY] <= 15
                rows.append({"point": point, "run": run, "seed": int(draw["seed"]),
                             "deadline": deadline, "value": 40 * ratio, "baseline": 40.0,
                             "target": 200.0, "ratio": ratio, "met": met,
                             "first_met": f"{deadline}-06" if met else "",
                             DELAY: draw[DELAY], NOISE: draw[NOISE], DOMINANT: draw[DOMINANT],
                             LEVER: lever})
    return pd.DataFrame(rows)


def _monthly(points: int) -> dict[str, pd.DataFrame]:
    """fan, timeseries_summary, constraints_summary, production_summary for each point."""
    t = np.arange(len(MONTHS))
    fan, stocks, binding, lines = [], [], [], []
    for point in range(points):
        mid = 1 + t / 20 + point * 0.1
        fan.append(pd.DataFrame({"point": point, "date": MONTHS, "ratio_mean": mid,
                                 **{f"ratio_p{q}": mid * (0.8 + q / 250)
                                    for q in (5, 25, 50, 75, 95)}}))
        for country, system, quantity in [(c, s, q) for c in COUNTRIES for s in ("sam", "gun")
                                          for q in ("fire_units", "ready_fire_units")]:
            mean = (t / 10 + (3 if country == "AAA" else 1)) * (2 if system == "sam" else 1)
            stocks.append(pd.DataFrame({"point": point, "date": MONTHS, "country": country,
                                        "system": system, "quantity": quantity, "mean": mean,
                                        "p5": mean * 0.9, "p50": mean, "p95": mean * 1.1}))
        for country in COUNTRIES:
            money = np.clip(1 - t / len(t), 0, 1)
            binding.append(pd.DataFrame({"point": point, "date": MONTHS, "country": country,
                                         "money_share": money, "capacity_share": 1 - money,
                                         "components_share": 0.0, "none_share": 0.0}))
        for i, line in enumerate(LINES):
            capacity = 10 + (t // 24) * 5.0 * (i + 1)
            lines.append(pd.DataFrame({
                "point": point, "date": MONTHS, "line": line, "capacity_mean": capacity,
                "started_mean": capacity * 0.8, "backlog_mean": 200 - t,
                "capacity_limited_share": 0.6 if i == 0 else 0.0,
                "components_limited_share": 0.3 if i == 1 else 0.0}))
    return {"fan": pd.concat(fan), "timeseries_summary": pd.concat(stocks),
            "constraints_summary": pd.concat(binding), "production_summary": pd.concat(lines)}


def write_sweep(folder: Path, runs: int = 80, levers: tuple[float, ...] = (0.1, 0.12),
                scenario_file: str = "", design: dict | None = None) -> Path:
    """A complete sweep folder: manifest, points, runs, summary and the monthly summaries."""
    folder.mkdir(parents=True, exist_ok=True)
    points = pd.DataFrame({"point": range(len(levers)), LEVER: list(levers)})
    table = planted_runs(runs, list(levers))
    write_csv(points, folder / "points.csv")
    write_csv(table, folder / "runs.csv")
    write_csv(summarise(table, points), folder / "summary.csv")
    for name, frame in _monthly(len(levers)).items():
        write_csv(frame, folder / f"{name}.csv")
    write_csv(pd.DataFrame(columns=["point", "run", "seed", "error", "command"]),
              folder / "failures.csv")
    manifest = {"command": "stockpile sweep planted.yaml", "scenario_file": scenario_file,
                "scenario_hash": "", "kind": "sweep", "seed": 1, "runs": runs,
                "design": design or {"kind": "grid", "levers": [LEVER],
                                     "points": [[v] for v in levers], "spec": {}},
                "started": "2026-01-01T00:00:00+00:00", "finished": "2026-01-01T00:01:00+00:00",
                "versions": {"stockpile": "test"}, "scenario": SCENARIO}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder
