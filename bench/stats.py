"""Medians with their spread: every figure in the report is one of these over several rounds."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass


@dataclass(frozen=True)
class Spread:
    """The median of several samples, with min, max and the sample count."""

    median: float
    low: float
    high: float
    n: int

    @classmethod
    def of(cls, samples: list[float]) -> Spread | None:
        """Summarise ``samples``; None when there are none (a skipped or failed measurement)."""
        values = [float(s) for s in samples if s is not None]
        if not values:
            return None
        return cls(statistics.median(values), min(values), max(values), len(values))

    def as_dict(self, digits: int = 3) -> dict:
        """JSON-friendly form, rounded to keep result files readable."""
        return {"median": round(self.median, digits), "min": round(self.low, digits),
                "max": round(self.high, digits), "n": self.n}


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of already sorted values (``fraction`` in 0..1), as wrk reports it."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), math.ceil(fraction * len(sorted_values))))
    return sorted_values[rank - 1]


def ratios(numerators: list[float], denominators: list[float]) -> list[float]:
    """Round-by-round ratios of two contenders measured side by side (pairs with a zero are dropped)."""
    return [n / d for n, d in zip(numerators, denominators) if n is not None and d]
