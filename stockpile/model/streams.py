"""Random streams: one per stochastic source, derived from the run's seed by name.

Deriving by name (not by spawn order) means adding a new source leaves the
others' draws unchanged, and two policies compared on the same run seed see the
same world (common random numbers).
"""

from __future__ import annotations

import zlib

import numpy as np


def source_key(name: str) -> int:
    return zlib.crc32(name.encode("utf-8"))


class Streams:
    def __init__(self, seed: int):
        self.seed = int(seed)
        self._cache: dict[str, np.random.Generator] = {}

    def rng(self, name: str) -> np.random.Generator:
        """The generator of one source, e.g. ``stoppages:pac3_camden`` or ``inputs:<path>``."""
        if name not in self._cache:
            sequence = np.random.SeedSequence(self.seed, spawn_key=(source_key(name),))
            self._cache[name] = np.random.default_rng(sequence)
        return self._cache[name]
