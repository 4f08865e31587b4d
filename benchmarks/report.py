"""What each number in ``results/bench.json`` means, the targets, and the printed table.

The targets are what users wait for (issue 16): one run, a sweep's rate and what it adds to
its runs, parallel efficiency, and memory that does not grow with the runs. The model's cost
per event over bare SimPy's is kept as a diagnostic only: as a target it rewarded splitting
work into many cheap events.
"""

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
              "building the world, the event loop, the tables), one core, the fastest of "
              "sizes.rounds × sizes.runs_per_round replications at the default seed; the "
              "fastest is the code's own cost (as timeit advises), the rest is slowed by "
              "whatever else the machine does. Target: <= 50",
    "run_ms_median": "the median of the same replications",
    "loop_ms": "the time inside Environment.run (the event loop alone), fastest replication",
    "loop_ms_median": "the median of the same loop times",
    "loop_events_per_s": "events_per_run / loop_ms",
    "cost_ratio": "diagnostic only, not a target: the model's cost per event over bare "
                  "SimPy's (end to end: bare_events_per_s / model_events_per_s); its old "
                  "target (<= 3) is retired, as it rewarded splitting work into many cheap "
                  "events rather than making runs faster",
    "cost_ratio_loop": "diagnostic only: the same ratio for the event loop alone (set-up and "
                       "tables left out)",
    "machine_parallel_efficiency": "bare SimPy alone in one process / in `jobs` processes at "
                                   "once: the most any parallel sweep can reach here",
    "runs_per_s_1job": "sweep of sizes.sweep_runs runs with --jobs 1 (inline) and "
                       "--timeseries summary, replications per second, end to end",
    "runs_per_s_njobs": "the same sweep with --jobs `jobs` (local process pool); for each, "
                        "the fastest of sizes.sweep_repeats sweeps, taken in turns. Target: "
                        ">= 33 at jobs = 2 (10,000 runs in about 5 minutes)",
    "sweep_run_ms": "milliseconds per run of the fastest --jobs 1 sweep: its wall seconds "
                    "(planning, runs, files, summary) / sizes.sweep_runs",
    "sweep_simulate_ms": "milliseconds per run spent inside simulate() in that same sweep: "
                         "every simulate() call the inline sweep makes is timed, so these "
                         "are the sweep's own seeds (run_seed(seed, 0..runs-1)), summed and "
                         "divided by sizes.sweep_runs",
    "sweep_overhead": "what a sweep adds to its runs: sweep_run_ms / sweep_simulate_ms - 1, "
                      "both from the fastest --jobs 1 sweep (the same seeds, the same "
                      "sweep, so the same spells of a busy machine); 0.15 = 15% on top of "
                      "simulate(). Target: <= 0.15",
    "sweep_seconds_1job": "wall seconds of each --jobs 1 sweep",
    "sweep_simulate_seconds_1job": "seconds inside simulate() in each --jobs 1 sweep",
    "sweep_seconds_njobs": "wall seconds of each --jobs `jobs` sweep; each starts its own "
                           "process pool, and the first also the forkserver (~1 s of imports, "
                           "once per driver process, as every `stockpile sweep` pays it)",
    "jobs": "processes of the parallel sweep",
    "parallel_efficiency": "runs_per_s_njobs / runs_per_s_1job / jobs. Target: >= 0.9",
    "sweep_1000_s_estimate": "wall seconds a 1,000-run sweep on `jobs` processes is "
                             "estimated to take: 1,000 / runs_per_s_njobs (linear in runs; "
                             "the measured sweep's fixed costs, pool start and files, are "
                             "spread over sizes.sweep_runs runs)",
    "sweep_10000_s_estimate": "the same estimate for 10,000 runs: 10,000 / runs_per_s_njobs",
    "sweep_100000_s_estimate": "the same estimate for 100,000 runs: 100,000 / "
                               "runs_per_s_njobs",
    "sweep_10000_s": "with --full only (else null): wall seconds of one real sweep of "
                     "sizes.full_runs runs (10,000) on `jobs` processes, through the same "
                     "run_sweep as the other sweeps",
    "sweep_10000_estimate_ratio": "with --full only (else null): the estimate for "
                                  "sizes.full_runs runs (sizes.full_runs / runs_per_s_njobs) "
                                  "/ sweep_10000_s; above 1, the estimate is too slow",
    "peak_rss_100": "MiB (2^20 bytes): peak of the RSS summed over a `stockpile sweep` "
                    "process tree (driver, forkserver, workers; polled every 50 ms; a page shared "
                    "by processes counts in each) for sizes.rss_runs[0] runs (100)",
    "peak_rss_1000": "MiB: the same for sizes.rss_runs[1] runs (1,000)",
    "rss_1000_over_100": "peak_rss_1000 / peak_rss_100: memory should not grow with the "
                         "runs. Target: <= 1.2",
    "peak_rss_driver_100": "MiB: the driver process's own peak RSS in the first sweep",
    "peak_rss_driver_1000": "MiB: the driver process's own peak RSS in the second sweep",
    "rss_sweep_seconds": "wall seconds of the two memory sweeps (process start included)",
    "growth": "rows: months, countries, lines and systems of the scenario and of copies "
              "with the horizon, the countries, the lines or the systems doubled "
              "(benchmarks/variants.py; doubling the systems also doubles their products "
              "and lines); events processed and fastest ms per run (of "
              "sizes.growth_repeats; the baseline's from run_ms), µs per event, ratios to "
              "the baseline",
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
    "run_ms": (lambda r: r["run_ms"], "<=", 50.0),
    "runs_per_s_njobs": (lambda r: r["runs_per_s_njobs"], ">=", 33.0),
    "sweep_overhead": (lambda r: r["sweep_overhead"], "<=", 0.15),
    "parallel_efficiency": (lambda r: r["parallel_efficiency"], ">=", 0.9),
    "rss_1000_over_100": (lambda r: r["peak_rss_1000"] / r["peak_rss_100"], "<=", 1.2),
}


