"""Latency percentiles, throughput and the per-second time series of a load run (pure)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from celeriac.ops.load.accounting import Accounting


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) with linear interpolation between closest ranks (numpy's default)."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} is outside 0-100")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


@dataclass(frozen=True)
class Spread:
    """p50/p95/p99 and max of one latency, in milliseconds, over ``n`` samples."""

    n: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float

    @classmethod
    def of(cls, seconds: Sequence[float]) -> Spread | None:
        if not seconds:
            return None
        ms = [s * 1000 for s in seconds]
        return cls(
            n=len(ms),
            p50_ms=round(percentile(ms, 50), 2),
            p95_ms=round(percentile(ms, 95), 2),
            p99_ms=round(percentile(ms, 99), 2),
            max_ms=round(max(ms), 2),
        )


@dataclass(frozen=True)
class Latencies:
    """Queue wait (sent → first start) and run time (last start → success) of the accounted tasks."""

    queue_wait: Spread | None
    run_time: Spread | None

    @classmethod
    def of(cls, acc: Accounting, *, name: str | None = None) -> Latencies:
        waits: list[float] = []
        runs: list[float] = []
        for task in acc.tasks.values():
            if name is not None and task.name != name:
                continue
            if task.started_at and task.sent_at is not None:
                # Clocks: the producer's and the workers' time.time() on the same host.
                waits.append(max(0.0, task.started_at[0] - task.sent_at))
            if task.started_at and task.succeeded_at is not None:
                runs.append(max(0.0, task.succeeded_at - task.started_at[-1]))
        return cls(queue_wait=Spread.of(waits), run_time=Spread.of(runs))


def throughput(acc: Accounting) -> float:
    """Tasks finished per second, from the first send to the last finish (0 when nothing finished)."""
    sends = [t.sent_at for t in acc.tasks.values() if t.sent_at is not None]
    ends = [t.finished_at for t in acc.tasks.values() if t.finished_at is not None]
    if not sends or not ends:
        return 0.0
    span = max(ends) - min(sends)
    return len(ends) / span if span > 0 else float(len(ends))


@dataclass
class _Second:
    sent: int = 0
    started: int = 0
    succeeded: int = 0
    failed: int = 0
    waits: list[float] = field(default_factory=list)


def series(acc: Accounting) -> list[dict[str, float | int | None]]:
    """One row per second since the first send: how many tasks were sent, started, succeeded and failed in
    it, and the p95 queue wait of the tasks that first started in it."""
    sends = [t.sent_at for t in acc.tasks.values() if t.sent_at is not None]
    if not sends:
        return []
    t0 = min(sends)
    rows: dict[int, _Second] = {}

    def at(stamp: float) -> _Second:
        return rows.setdefault(max(0, int(stamp - t0)), _Second())

    for t in acc.tasks.values():
        if t.sent_at is not None:
            at(t.sent_at).sent += 1
        for i, start in enumerate(t.started_at):
            second = at(start)
            second.started += 1
            if i == 0 and t.sent_at is not None:
                second.waits.append(start - t.sent_at)
        if t.succeeded_at is not None:
            at(t.succeeded_at).succeeded += 1
        if t.failed_at is not None:
            at(t.failed_at).failed += 1
    out: list[dict[str, float | int | None]] = []
    for sec in range(max(rows) + 1):
        r = rows.get(sec, _Second())
        out.append(
            {
                "t_s": sec,
                "sent": r.sent,
                "started": r.started,
                "succeeded": r.succeeded,
                "failed": r.failed,
                "wait_p95_ms": round(percentile(r.waits, 95) * 1000, 2) if r.waits else None,
            }
        )
    return out


def names(acc: Accounting) -> Iterable[str]:
    return sorted({t.name for t in acc.tasks.values()})
