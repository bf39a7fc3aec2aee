"""Benchmarks: ``make bench`` runs every ``benchmarks/bench_*.py``.

Each module defines ``main() -> dict`` that measures the toolkit against a baseline run in the
same process and returns its figures (ratios, not absolute times, are the targets). Results are
printed and written to ``benchmarks/results/<name>.json``.
"""

import time
from collections.abc import Callable


def best_of(fn: Callable[[], object], repeat: int = 3) -> float:
    """Best wall time (seconds) of ``repeat`` calls of ``fn``: the least disturbed run."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best
