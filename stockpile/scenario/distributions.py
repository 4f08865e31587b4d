"""Uncertain inputs: any number in a scenario may be ``{dist: NAME, ...params}``.

A distribution is checked when the scenario is loaded (the name exists in
``scipy.stats`` and the parameters give a proper distribution), so that a typo
fails validation instead of run 4,812 of a sweep.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Annotated, Any

import numpy as np
import scipy.stats
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError


def _error(message: str) -> PydanticCustomError:
    """A validation error whose text is shown as it is (no template fields)."""
    return PydanticCustomError("stockpile", message)


@cache
def _scipy_names() -> frozenset[str]:
    """Distribution names scipy.stats offers (cached: a scenario may hold thousands)."""
    kinds = scipy.stats.rv_continuous | scipy.stats.rv_discrete
    return frozenset(name for name in dir(scipy.stats)
                     if isinstance(getattr(scipy.stats, name), kinds))


class Dist(BaseModel):
    """A scipy.stats distribution named in a scenario, with its parameters."""

    model_config = ConfigDict(extra="allow", frozen=True)

    dist: str

    @model_validator(mode="after")
    def _check(self) -> Dist:
        names = _scipy_names()
        if self.dist not in names:
            close = [n for n in ("triang", "uniform", "lognorm", "beta", "norm", "truncnorm",
                                 "gamma", "poisson", "randint", "expon") if n in names]
            raise _error(f"unknown distribution '{self.dist}' (a scipy.stats name, e.g. "
                         f"{', '.join(close[:5])})")
        try:
            frozen = self.frozen
            centre = float(frozen.median())
            ends = self.support()
        except (TypeError, ValueError, ArithmeticError) as exc:
            why = " ".join(str(exc).split()) or type(exc).__name__
            raise _error(f"bad parameters for '{self.dist}': {why}") from None
        if not math.isfinite(centre) or any(math.isnan(end) for end in ends):
            raise _error(f"parameters {self.params} do not give a valid '{self.dist}' "
                         "distribution (see scipy.stats for its parameters)")
        return self

    @property
    def params(self) -> dict[str, Any]:
        return dict(self.model_extra or {})

    @cached_property
    def frozen(self) -> Any:
        return getattr(scipy.stats, self.dist)(**self.params)

    def median(self) -> float:
        """The central value used by ``--deterministic``, to 12 significant digits: a range
        set as 0.5-1.5 times a table's 0.6 has its median at 0.5999999999999999 in floating
        point, and a deterministic run should take the table's own 0.6."""
        return self._median

    @cached_property
    def _median(self) -> float:
        """Worked out once: every deterministic run of a sweep asks again."""
        return float(f"{float(self.frozen.median()):.12g}")

    def sample(self, rng: np.random.Generator) -> float:
        return self._draw(rng)

    @cached_property
    def _draw(self) -> Callable[[np.random.Generator], float]:
        """One value as ``frozen.rvs(random_state=rng)`` draws it, from the same stream."""
        return scipy_draw(self.frozen)

    def support(self) -> tuple[float, float]:
        lo, hi = self.frozen.support()
        return float(lo), float(hi)


def scipy_draw(frozen: Any) -> Callable[[np.random.Generator], float]:
    """``float(frozen.rvs(random_state=rng))`` with scipy's per-call work done once.

    A frozen distribution's ``rvs`` parses, broadcasts and checks its parameters on
    every call (about 25 µs), then calls the distribution's own ``_rvs`` and scales it;
    a run draws some 380 inputs. This does the parsing and checking here and keeps
    the rest exactly as ``rv_generic.rvs`` does it (same ``_rvs`` call with the same
    arguments, ``vals * scale + loc``, ``int`` for a discrete distribution), so the
    values are bit for bit scipy's. Anything unusual (a distribution with its own
    ``rvs``, a zero scale, a table distribution) goes through ``rvs`` itself.
    """
    def through_scipy(rng: np.random.Generator) -> float:
        return float(frozen.rvs(random_state=rng))

    gen = frozen.dist
    kind = (scipy.stats.rv_discrete if isinstance(gen, scipy.stats.rv_discrete)
            else scipy.stats.rv_continuous)
    plain = (type(frozen).rvs is _FROZEN_RVS and type(gen).rvs is kind.rvs
             and type(gen)._argcheck_rvs is _ARGCHECK_RVS
             and not isinstance(gen, _RV_SAMPLE))
    if not plain:
        return through_scipy
    try:
        args, loc, scale, size = gen._parse_args_rvs(*frozen.args, **frozen.kwds)
        ok = np.all(np.logical_and(gen._argcheck(*args), scale >= 0))
    except (TypeError, ValueError, ArithmeticError):
        return through_scipy  # let rvs raise its own error
    if not ok or np.all(scale == 0) or size != ():
        return through_scipy
    draw = gen._rvs
    if kind is scipy.stats.rv_discrete:
        def discrete(rng: np.random.Generator) -> float:
            return float(int(draw(*args, size=size, random_state=rng) * scale + loc))

        return discrete

    def continuous(rng: np.random.Generator) -> float:
        return float(draw(*args, size=size, random_state=rng) * scale + loc)

    return continuous


