"""Monotone responses of the deterministic baseline to its levers, measured (not asserted).

``python -m benchmarks.properties``: more money, more capacity, shorter contracting delays
and fewer donations should never make any deadline's ratio worse (SPEC 2.9). Prints each
series and every step that goes the wrong way, however small; ``tests/test_properties.py``
asserts the same properties on every shipped config and on random small worlds, with the
tolerance for whole combat loads it states (``TOLERANCE_FU``).
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import stockpile
from stockpile.scenario.distributions import central
from stockpile.scenario.schema import Scenario

BASE = Path(__file__).resolve().parent.parent / "configs" / "baseline.yaml"


def ratios(overrides: list[str]) -> list[float]:
    scenario = stockpile.load_scenario(BASE, overrides=overrides)
    return [round(float(x), 3) for x in stockpile.simulate(scenario, deterministic=True)
            .goal["ratio"]]


def report(name: str, series: list[tuple[object, list[float]]]) -> None:
    """Print a series (lever value -> ratios) and every step that lowers a ratio."""
    worse = [f"{a}->{b} deadline {d}: {x}->{y}"
             for (a, ra), (b, rb) in pairwise(series)
             for d, (x, y) in enumerate(zip(ra, rb, strict=True)) if y < x - 1e-9]
    print(f"{name}: {'holds' if not worse else 'VIOLATED: ' + '; '.join(worse)}")
    for value, found in series:
        print(f"    {value}: {found}")


def scaled(scenario: Scenario, factor: float, only: str | None = None) -> tuple[str, ...]:
    """``--set`` overrides for every line's (or one line's) capacity, ceiling and announced
    capacity steps x factor (a sampled one at its median, the value a deterministic run
    takes); the property tests scale lines with it too."""
    found = []
    for name, row in scenario.lines.items():
        if only in (None, name):
            found += [f"lines.{name}.{key}={central(getattr(row, key)) * factor}"
                      for key in ("capacity_per_month", "ceiling_per_month")]
    for name, steps in scenario.capacity_steps.items():
        if only in (None, name):
            found += [f"capacity_steps.{name}.{month}.capacity_per_month="
                      f"{central(step.capacity_per_month) * factor}"
                      for month, step in steps.items()]
    return tuple(found)


def main() -> None:
    report("more money (country_defaults.gbad_share)",
           [(g, ratios([f"country_defaults.gbad_share={g}"]))
            for g in (0.05, 0.1, 0.15, 0.2, 0.3, 0.5)])
    base = stockpile.load_scenario(BASE)
    report("more capacity (every line x k)", [(k, ratios(list(scaled(base, k))))
                                              for k in (1.0, 1.25, 1.5, 2.0)])
    report("shorter contracting delay (months)",
           [(d, ratios([f"procurement.contracting_delay_months={d}"])) for d in (24, 18, 12, 6)])
    report("fewer donations (DEU's diverted share)",
           [(x, ratios([f"consumption.diverted_share.DEU={x}"])) for x in (0.3, 0.2, 0.1, 0.0)])


if __name__ == "__main__":
    main()
