"""Percentiles for the benchmarks: one definition for every script."""

import math


def nearest_rank(values: list[float], q: float) -> float:
    """The q-quantile by the nearest-rank method: the smallest value with at least
    q of the samples at or below it. Of 100 samples, p99 is the 99th smallest (the
    slowest one is above it); of 200, the 198th.

    Until 2026-11-23 the scripts took the value at index int(q * n) instead, one rank
    higher: of 100 samples their "p99" was the maximum.
    """
    ordered = sorted(values)
    return ordered[min(len(ordered), max(math.ceil(q * len(ordered)), 1)) - 1]