def verdicts(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each target's value, limit and pass/fail."""
    found = {}
    for name, (read, op, limit) in TARGETS.items():
        value = read(result)
        met = value <= limit if op == "<=" else value >= limit
        found[name] = {"value": round(value, 3), "target": f"{op} {limit:g}", "met": bool(met)}
    return found


def _number(value: float | None) -> str:
    if value is None:
        return "not run (--full)"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}" if abs(value) < 10 else f"{value:.1f}"


def _seconds(value: float | None) -> str:
    """Seconds, with minutes or hours beside them once they are easier to read."""
    if value is None:
        return _number(value)
    if value >= 2 * 3600:
        return f"{_number(value)} ({value / 3600:.1f} h)"
    return f"{_number(value)} ({value / 60:.1f} min)" if value >= 120 else _number(value)


#: (key, label, format) of each row of the measures table, in the order printed
ROWS: list[tuple[str, str, Callable[[Any], str]]] = [
    ("run_ms", "ms per run, simulate() (fastest, one core)", _number),
    ("run_ms_median", "ms per run, simulate() (median)", _number),
    ("loop_ms", "ms per run in the event loop (fastest)", _number),
    ("runs_per_s_1job", "sweep runs/s, 1 job ({runs} runs)", _number),
    ("runs_per_s_njobs", "sweep runs/s, {jobs} jobs ({runs} runs)", _number),
    ("sweep_run_ms", "sweep ms per run, 1 job (fastest sweep)", _number),
    ("sweep_simulate_ms", "of which in simulate(), ms per run (same sweep, same seeds)",
     _number),
    ("sweep_overhead", "sweep overhead (sweep ms per run / simulate() ms per run - 1)", _number),
    ("parallel_efficiency", "parallel efficiency", _number),
    ("machine_parallel_efficiency", "machine's own parallel efficiency (bare SimPy)", _number),
    ("sweep_1000_s_estimate", "1,000-run sweep, {jobs} jobs, s (estimate)", _seconds),
    ("sweep_10000_s_estimate", "10,000-run sweep, {jobs} jobs, s (estimate)", _seconds),
    ("sweep_100000_s_estimate", "100,000-run sweep, {jobs} jobs, s (estimate)", _seconds),
    ("sweep_10000_s", "{full}-run sweep, {jobs} jobs, s (measured, --full)", _seconds),
    ("sweep_10000_estimate_ratio", "its estimate / measured", _number),
    ("peak_rss_100", "peak RSS, {small}-run sweep, MiB (process tree)", _number),
    ("peak_rss_1000", "peak RSS, {large}-run sweep, MiB (process tree)", _number),
    ("peak_rss_driver_100", "peak RSS of the driver alone, {small} runs, MiB", _number),
    ("peak_rss_driver_1000", "peak RSS of the driver alone, {large} runs, MiB", _number),
    ("events_per_run", "events per run (processed)", _number),
    ("events_scheduled_per_run", "events per run (scheduled, RunOutput.events)", _number),
    ("bare_events_per_s", "SimPy alone, events/s (same process)", _number),
    ("model_events_per_s", "model, events/s (simulate end to end)", _number),
    ("loop_events_per_s", "model, events/s (event loop only)", _number),
    ("cost_ratio", "cost per event / SimPy's (diagnostic)", _number),
    ("cost_ratio_loop", "cost per event / SimPy's, loop only (diagnostic)", _number),
]


def table(result: dict[str, Any]) -> str:
    """Markdown tables: the measures, the targets, and growth (paste into the README)."""
    sizes = result["sizes"]
    names = {"jobs": result["jobs"], "runs": sizes["sweep_runs"],
             "small": f"{sizes['rss_runs'][0]:,}", "large": f"{sizes['rss_runs'][1]:,}",
             "full": f"{sizes['full_runs']:,}"}
    lines = ["| measure | value |", "|---|---:|"]
    lines += [f"| {label.format(**names)} | {shown(result[key])} |"
              for key, label, shown in ROWS]
    lines += ["", "| target | value | limit | met |", "|---|---:|---|---|"]
    lines += [f"| {name} | {_number(t['value'])} | {t['target']} | {'yes' if t['met'] else 'no'} |"
              for name, t in result["targets"].items()]
    lines += ["", "| growth | months | countries | lines | systems | events/run | ms/run "
              "| µs/event | events × | time × |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    lines += [f"| {g['variant']} | {g['months']} | {g['countries']} | {g['lines']} | "
              f"{g['systems']} | {g['events_per_run']:,} | {g['run_ms']:.1f} | "
              f"{g['us_per_event']:.1f} | {g['events_x']:.2f} | {g['time_x']:.2f} |"
              for g in result["growth"]]
    machine = result["machine"]
    lines += ["", f"{machine['cpu_count']} CPUs ({machine['cpu_model']}), Python "
              f"{machine['python']}, SimPy {machine['simpy']}; load average "
              f"{machine['load_average_1min']} at the start, {machine['load_average_end']} "
              f"at the end; {result['seconds']:.0f} s in all"]
    return "\n".join(lines)
