"""Side-by-side load rounds: every contender once per round, order rotated, so noise hits all alike."""

from __future__ import annotations

from collections.abc import Callable

from bench.context import Plan
from bench.load import LoadResult, LoadSpec, run_load
from bench.report import Row, row
from bench.stats import Spread, ratios

SpecFactory = Callable[[], LoadSpec]


def interleaved(contenders: dict[str, SpecFactory], plan: Plan, log=print) -> dict[str, list[LoadResult]]:
    """Warm each contender up, then ``plan.rounds`` rounds; round r starts at contender r (round-robin)."""
    names = list(contenders)
    for name in names:
        spec = contenders[name]()
        spec.duration = plan.warmup
        run_load(spec)
    results: dict[str, list[LoadResult]] = {name: [] for name in names}
    for r in range(plan.rounds):
        order = names[r % len(names):] + names[:r % len(names)]
        for name in order:
            result = run_load(contenders[name]())
            results[name].append(result)
            log(f"  round {r + 1}/{plan.rounds}  {name:<24} {result.rps:>8.0f} req/s  p50 {result.p50_ms:6.2f} ms"
                f"  p99 {result.p99_ms:6.2f} ms  errors {result.errors}")
    return results


def summary(results: list[LoadResult]) -> dict:
    """Medians with spread of one contender's rounds."""
    return {"rps": Spread.of([r.rps for r in results]).as_dict(1),
            "p50_ms": Spread.of([r.p50_ms for r in results]).as_dict(3),
            "p99_ms": Spread.of([r.p99_ms for r in results]).as_dict(3),
            "errors": sum(r.errors for r in results), "requests": sum(r.requests for r in results),
            "rounds": [r.as_dict() for r in results]}


def load_rows(section: str, label: str, results: list[LoadResult]) -> list[Row]:
    """Three rows for one contender: requests/s, p50 and p99 latency."""
    errors = sum(r.errors for r in results)
    note = f" ({errors} errors)" if errors else ""
    return [row(section, f"{label}: req/s{note}", Spread.of([r.rps for r in results]), "req/s"),
            row(section, f"{label}: p50 latency", Spread.of([r.p50_ms for r in results]), "ms"),
            row(section, f"{label}: p99 latency", Spread.of([r.p99_ms for r in results]), "ms")]


def ratio(a: list[LoadResult], b: list[LoadResult]) -> Spread | None:
    """Round-by-round throughput ratio a/b (each pair measured side by side in the same round)."""
    return Spread.of(ratios([r.rps for r in a], [r.rps for r in b]))


def ratio_row(section: str, label: str, a: list[LoadResult], b: list[LoadResult], target: float) -> tuple[Row, dict]:
    """A ratio row with its target, PASS/MISS on the median, and its JSON form."""
    spread = ratio(a, b)
    passed = spread is not None and spread.median >= target
    data = {"ratio": spread.as_dict(3) if spread else None, "target": target, "pass": passed}
    return row(section, label, spread, "×", digits=2, target=f"≥ {target:g}", passed=passed), data
