"""How often a mix of lever settings meets the goal, and the money it credits: N runs with
common random numbers (run r has the same seed in every mix).

The money is the goal members' GBAD money credited by the deadline (runs.csv's
``credited_eur_m``), measured rather than computed, so that every lever that moves it (a
share, a defence-spending path) is priced the same way. Line-capacity levers move the line's
ceiling with them, so that a size beyond today's ceiling is a size, not an error. Lever
strings are parsed here too: ``KEY=LOW:HIGH``, ``KEY=LOW:HIGH:STEP``, ``KEY=A,B[,...]``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from stockpile.analysis.mix import Judged, Lever, Value
from stockpile.api import DEFAULT_SEED
from stockpile.experiment.designs import format_value
from stockpile.experiment.evaluate import LeverEvaluator, lever_value
from stockpile.scenario import Problem, Scenario, ScenarioError, load_scenario
from stockpile.scenario.distributions import central
from stockpile.scenario.load import unknown_key


def lever_overrides(scenario: Scenario, key: str, value: Value) -> list[str]:
    """``--set`` for one lever at one value; a line's capacity takes its ceiling along."""
    found = [f"{key}={format_value(value) if isinstance(value, float) else value}"]
    parts = key.split(".")
    if len(parts) == 3 and parts[0] == "lines" and parts[2] == "capacity_per_month":
        line = scenario.lines[parts[1]]
        ceiling = max(float(central(line.ceiling_per_month)), float(value))
        found.append(f"lines.{parts[1]}.ceiling_per_month={format_value(ceiling)}")
    return found


def parse_lever(text: str, base: Scenario, prices: dict[str, str]) -> Lever:
    """``KEY=LOW:HIGH[:STEP]`` or ``KEY=A,B,...`` -> a Lever priced by ``prices`` (``--cost``
    KEY=EUR_M per unit, or KEY=CHOICE:EUR_M for a choice) or, for a line's capacity, by the
    line's own price of an expansion step."""
    key, equals, spec = text.partition("=")
    key, spec = key.strip(), spec.strip()
    why = unknown_key(base, key) if equals else "expected KEY=LOW:HIGH or KEY=A,B"
    if why or not spec:
        raise ScenarioError([Problem("--lever", text, why or "expected KEY=LOW:HIGH or KEY=A,B")])
    if "," in spec:
        choices = tuple(_word(c.strip()) for c in spec.split(",") if c.strip())
        return Lever(key, choices=choices, choice_costs=_choice_costs(key, prices))
    parts = spec.split(":")
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        numbers = []
    if len(numbers) not in (2, 3) or not numbers[0] < numbers[1] or (
            len(numbers) == 3 and numbers[2] <= 0):
        raise ScenarioError([Problem("--lever", text, "expected KEY=LOW:HIGH or "
                                     "KEY=LOW:HIGH:STEP with LOW < HIGH and STEP > 0")])
    current = lever_value(base, key)
    integer = isinstance(current, int) and not isinstance(current, bool)
    return Lever(key, numbers[0], numbers[1], numbers[2] if len(numbers) == 3 else None,
                 integer, price=_price(base, key, prices))


def _word(text: str) -> Value:
    return {"true": True, "false": False}.get(text.lower(), text)


def _price(base: Scenario, key: str, prices: dict[str, str]) -> float:
    if key in prices:
        return _number(prices[key], key)
    parts = key.split(".")
    if len(parts) == 3 and parts[0] == "lines" and parts[2] == "capacity_per_month":
        line = base.lines[parts[1]]
        step = float(central(line.expansion_step_per_month))
        return float(central(line.expansion_cost_eur_m)) / step if step > 0 else 0.0
    return 0.0


def _choice_costs(key: str, prices: dict[str, str]) -> dict[str, float]:
    text = prices.get(key)
    if text is None:
        return {}
    choice, colon, amount = text.rpartition(":")
    if not colon:
        raise ScenarioError([Problem("--cost", f"{key}={text}",
                                     "price a choice as KEY=CHOICE:EUR_M")])
    return {choice: _number(amount, key)}


def _number(text: str, key: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ScenarioError([Problem("--cost", f"{key}={text}",
                                     "expected a number of EUR m")]) from None


def parse_costs(texts: list[str]) -> dict[str, str]:
    """``--cost KEY=EUR_M`` (or KEY=CHOICE:EUR_M) -> {KEY: text}."""
    found = {}
    for text in texts:
        key, equals, value = text.partition("=")
        if not equals or not value.strip():
            raise ScenarioError([Problem("--cost", text, "expected KEY=EUR_M")])
        found[key.strip()] = value.strip()
    return found


class MixJudge:
    """``judge(settings)`` for the mix search: load with every lever set and judge it on the
    runs a goal-seek evaluator would make (its seeds, pool and deadline)."""

    def __init__(self, config: Path, deadline: int, runs: int = 100, seed: int = DEFAULT_SEED,
                 overrides: list[str] | None = None, deterministic: bool = False,
                 jobs: int = 1):
        self.runner = LeverEvaluator(config, "", deadline, runs, seed, list(overrides or []),
                                     deterministic, jobs)
        self.base = self.runner.base
        self.runs = self.runner.runs

    def scenario(self, settings: dict[str, Value]) -> Scenario:
        sets = [s for key, value in settings.items()
                for s in lever_overrides(self.base, key, value)]
        return load_scenario(self.runner.config, [*self.runner.overrides, *sets])

    def __call__(self, settings: dict[str, Value]) -> Judged:
        found = self.runner.outcomes(self.scenario(settings))
        return Judged(sum(met for met, _, _ in found), len(found),
                      float(np.mean([money for _, _, money in found])))

    def __enter__(self) -> MixJudge:
        self.runner.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.runner.__exit__(*exc)