_FROZEN_RVS = scipy.stats.distributions.rv_frozen.rvs
_ARGCHECK_RVS = scipy.stats.rv_continuous._argcheck_rvs
_RV_SAMPLE = scipy.stats._distn_infrastructure.rv_sample


def _bounds_check(lo: float | None, hi: float | None, what: str, integer: bool):
    def check(value: float | Dist) -> float | Dist:
        if isinstance(value, Dist):
            vlo, vhi = value.support()
            if (lo is not None and vlo < lo) or (hi is not None and vhi > hi):
                raise _error(f"distribution '{value.dist}' reaches outside {what} "
                             f"(support {vlo:g}..{vhi:g})")
            return value
        if not math.isfinite(value):
            raise _error(f"must be a finite number ({what})")
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            raise _error(f"{value:g} is out of range ({what})")
        if integer and value != int(value):
            raise _error(f"{value:g} is not a whole number ({what})")
        return value

    return check


def _parse_number(value: Any) -> float | Dist:
    """One clear message for 'not a number', instead of one per union branch."""
    if isinstance(value, Dist):
        return value
    if isinstance(value, dict):
        if "dist" not in value:
            raise _error("a mapping here must name a distribution ({dist: NAME, ...})")
        try:
            return Dist.model_validate(value)
        except ValidationError as exc:
            raise _error(exc.errors()[0]["msg"]) from None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _error(f"not a number (got {value!r}; a number or {{dist: NAME, ...}})")
    try:
        return float(value)
    except (ValueError, OverflowError):  # OverflowError: an integer beyond any float
        raise _error(f"not a number (got {value!r}; a number or {{dist: NAME, ...}})") from None


@dataclass(frozen=True)
class NumberSpec:
    """The range of a numeric input, kept in its type so the config reference can show it."""

    lo: float | None
    hi: float | None
    what: str
    integer: bool


def bounded(lo: float | None = None, hi: float | None = None, what: str = "",
            integer: bool = False) -> Any:
    """A numeric input type: a number or a distribution, both within [lo, hi]."""
    if not what and lo is None and hi is None:
        what = "any number"
    if not what:
        what = (f"between {lo:g} and {hi:g}" if lo is not None and hi is not None
                else f"at least {lo:g}" if lo is not None else f"at most {hi:g}")
    return Annotated[
        float | Dist,
        BeforeValidator(_parse_number),
        AfterValidator(_bounds_check(lo, hi, what, integer)),
        NumberSpec(lo, hi, what, integer),
    ]


#: the largest plain quantity a scenario may give: far above any real figure, far below where
#: the model's sums, products and Poisson rates overflow (see ``bounds`` for tighter limits)
LARGEST = 1e9

Share = bounded(0.0, 1.0, "a share between 0 and 1")
NonNeg = bounded(0.0, LARGEST, "zero to 1e9")
Positive = bounded(1e-12, LARGEST, "greater than 0, at most 1e9")
Growth = bounded(-0.5, 1.0, "a yearly rate between -0.5 and 1")


def central(value: float | Dist | Mapping) -> float:
    """The number itself, or the distribution's median (given as a ``Dist`` or, as in a
    manifest's scenario, as its ``{dist: ...}`` mapping)."""
    if isinstance(value, Dist):
        return value.median()
    if isinstance(value, Mapping):
        return Dist.model_validate(dict(value)).median()
    return float(value)
