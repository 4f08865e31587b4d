"""The seed tree: root seed -> run seeds (-> per-source streams inside the model).

Run r gets the same seed at every design point and in every procurement mode, so
points and modes are compared on common random numbers, and the result of a
run does not depend on which worker ran it or in what order.
"""

from __future__ import annotations

import numpy as np


def run_seed(root: int, run: int) -> int:
    """The seed of replication ``run`` under root seed ``root`` (a 63-bit integer)."""
    sequence = np.random.SeedSequence(int(root), spawn_key=(int(run),))
    return int(sequence.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))


def run_seeds(root: int, runs: int, first: int = 0) -> list[int]:
    return [run_seed(root, r) for r in range(first, first + runs)]
