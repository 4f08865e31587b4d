"""The cheapest mix of levers that meets the goal with probability ≥ P, and the frontier.

A mix sets every lever at once: money shares, a production line's capacity (a new line made
with ``--set lines.NEW.like=OLD``), joint buying on or off, a donation level. Each mix is
judged on N runs with common random numbers (run r has the same seed in every mix, so two
mixes are compared on the same worlds) and costs what it adds above the cheapest corner of
the levers' ranges:

- GBAD money: the goal members' money credited by the deadline, measured in the runs, less
  what the all-low corner credits (a higher share costs what it raises);
- a line's capacity: the capital of the capacity added above the lever's low end, at the
  line's own price of an expansion step (``expansion_cost_eur_m`` per
  ``expansion_step_per_month``), unless ``--cost`` gives another;
- anything else (joint buying, donations): nothing, unless ``--cost`` prices it.

The search is Optuna's multi-objective TPE sampler (minimise cost, maximise P(met)) with the
constraint P(met) ≥ P, seeded so that a search repeats exactly; the all-low and all-high
corners are tried first (if the cheapest corner already meets the goal, nothing more is
needed; if the dearest does not, nothing in the ranges will). The frontier is the mixes no
other mix beats on both cost and P(met). The answer is the cheapest mix whose estimate
reaches P, and, more cautiously, the cheapest whose 95% Wilson interval lies above P: with
few runs the two differ, and the gap says how much the estimate can be trusted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import optuna
import pandas as pd

from stockpile.analysis.summary import wilson

Value = float | int | str | bool


@dataclass(frozen=True)
class Lever:
    """One lever's range (``low``..``high``, on a ``step`` grid if given) or its choices,
    and its price: EUR m per unit above ``low``, or per choice."""

    key: str
    low: float = 0.0
    high: float = 0.0
    step: float | None = None
    integer: bool = False
    choices: tuple[Value, ...] = ()
    price: float = 0.0
    choice_costs: dict[str, float] = field(default_factory=dict)

    @property
    def corners(self) -> tuple[Value, Value]:
        if self.choices:
            return self.choices[0], self.choices[-1]
        return (int(self.low), int(self.high)) if self.integer else (self.low, self.high)

    def suggest(self, trial: optuna.Trial) -> Value:
        if self.choices:
            return trial.suggest_categorical(self.key, list(self.choices))
        if self.integer:
            return trial.suggest_int(self.key, int(self.low), int(self.high),
                                     step=int(self.step or 1))
        return trial.suggest_float(self.key, self.low, self.high, step=self.step)

    def cost(self, value: Value) -> float:
        """EUR m this lever adds at ``value`` above its cheapest setting."""
        if self.choices:
            return float(self.choice_costs.get(str(value), 0.0))
        return (float(value) - self.low) * self.price


@dataclass(frozen=True)
class Judged:
    """What N runs of a mix say: how many met the goal, and the GBAD money credited."""

    met: int
    runs: int
    money_eur_m: float


@dataclass(frozen=True)
class Mix:
    """A mix tried: its settings, runs, cost and chance of meeting the goal."""

    number: int
    settings: dict[str, Value]
    met: int
    runs: int
    cost_eur_m: float
    money_eur_m: float  # of the cost: GBAD money above the all-low corner's

    @property
    def p(self) -> float:
        return self.met / self.runs

    @property
    def interval(self) -> tuple[float, float]:
        return wilson(self.met, self.runs)


@dataclass
class MixResult:
    """Every mix tried, the frontier, and the cheapest answers."""

    prob: float
    levers: list[Lever]
    mixes: list[Mix]

    @property
    def frontier(self) -> list[Mix]:
        """Mixes no other beats on both cost (lower) and P(met) (higher), cheapest first."""
        ordered = sorted(self.mixes, key=lambda m: (m.cost_eur_m, -m.p, m.number))
        found: list[Mix] = []
        for mix in ordered:
            if not found or mix.p > found[-1].p:
                found.append(mix)
        return found

    @property
    def cheapest(self) -> Mix | None:
        """The cheapest mix whose estimate reaches P."""
        return _cheapest(m for m in self.mixes if m.p >= self.prob)

    @property
    def cheapest_sure(self) -> Mix | None:
        """The cheapest mix whose 95% interval lies at or above P."""
        return _cheapest(m for m in self.mixes if m.interval[0] >= self.prob)


def _cheapest(mixes) -> Mix | None:
    return min(mixes, key=lambda m: (m.cost_eur_m, -m.p, m.number), default=None)


def search(levers: Sequence[Lever], judge: Callable[[dict[str, Value]], Judged],
           prob: float, trials: int, seed: int = 0,
           progress: Callable[[Mix], None] | None = None) -> MixResult:
    """Try ``trials`` mixes (the two corners first), each judged by ``judge``."""
    if not levers:
        raise ValueError("give at least one lever")
    result = MixResult(prob, list(levers), [])
    reference: list[float] = []  # the all-low corner's money, once judged

    def objective(trial: optuna.Trial) -> tuple[float, float]:
        settings = {lever.key: lever.suggest(trial) for lever in levers}
        judged = judge(settings)
        if not reference:
            reference.append(judged.money_eur_m)
        money = judged.money_eur_m - reference[0]
        cost = money + sum(lever.cost(settings[lever.key]) for lever in levers)
        mix = Mix(trial.number, settings, judged.met, judged.runs, cost, money)
        result.mixes.append(mix)
        trial.set_constraint("p_met", prob - mix.p)  # feasible at 0 or below
        if progress is not None:
            progress(mix)
        return cost, mix.p

    sampler = optuna.samplers.TPESampler(seed=seed, multivariate=True)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(directions=["minimize", "maximize"], sampler=sampler)
    for corner in (0, 1):
        study.enqueue_trial({lever.key: lever.corners[corner] for lever in levers})
    study.optimize(objective, n_trials=max(2, trials))
    return result


def mixes_table(result: MixResult) -> pd.DataFrame:
    """frontier.csv: every mix tried, in order, with cost, P(met), its interval and whether
    it is on the frontier."""
    on = {m.number for m in result.frontier}
    rows = []
    for mix in result.mixes:
        low, high = mix.interval
        rows.append({"mix": mix.number, **mix.settings, "cost_eur_m": mix.cost_eur_m,
                     "money_eur_m": mix.money_eur_m, "runs": mix.runs, "met": mix.met,
                     "p_met": mix.p, "ci_low": low, "ci_high": high,
                     "on_frontier": mix.number in on,
                     "cheapest": result.cheapest is not None
                     and mix.number == result.cheapest.number})
    return pd.DataFrame(rows)


#: frontier.csv's columns besides one per lever (named by its key)
COLUMNS: dict[str, str] = {
    "mix": "trial number (0: every lever at its low end, 1: every lever at its high end)",
    "cost_eur_m": "what the mix adds above the all-low corner, EUR m: GBAD money credited "
                  "by the deadline, capital of line capacity, and --cost prices",
    "money_eur_m": "of the cost, the goal members' GBAD money credited by the deadline above "
                   "the all-low corner's (mean over runs), EUR m",
    "runs": "runs of the mix (run r has the same seed in every mix)",
    "met": "runs meeting the goal by the deadline",
    "p_met": "met / runs",
    "ci_low": "95% Wilson interval of p_met",
    "ci_high": "upper end of that interval",
    "on_frontier": "no other mix is both cheaper and likelier to meet the goal",
    "cheapest": "the cheapest mix whose p_met reaches the required probability",
}


def _setting(value: Value) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def describe(result: MixResult, deadline: int) -> list[str]:
    """The answer in words: the cheapest mix, the cautious one, and the frontier's size."""
    def said(mix: Mix) -> str:
        low, high = mix.interval
        settings = ", ".join(f"{k}={_setting(v)}" for k, v in mix.settings.items())
        spread = "" if mix.runs == 1 else f" (95% {low:.2f}-{high:.2f})"
        return (f"{settings}: EUR {mix.cost_eur_m:,.0f} m, met in {mix.met} of {mix.runs} "
                f"runs{spread}")

    lines = []
    best, sure = result.cheapest, result.cheapest_sure
    single = all(m.runs == 1 for m in result.mixes)  # deterministic: no interval to speak of
    if best is None:
        top = max(result.mixes, key=lambda m: (m.p, -m.cost_eur_m))
        lines.append(f"no mix tried meets the goal by {deadline} with probability "
                     f"≥ {result.prob:g}; the likeliest: {said(top)}")
    else:
        lines.append(f"cheapest mix meeting the goal by {deadline} with probability "
                     f"≥ {result.prob:g}: {said(best)}")
        if not single and sure is None:
            lines.append(f"no mix tried has its whole 95% interval at or above {result.prob:g}: "
                         "more runs per mix would tell")
        elif not single and sure is not None and sure.number != best.number:
            lines.append(f"cheapest whose 95% interval lies above {result.prob:g}: {said(sure)}")
    unpriced = [lever.key for lever in result.levers
                if not lever.price and not lever.choice_costs and not _is_money(lever.key)]
    if unpriced:
        lines.append("levers that cost nothing here (give --cost KEY=EUR_M to price them): "
                     + ", ".join(unpriced))
    lines.append(f"{len(result.mixes)} mixes tried, {len(result.frontier)} on the "
                 "cost-probability frontier")
    return lines


def _is_money(key: str) -> bool:
    """A GBAD share: its cost is the money it credits, measured in the runs."""
    return key.endswith("gbad_share")
