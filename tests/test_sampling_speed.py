"""Drawing the uncertain inputs quickly must not change a single bit: ``Dist.sample`` against
scipy's own ``rvs``, and ``concretise`` against a replacement made one input at a time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

import stockpile
from stockpile.model.streams import Streams
from stockpile.scenario.distributions import Dist
from stockpile.scenario.sampling import _dist_locations, concretise

ROOT = Path(__file__).resolve().parent.parent
UNIT = st.floats(0.0, 1.0)
POSITIVE = st.floats(0.05, 20.0)
SPOT = st.floats(-50.0, 50.0)
#: distribution -> strategy for its parameters (names a scenario may use)
PARAMS = {
    "triang": st.fixed_dictionaries({"c": UNIT, "loc": SPOT, "scale": POSITIVE}),
    "uniform": st.fixed_dictionaries({"loc": SPOT, "scale": POSITIVE}),
    "norm": st.fixed_dictionaries({"loc": SPOT, "scale": POSITIVE}),
    "lognorm": st.fixed_dictionaries({"s": POSITIVE, "scale": POSITIVE}),
    "beta": st.fixed_dictionaries({"a": POSITIVE, "b": POSITIVE, "loc": SPOT}),
    "gamma": st.fixed_dictionaries({"a": POSITIVE, "scale": POSITIVE}),
    "expon": st.fixed_dictionaries({"loc": SPOT, "scale": POSITIVE}),
    "truncnorm": st.fixed_dictionaries({"a": st.floats(-3.0, 0.0), "b": st.floats(0.1, 3.0),
                                        "loc": SPOT, "scale": POSITIVE}),
    "poisson": st.fixed_dictionaries({"mu": POSITIVE}),
    "randint": st.tuples(st.integers(-20, 20), st.integers(1, 30)).map(
        lambda t: {"low": float(t[0]), "high": float(t[0] + t[1])}),
    "binom": st.fixed_dictionaries({"n": st.integers(1, 50), "p": UNIT}),
    "weibull_min": st.fixed_dictionaries({"c": POSITIVE, "scale": POSITIVE}),
}


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(PARAMS)).flatmap(
    lambda name: st.tuples(st.just(name), PARAMS[name])), st.integers(0, 2**32 - 1))
def test_a_draw_is_scipys_rvs_bit_for_bit(named: tuple[str, dict], seed: int) -> None:
    name, params = named
    dist = Dist.model_validate({"dist": name, **params})
    frozen = getattr(scipy.stats, name)(**params)
    ours, theirs = np.random.default_rng(seed), np.random.default_rng(seed)
    for _ in range(3):  # and the stream is left where scipy leaves it
        value, expected = dist.sample(ours), float(frozen.rvs(random_state=theirs))
        assert type(value) is float
        assert value == expected or (np.isnan(value) and np.isnan(expected))
        assert np.float64(value).tobytes() == np.float64(expected).tobytes()
    assert ours.bit_generator.state == theirs.bit_generator.state


def test_the_median_is_worked_out_once_and_the_same() -> None:
    dist = Dist.model_validate({"dist": "triang", "c": 0.5, "loc": 0.3, "scale": 0.6})
    assert dist.median() == float(f"{float(dist.frozen.median()):.12g}") == 0.6
    assert dist.median() == 0.6


def _replace(value: Any, keys: tuple, new: float) -> Any:
    """A copy of ``value`` with the item at ``keys`` replaced (how concretise once did it,
    one input at a time); untouched branches are shared."""
    if not keys:
        return new
    key, rest = keys[0], keys[1:]
    if isinstance(value, BaseModel):
        return value.model_copy(update={key: _replace(getattr(value, key), rest, new)})
    copied = list(value) if isinstance(value, list) else dict(value)
    copied[key] = _replace(value[key], rest, new)
    return copied


def _one_at_a_time(scenario, values: dict[str, float]):
    concrete = scenario
    for keys, _ in _dist_locations(scenario):
        concrete = _replace(concrete, keys, values[".".join(str(k) for k in keys)])
    return concrete


def test_concretise_replaces_as_one_input_at_a_time_would() -> None:
    scenario = stockpile.load_scenario(ROOT / "configs" / "baseline.yaml")
    for seed in (1, 2):
        streams = Streams(seed)
        concrete, sampled = concretise(scenario, lambda p, s=streams: s.rng(f"inputs:{p}"))
        expected = _one_at_a_time(scenario, sampled)
        assert concrete.model_dump() == expected.model_dump()
        assert concrete.model_fields_set == expected.model_fields_set
        assert concrete._provenance is scenario._provenance
        assert concrete._dist_locations == []
        assert not _dist_locations(concrete)
    # untouched branches stay shared, and the scenario itself is left as it was
    assert concrete.time is scenario.time
    assert len(_dist_locations(scenario)) == len(sampled)
