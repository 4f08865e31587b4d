"""``make bench``: measure in one run, print a table, write ``results/bench.json``.

    python -m benchmarks.bench [--config configs/baseline.yaml] [--jobs N] [--out PATH] [--full]

What users wait for (issue 16): one replication of simulate(), a sweep on one and on
``jobs`` processes, what the sweep adds to its runs, and the time of a 1,000-, 10,000- and
100,000-run sweep estimated from the measured rate (``--full`` also times a real
10,000-run sweep, to check the estimate). Beside them: bare SimPy's speed and the model's
events, measured in the same process (diagnostics, no longer targets), peak memory of a
short and a long sweep, and how a run grows with the world. The machine may be shared, so
its load and its own parallel ceiling are recorded beside the numbers.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from benchmarks import events, machine, sweeps, variants
from benchmarks.report import KEYS, TARGETS, table, verdicts
from stockpile.api import DEFAULT_SEED
from stockpile.experiment.output import now_iso, write_json
from stockpile.experiment.runners import available_cores
from stockpile.scenario import load_scenario
from stockpile.scenario.schema import Scenario

DEFAULT_CONFIG = Path("configs/baseline.yaml")
DEFAULT_OUT = Path("results/bench.json")


@dataclass(frozen=True)
class Sizes:
    """How much work each measure does. At ~0.3 s a replication the defaults take ~8
    minutes on two cores, most of it the four timed sweeps and the 1,000-run memory sweep."""

    bare_processes: int = 20
    bare_steps: int = 10_000
    rounds: int = 8  # each: one bare SimPy run, then runs_per_round replications
    runs_per_round: int = 4
    growth_repeats: int = 5
    sweep_runs: int = 200  # the size of `make run`'s sweep
    sweep_repeats: int = 2  # sweeps on 1 and on `jobs` processes, in turns; fastest kept
    rss_runs: tuple[int, int] = (100, 1000)
    full_runs: int = 10_000  # the real sweep --full times


TINY = Sizes(bare_processes=2, bare_steps=200, rounds=2, runs_per_round=1,
             growth_repeats=1, sweep_runs=4, sweep_repeats=1, rss_runs=(2, 4), full_runs=6)


def measure_events(scenario: Scenario, sizes: Sizes) -> tuple[dict[str, Any], events.RunCost]:
    """Bare SimPy and the model, one core, in this process, in turns."""
    bare, cost = events.in_turns(scenario, sizes.bare_processes, sizes.bare_steps,
                                 sizes.rounds, sizes.runs_per_round)
    found = {
        **bare,
        "model_events_per_s": cost.events_per_s,
        "events_per_run": cost.events,
        "events_scheduled_per_run": cost.scheduled,
        "run_ms": cost.run_ms,
        "run_ms_median": cost.run.median_ms,
        "loop_ms": cost.loop_ms,
        "loop_ms_median": cost.loop.median_ms,
        "loop_events_per_s": cost.loop_events_per_s,
        "cost_ratio": bare["bare_events_per_s"] / cost.events_per_s,
        "cost_ratio_loop": bare["bare_events_per_s"] / cost.loop_events_per_s,
    }
    return found, cost


def growth(scenario: Scenario, base: events.RunCost, repeats: int) -> list[dict[str, Any]]:
    """One row per doubled dimension: events and time per run, and their ratio to baseline."""
    rows = [_growth_row("baseline", scenario, base, base)]
    for name, double in variants.VARIANTS.items():
        bigger = double(scenario)
        rows.append(_growth_row(name, bigger, events.run_cost(bigger, repeats), base))
    return rows


def _growth_row(name: str, scenario: Scenario, cost: events.RunCost,
                base: events.RunCost) -> dict[str, Any]:
    return {"variant": name, **variants.size(scenario), "events_per_run": cost.events,
            "run_ms": cost.run_ms, "us_per_event": 1000 * cost.run_ms / cost.events,
            "events_x": cost.events / base.events, "time_x": cost.run_ms / base.run_ms}


def measure_sweeps(config: Path, sizes: Sizes, jobs: int) -> dict[str, Any]:
    """Throughput on 1 and ``jobs`` processes and the estimates it gives; peak memory of a
    short and a long sweep."""
    found: dict[str, Any] = {"machine_parallel_efficiency": machine.parallel_ceiling(jobs)}
    found.update(sweeps.throughput(config, sizes.sweep_runs, jobs,
                                   sizes.sweep_repeats))
    found.update(sweeps.estimates(found["runs_per_s_njobs"]))
    small, large = (sweeps.peak_rss(config, runs, jobs) for runs in sizes.rss_runs)
    found.update({"peak_rss_100": small["tree_mib"], "peak_rss_1000": large["tree_mib"],
                  "rss_1000_over_100": large["tree_mib"] / small["tree_mib"],
                  "peak_rss_driver_100": small["driver_mib"],
                  "peak_rss_driver_1000": large["driver_mib"],
                  "rss_sweep_seconds": [small["seconds"], large["seconds"]]})
    return found


def measure_full(config: Path, runs: int, jobs: int, runs_per_s: float) -> dict[str, Any]:
    """One real sweep of ``runs`` runs on ``jobs`` processes, against its estimate; the keys
    are written (as null) without ``--full`` too, so bench.json always has the same keys."""
    seconds = sweeps.sweep_seconds(config, runs, jobs)
    return {"sweep_10000_s": seconds,
            "sweep_10000_estimate_ratio": sweeps.estimate_seconds(runs, runs_per_s) / seconds}


NOT_FULL: dict[str, Any] = {"sweep_10000_s": None, "sweep_10000_estimate_ratio": None}


def run(config: Path = DEFAULT_CONFIG, sizes: Sizes = Sizes(), jobs: int | None = None,
        out: Path | None = DEFAULT_OUT, full: bool = False) -> dict[str, Any]:
    """Every measure, in this order, in this process (memory in fresh subprocesses); with
    ``full``, a real sweep of ``sizes.full_runs`` runs last."""
    began = time.perf_counter()
    jobs = jobs or max(2, available_cores())
    result: dict[str, Any] = {"measured_at": now_iso(), "config": str(config),
                              "seed": DEFAULT_SEED, "machine": machine.facts(),
                              "sizes": asdict(sizes)}
    scenario = load_scenario(config)
    found, base = measure_events(scenario, sizes)
    result.update(found)
    result["growth"] = growth(scenario, base, sizes.growth_repeats)
    result.update(measure_sweeps(config, sizes, jobs))
    result.update(measure_full(config, sizes.full_runs, jobs, result["runs_per_s_njobs"])
                  if full else NOT_FULL)
    result["targets"] = verdicts(result)
    result["machine"]["load_average_end"] = round(os.getloadavg()[0], 2)
    result["seconds"] = time.perf_counter() - began
    result["keys"] = KEYS
    if out is not None:
        write_json(result, out)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    parser.add_argument("--jobs", type=int, default=None,
                        help="processes for the parallel sweep (default: every core, at least 2)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--full", action="store_true",
                        help="also time a real 10,000-run sweep on --jobs processes, to check "
                             "the estimate (minutes more)")
    args = parser.parse_args(argv)
    result = run(args.config, Sizes(), args.jobs, args.out, args.full)
    print(table(result))
    print(f"\n{len(TARGETS)} targets, {sum(t['met'] for t in result['targets'].values())} met; "
          f"{result['seconds']:.0f} s; written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
