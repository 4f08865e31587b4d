"""Fuzzing the scenario loader: no input crashes ``validate``, and what it accepts runs.

Hypothesis writes scenario files: random YAML documents (keys from the schema or not, any
types, nesting), text edits of a valid file, and mutations (a value replaced, a key dropped
or added, a list item repeated) of the tiny test scenario and of the shipped configs with
their tables inlined. ``validate`` must exit 0 or 2, never with a traceback, and print only
``FILE: ...`` lines; whatever it accepts, ``run --deterministic`` must complete.
"""

from __future__ import annotations

import copy
import math
import os
import tempfile
from functools import cache
from pathlib import Path
from typing import Any, get_args, get_origin

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from stockpile.cli import main
from stockpile.scenario import uncertainty
from stockpile.scenario.load import _expand_tables, _load_with_extends, _Origins
from stockpile.scenario.schema import Scenario
from tests.conftest import TINY

CONFIGS = Path(__file__).resolve().parent.parent / "configs"
#: STOCKPILE_FUZZ=N runs N times the examples, each time new ones (the suite's are fixed)
SCALE = int(os.environ.get("STOCKPILE_FUZZ", "0"))
#: one worker runs the whole file: the last test counts what the others accepted
pytestmark = pytest.mark.xdist_group("fuzz")
FUZZ = settings(deadline=None, derandomize=not SCALE, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SHORT = {"time": {"start": "2025-07", "end": "2026-12"}, "goal": {"deadlines": [2026]}}


def _schema_keys(model: type[BaseModel], found: set[str]) -> set[str]:
    for name, field in model.model_fields.items():
        found.add(name)
        stack = [field.annotation]
        while stack:
            annotation = stack.pop()
            if isinstance(annotation, type) and issubclass(annotation, BaseModel) \
                    and annotation.__name__ not in found:
                found.add(annotation.__name__)
                _schema_keys(annotation, found)
            stack.extend(get_args(annotation) if get_origin(annotation) else [])
    return found


KEYS = sorted(k for k in _schema_keys(Scenario, set()) if not k[0].isupper())

numbers = st.one_of(
    st.integers(-5, 3000), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -1, 1, 0.5, 1e308, 1e300, 10**21, 2**63, 10**400, 1e-300, 203, 2030]))
words = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["2025-07", "2035-12", "203", "2030-13", "DEU", "AAA", "sam", "sam_fu",
                     "european", "essi", "joint", "national", "", "+1", "=1", "2024",
                     "fire_unit", "interceptor", "component", "data/nothing.csv"]))
dists = st.fixed_dictionaries(
    {"dist": st.sampled_from(["triang", "uniform", "norm", "lognorm", "beta", "poisson",
                              "randint", "expon", "truncnorm", "nosuch"])},
    optional={name: numbers | words for name in ("c", "loc", "scale", "a", "b", "s", "mu",
                                                 "low", "high")})
scalars = st.one_of(st.none(), st.booleans(), numbers, words, dists)
keys = st.one_of(st.sampled_from(KEYS), st.text(max_size=8), st.integers(-3, 3))
values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=12)


@cache
def shipped(name: str) -> dict[str, Any]:
    """A shipped config with its tables inlined and a short horizon, as one mapping."""
    origins = _Origins()
    data = _load_with_extends(CONFIGS / name, origins)
    _expand_tables(data, origins, name, [])
    data.pop("extend", None)
    table = data.pop("uncertainty", None)  # inlined too: its distributions on the inputs
    if table:
        uncertainty.apply(data, uncertainty.read(Path(table), table), table)
    for section, changes in SHORT.items():
        data.setdefault(section, {}).update(changes)
    return data


def _paths(data: Any, prefix: tuple = ()) -> list[tuple]:
    """Every key path in a document, mappings and lists alike."""
    found = [prefix]
    if isinstance(data, dict):
        items = list(data.items())
    elif isinstance(data, list):
        items = list(enumerate(data))
    else:
        return found
    for key, value in items:
        found.extend(_paths(value, (*prefix, key)))
    return found


def _near(value: float) -> float:
    """Twice a number, capped (a value an earlier mutation made may be huge or NaN)."""
    try:
        top = 2.0 * abs(float(value))
    except OverflowError:
        return 1e9
    return top if math.isfinite(top) and top < 1e9 else 1e9


