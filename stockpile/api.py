"""The Python API for notebooks: load a scenario, simulate a run, sweep many."""

from __future__ import annotations

from stockpile.model.streams import Streams
from stockpile.model.world import RunOutput, World
from stockpile.scenario import Scenario, load_scenario
from stockpile.scenario.sampling import concretise

DEFAULT_SEED = 20250625  # the Hague summit's second day


def simulate(scenario: Scenario, seed: int | None = None,
             deterministic: bool = False) -> RunOutput:
    """One replication: sample the uncertain inputs from the seed, run, return tables.

    ``deterministic`` takes every distribution at its median and turns random events
    (stoppages, acceptance draws, Poisson firings) off.

    >>> run = stockpile.simulate(stockpile.load_scenario("configs/baseline.yaml"), seed=1)
    >>> run.goal[["deadline", "ratio", "met"]]                      # doctest: +SKIP
    """
    seed = DEFAULT_SEED if seed is None else int(seed)
    streams = Streams(seed)
    concrete, sampled = concretise(scenario, lambda path: streams.rng(f"inputs:{path}"),
                                   deterministic)
    world = World(concrete, seed, deterministic)
    output = world.run()
    world.dismantle()  # freed now, not by the garbage collector (a sweep runs thousands)
    output.sampled = sampled
    return output


__all__ = ["DEFAULT_SEED", "RunOutput", "load_scenario", "simulate"]
