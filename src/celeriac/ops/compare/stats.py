"""Throughput and latency percentiles of each path over a set of pairs (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from celeriac.ops.compare.model import PATHS, Pair
from celeriac.ops.load.stats import percentile


@dataclass(frozen=True)
class PathStats:
    """One path over a run: results in, tasks per minute, latency percentiles (submitted → result)."""

    path: str
    results: int
    tasks_per_min: float
    p50_ms: float
    p99_ms: float
    max_ms: float

    def line(self) -> str:
        return (
            f"{self.tasks_per_min:,.0f} tasks/min, p50 {self.p50_ms:,.0f} ms, p99 {self.p99_ms:,.0f} ms "
            f"(max {self.max_ms:,.0f} ms) over {self.results} results"
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def path_stats(pairs: Sequence[Pair], path: str) -> PathStats | None:
    """None when the path returned no result at all.

    Throughput counts the results that arrived between the first submission and this path's last
    result, so a path that keeps up with arrivals shows the arrival rate, and one that falls behind
    shows its own pace.
    """
    got = [(p.submitted_at, r) for p in pairs if (r := p.result(path)) is not None]
    if not got:
        return None
    latencies = [r.latency_ms for _, r in got]
    first = min(p.submitted_at for p in pairs)
    span_s = max(r.finished_at for _, r in got) - first
    per_min = len(got) / span_s * 60 if span_s > 0 else 0.0
    return PathStats(
        path=path,
        results=len(got),
        tasks_per_min=round(per_min, 1),
        p50_ms=round(percentile(latencies, 50), 1),
        p99_ms=round(percentile(latencies, 99), 1),
        max_ms=round(max(latencies), 1),
    )


def all_path_stats(pairs: Sequence[Pair]) -> dict[str, PathStats | None]:
    return {path: path_stats(pairs, path) for path in PATHS}
