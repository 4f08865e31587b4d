"""What each number in ``results/bench.json`` means, the targets, and the printed table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

#: every top-level key of bench.json, documented once (the README's table follows it)
KEYS: dict[str, str] = {
    "bare_events_per_s": "SimPy alone: events processed per second by processes that only "
                         "wait on env.timeout(1), fastest of sizes.rounds runs, this process",
    "bare_events": "events processed in one bare SimPy run",
    "bare_ms": "milliseconds of one bare SimPy run (the fastest; each round runs bare SimPy "
               "once, then sizes.runs_per_round replications of the model, so that both meet "
               "the same spells of a busy machine)",
    "bare_ms_median": "the median of the same bare SimPy runs",
    "model_events_per_s": "events_per_run / run_ms: the model's events per second, one core",
    "events_per_run": "SimPy events processed (Environment.step calls) in one replication "
                      "of the scenario at the default seed, sampled (not deterministic)",
    "events_scheduled_per_run": "events scheduled in the same run (RunOutput.events); more "
                                "than processed: some are still queued when the run stops",
    "run_ms": "milliseconds per replication, simulate() end to end (sampling the inputs, "
              "building the world, the event loop, the tables), the fastest of "
              "sizes.rounds × sizes.runs_per_round; the fastest is the code's own cost (as "
              "timeit advises), the rest is slowed by whatever else the machine does",
    "run_ms_median": "the median of the same replications",
    "loop_ms": "the time inside Environment.run (the event loop alone), fastest replication",
    "loop_ms_median": "the median of the same loop times",
    "loop_events_per_s": "events_per_run / loop_ms",
    "cost_ratio": "the model's cost per event over bare SimPy's (end to end: "
                  "bare_events_per_s / model_events_per_s)",
    "cost_ratio_loop": "the same ratio for the event loop alone (set-up and tables left out)",
    "machine_parallel_efficiency": "bare SimPy alone in one process / in `jobs` processes at "
                                   "once: the most any parallel sweep can reach here",
    "runs_per_s_1job": "sweep of sizes.sweep_runs runs with --jobs 1 (inline) and "
                       "--timeseries summary, replications per second, end to end",
    "runs_per_s_njobs": "the same sweep with --jobs `jobs` (local process pool); for each, "
                        "the fastest of sizes.sweep_repeats sweeps, taken in turns",
    "sweep_seconds_1job": "wall seconds of each --jobs 1 sweep",
    "sweep_seconds_njobs": "wall seconds of each --jobs `jobs` sweep; each starts its own "
                           "process pool, and the first also the forkserver (~1 s of imports, "
                           "once per driver process, as every `stockpile sweep` pays it)",
    "jobs": "processes of the parallel sweep",
    "parallel_efficiency": "runs_per_s_njobs / runs_per_s_1job / jobs",
    "peak_rss_100": "MiB (2^20 bytes): peak of the RSS summed over a `stockpile sweep` "
                    "process tree (driver, forkserver, workers; polled every 50 ms; a page shared "
                    "by processes counts in each) for sizes.rss_runs[0] runs (100)",
    "peak_rss_1000": "MiB: the same for sizes.rss_runs[1] runs (1,000)",
    "peak_rss_driver_100": "MiB: the driver process's own peak RSS in the first sweep",
    "peak_rss_driver_1000": "MiB: the driver process's own peak RSS in the second sweep",
    "rss_sweep_seconds": "wall seconds of the two memory sweeps (process start included)",
    "growth": "rows: months, countries and lines of the scenario and of copies with one of "
              "them doubled; events and ms per run, µs per event, ratios to the baseline",
    "machine": "CPU, memory, versions and the 1-minute load average when the bench began "
               "and ended",
    "sizes": "how much work each measure did",
    "measured_at": "UTC time the bench began",
    "config": "the scenario file measured",
    "seed": "the seed of every timed replication (the default seed)",
    "seconds": "wall seconds of the whole bench",
    "keys": "this documentation",
    "targets": "per target: the value, the limit and whether it is met",
}

Check = Callable[[dict[str, Any]], float]
#: name -> (how the value is read, "<=" or ">=", limit)
TARGETS: dict[str, tuple[Check, str, float]] = {
    "cost_ratio": (lambda r: r["cost_ratio"], "<=", 3.0),
    "parallel_efficiency": (lambda r: r["parallel_efficiency"], ">=", 0.85),
    "rss_1000_over_100": (lambda r: r["peak_rss_1000"] / r["peak_rss_100"], "<=", 1.2),
    "run_ms": (lambda r: r["run_ms"], "<=", 50.0),
}


def verdicts(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each target's value, limit and pass/fail."""
    found = {}
    for name, (read, op, limit) in TARGETS.items():
        value = read(result)
        met = value <= limit if op == "<=" else value >= limit
        found[name] = {"value": round(value, 3), "target": f"{op} {limit:g}", "met": bool(met)}
    return found


