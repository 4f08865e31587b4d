"""Facts about the machine a benchmark ran on, including how far it lets processes scale.

Two busy processes on a "2-core" virtual machine (or beside another user's work) may not
get two cores' worth of time; ``parallel_ceiling`` measures what they do get, with no
stockpile code involved, so the sweep's efficiency can be read against it.
"""

from __future__ import annotations

import os
import platform
import time
from concurrent.futures import ProcessPoolExecutor

import psutil

from benchmarks.events import bare_run
from stockpile.experiment.output import versions
from stockpile.experiment.runners import available_cores


def facts() -> dict[str, object]:
    """CPU, memory, versions and how busy the machine was when the bench began."""
    found = versions()
    return {"cpu_count": os.cpu_count(), "available_cores": available_cores(),
            "cpu_model": _cpu_model(),
            "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
            "platform": platform.platform(), "python": found["python"],
            "simpy": found.get("simpy", "?"), "numpy": found.get("numpy", "?"),
            "pandas": found.get("pandas", "?"),
            "load_average_1min": round(os.getloadavg()[0], 2)}


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def _timed_bare(processes: int, steps: int) -> float:
    began = time.perf_counter()
    bare_run(processes, steps)
    return time.perf_counter() - began


def parallel_ceiling(jobs: int, processes: int = 20, steps: int = 10_000) -> float:
    """Bare SimPy alone in one worker, then in ``jobs`` workers at once: solo / together.

    1.0 means the machine runs ``jobs`` CPU-bound processes as fast as one; 1/jobs means
    they share a single core's time.
    """
    with ProcessPoolExecutor(jobs) as pool:
        list(pool.map(_timed_bare, [processes] * jobs, [steps // 10] * jobs))  # warm up
        solo = pool.submit(_timed_bare, processes, steps).result()
        began = time.perf_counter()
        list(pool.map(_timed_bare, [processes] * jobs, [steps] * jobs))
        together = time.perf_counter() - began
    return solo / together
