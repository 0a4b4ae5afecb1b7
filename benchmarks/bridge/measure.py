"""One measured phase: N jobs of the job set through one path (or both), as a burst or at a steady rate."""

from __future__ import annotations

import itertools
import os
import random
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import redis

from benchmarks.bridge.stack import Proc

#: Give up on a phase's stragglers after this long; they count as lost.
SETTLE_TIMEOUT_S = 300.0
POLL_S = 0.1


@dataclass
class Phase:
    """What one phase measured, per path that ran (``legacy``, ``celery``; both in a mirror phase)."""

    mode: str  #: legacy | celery | mirror
    kind: str  #: burst (all at once: capacity) | paced (Poisson arrivals at rate_per_min: latency)
    rep: int
    jobs: int
    rate_per_min: float | None
    tasks_per_min: dict[str, float] = field(default_factory=dict)
    p50_ms: dict[str, float] = field(default_factory=dict)
    p99_ms: dict[str, float] = field(default_factory=dict)
    cpu_ms_per_task: dict[str, float] = field(default_factory=dict)
    wait_p50_ms: dict[str, float] = field(default_factory=dict)  #: submitted → the path started the job
    lost: dict[str, int] = field(default_factory=dict)
    matched: int | None = None
    mismatched: int | None = None
    load_1m: float = 0.0


class Bench:
    """The gateway, both paths' processes and their Redis servers, driven from this process."""

    def __init__(self, executors: list[Proc], workers: list[Proc], broker_url: str, bridge_url: str) -> None:
        from celeriac_site.bridge.services import gateway
        from celeriac_site.judge.problemset.load import load
        from celeriac_site.judge.problemset.problems import PROBLEMS

        self.procs = {"legacy": executors, "celery": workers}
        self.redis = {"legacy": redis.Redis.from_url(bridge_url), "celery": redis.Redis.from_url(broker_url)}
        (self.problem,) = load([p for p in PROBLEMS if p.problem_id == "aplusb"])
        self.tests = gateway.problem_tests(self.problem.pk)

    def jobs(self, n: int) -> list[tuple[str, str]]:
        from celeriac_site.bridge.dualrun import JOB_SET
        from celeriac_site.judge.problemset.submissions import APLUSB

        return [
            (lang, APLUSB[(lang, verdict)]) for (lang, verdict), _ in zip(itertools.cycle(JOB_SET), range(n))
        ]

    def cpu_s(self, path: str) -> float:
        info: Any = self.redis[path].info("cpu")
        redis_s = float(info["used_cpu_user"]) + float(info["used_cpu_sys"])
        return redis_s + sum(p.cpu_s() for p in self.procs[path])

    def run(
        self, mode: str, kind: str, n: int, rep: int, *, rate_per_min: float | None = None, seed: int = 0
    ) -> Phase:
        from celeriac.ops.compare import build_report
        from celeriac_site.bridge.models import Evaluation
        from celeriac_site.bridge.services import gateway, pairs
        from celeriac_site.bridge.services.routing import Mode, PathName, Switches

        switches = Switches(Mode(mode), PathName.LEGACY if mode != "celery" else PathName.CELERY, 100)
        paths = ["legacy", "celery"] if mode == "mirror" else [mode]
        cpu0 = {p: self.cpu_s(p) for p in paths}
        rng = random.Random(seed)
        began = time.monotonic()
        due = 0.0
        ids: list[int] = []
        for language, code in self.jobs(n):
            if kind == "paced" and rate_per_min:
                due += rng.expovariate(rate_per_min / 60)  # random gaps: fixed ones lock onto pollers' phases
                time.sleep(max(0.0, began + due - time.monotonic()))
            ev = gateway.submit(self.problem, language, code, "bench", tests=self.tests, switches=switches)
            ids.append(ev.pk)
        self._settle(ids)
        cpu1 = {p: self.cpu_s(p) for p in paths}
        rows = list(Evaluation.objects.filter(pk__in=ids).select_related("comparison"))
        got = pairs.to_pairs(rows)
        phase = Phase(mode, kind, rep, n, rate_per_min, load_1m=round(os.getloadavg()[0], 2))
        report = build_report(got, target="bench", source=mode, fail_on_mismatch=False)
        for path in paths:
            stats = report.summary["paths"][path]
            done = stats["results"] if stats else 0
            phase.lost[path] = n - done
            if stats:
                phase.tasks_per_min[path] = stats["tasks_per_min"]
                phase.p50_ms[path] = stats["p50_ms"]
                phase.p99_ms[path] = stats["p99_ms"]
                phase.cpu_ms_per_task[path] = round((cpu1[path] - cpu0[path]) * 1000 / done, 1)
                waits = [
                    (started - ev.submitted_at).total_seconds() * 1000
                    for ev in rows
                    if (started := getattr(ev, f"{path}_started_at")) is not None
                ]
                phase.wait_p50_ms[path] = round(statistics.median(waits), 1) if waits else 0.0
        if mode == "mirror":
            phase.matched, phase.mismatched = report.summary["matched"], report.summary["mismatched"]
        return phase

    def _settle(self, ids: Sequence[int]) -> None:
        from django.db.models import Q

        from celeriac_site.bridge.models import Evaluation
        from celeriac_site.bridge.services import results

        pending = Q(sent_legacy=True, legacy_finished_at__isnull=True) | Q(
            sent_celery=True, celery_finished_at__isnull=True
        )
        deadline = time.monotonic() + SETTLE_TIMEOUT_S
        while time.monotonic() < deadline:
            # The collector's work (copying legacy results from Redis into the rows) runs here, outside
            # the measured processes; the latency is the executor's own finish time either way.
            results.collect(only=ids)
            if not Evaluation.objects.filter(pk__in=ids).filter(pending).exists():
                return
            time.sleep(POLL_S)