@st.composite
def mutated(draw: st.DrawFn, bases: list[str]) -> dict[str, Any]:
    """A base scenario with one to three random changes."""
    name = draw(st.sampled_from(bases))
    data = copy.deepcopy(TINY if name == "tiny" else shipped(name))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(data)[1:]))
        parent = data
        for key in path[:-1]:
            parent = parent[key]
        last = path[-1]
        action = draw(st.sampled_from(["nudge", "nudge", "replace", "drop", "add", "repeat"]))
        if action == "nudge" and isinstance(parent[last], int | float) \
                and not isinstance(parent[last], bool):  # a number for a number: often valid
            parent[last] = draw(st.one_of(numbers, st.floats(0, _near(parent[last]))))
        elif action in ("replace", "nudge"):
            parent[last] = draw(values)
        elif action == "drop":
            parent.pop(last)
        elif action == "add" and isinstance(parent[last], dict):
            parent[last][draw(keys)] = draw(values)
        elif action == "repeat" and isinstance(parent[last], list) and parent[last]:
            parent[last].append(parent[last][0])
    return data


def check(text: str) -> None:
    """validate exits 0 or 2 with clean output; if 0, a deterministic run completes."""
    runner = CliRunner()
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "fuzz.yaml"
        config.write_text(text, encoding="utf-8")
        result = runner.invoke(main, ["validate", str(config), "--quiet"])
        assert result.exit_code in (0, 2), (result.exit_code, result.output, text[:2000])
        assert "Traceback" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        for line in result.stderr.splitlines():
            assert line.startswith((str(config), "stockpile: error: ", f"{folder}/")), line
        if result.exit_code == 0:
            out = Path(folder) / "out"
            ran = runner.invoke(main, ["run", str(config), "--deterministic", "--quiet",
                                       "--out", str(out)])
            assert ran.exit_code == 0, (ran.output, text[:2000])
            ACCEPTED.append(1)
            assert (out / "manifest.json").is_file()


ACCEPTED: list[int] = []  # examples that validated and ran (see the last test)
MUTATED: list[int] = []  # mutated tiny scenarios tried in this process


def dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


@settings(FUZZ, max_examples=300 * max(1, SCALE))
@given(st.dictionaries(keys, values, max_size=8) | values)
def test_random_documents_never_crash_validate(document: Any) -> None:
    check(dump(document))


@settings(FUZZ, max_examples=200 * max(1, SCALE))
@given(mutated(["tiny"]))
def test_mutated_tiny_scenarios_validate_cleanly_and_run(data: dict[str, Any]) -> None:
    MUTATED.append(1)
    check(dump(data))


@settings(FUZZ, max_examples=24 * max(1, SCALE))  # each a full shipped config: ~1.3 s;
# 24 keep the suite under 5 minutes on 2 cores (STOCKPILE_FUZZ=N runs N times as many)
@given(mutated(sorted(p.name for p in CONFIGS.glob("*.yaml"))))
def test_mutated_shipped_configs_validate_cleanly_and_run(data: dict[str, Any]) -> None:
    check(dump(data))


@settings(FUZZ, max_examples=150 * max(1, SCALE))
@given(st.data())
def test_text_edits_of_a_valid_file_never_crash_validate(data: st.DataObject) -> None:
    text = dump(TINY)
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(text)))
        cut = data.draw(st.integers(0, 5))
        insert = data.draw(st.text(alphabet=":-[]{}&*!|>'\"#,?\n 0123456789.ae", max_size=6))
        text = text[:at] + insert + text[at + cut:]
    check(text)


def test_a_shipped_config_inlined_is_still_valid() -> None:
    """The fuzz bases are valid before they are mutated, so mutations test what they change."""
    for path in sorted(CONFIGS.glob("*.yaml")):
        check(dump(shipped(path.name)))


def test_the_fuzzed_scenarios_included_runnable_ones() -> None:
    """Mutations must not all be rejected, or the run half of the fuzz tests nothing."""
    if len(MUTATED) < 200 or not ACCEPTED:  # another worker ran them (xdist)
        pytest.skip("no fuzz test ran before this one (run the whole file)")
    assert len(ACCEPTED) >= 30, len(ACCEPTED)