def _number(value: float) -> str:
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}" if abs(value) < 10 else f"{value:.1f}"


ROWS = [
    ("bare_events_per_s", "SimPy alone, events/s"),
    ("model_events_per_s", "model, events/s (simulate end to end)"),
    ("loop_events_per_s", "model, events/s (event loop only)"),
    ("events_per_run", "events per run (processed)"),
    ("events_scheduled_per_run", "events per run (scheduled, RunOutput.events)"),
    ("run_ms", "ms per run (fastest)"),
    ("run_ms_median", "ms per run (median)"),
    ("loop_ms", "ms per run in the event loop (fastest)"),
    ("cost_ratio", "cost per event / SimPy's"),
    ("cost_ratio_loop", "cost per event / SimPy's, loop only"),
    ("runs_per_s_1job", "sweep runs/s, 1 job ({runs} runs)"),
    ("runs_per_s_njobs", "sweep runs/s, {jobs} jobs ({runs} runs)"),
    ("parallel_efficiency", "parallel efficiency"),
    ("machine_parallel_efficiency", "machine's own parallel efficiency (bare SimPy)"),
    ("peak_rss_100", "peak RSS, {small}-run sweep, MiB (process tree)"),
    ("peak_rss_1000", "peak RSS, {large}-run sweep, MiB (process tree)"),
    ("peak_rss_driver_100", "peak RSS of the driver alone, {small} runs, MiB"),
    ("peak_rss_driver_1000", "peak RSS of the driver alone, {large} runs, MiB"),
]


def table(result: dict[str, Any]) -> str:
    """Markdown tables: the measures, the targets, and growth (paste into the README)."""
    sizes = result["sizes"]
    names = {"jobs": result["jobs"], "runs": sizes["sweep_runs"],
             "small": f"{sizes['rss_runs'][0]:,}", "large": f"{sizes['rss_runs'][1]:,}"}
    lines = ["| measure | value |", "|---|---:|"]
    lines += [f"| {label.format(**names)} | {_number(result[key])} |" for key, label in ROWS]
    lines += ["", "| target | value | limit | met |", "|---|---:|---|---|"]
    lines += [f"| {name} | {_number(t['value'])} | {t['target']} | {'yes' if t['met'] else 'no'} |"
              for name, t in result["targets"].items()]
    lines += ["", "| growth | months | countries | lines | events/run | ms/run | µs/event "
              "| events × | time × |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    lines += [f"| {g['variant']} | {g['months']} | {g['countries']} | {g['lines']} | "
              f"{g['events_per_run']:,} | {g['run_ms']:.1f} | {g['us_per_event']:.1f} | "
              f"{g['events_x']:.2f} | {g['time_x']:.2f} |" for g in result["growth"]]
    machine = result["machine"]
    lines += ["", f"{machine['cpu_count']} CPUs ({machine['cpu_model']}), Python "
              f"{machine['python']}, SimPy {machine['simpy']}; load average "
              f"{machine['load_average_1min']} at the start, {machine['load_average_end']} "
              f"at the end; {result['seconds']:.0f} s in all"]
    return "\n".join(lines)
