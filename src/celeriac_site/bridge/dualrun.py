"""The compare source of ``celeriac compare``: a fresh dual run of a job set, or the stored live results."""

from __future__ import annotations

import datetime as dt
import itertools
import time
from collections.abc import Sequence

from celeriac.ops.compare import Pair, Progress

#: The job set: A+B in Python and C, right, wrong, crashing and not compiling. Cheap (no TLE/MLE runs),
#: and every compared field (verdict, output, exit code, error, compiler output) takes several values.
JOB_SET = (
    ("python", "AC"),
    ("c", "AC"),
    ("python", "WA"),
    ("c", "WA"),
    ("python", "RE"),
    ("c", "RE"),
    ("python", "CE"),
    ("c", "CE"),
)
POLL_S = 0.5
USER = "celeriac-compare"


class DualRun:
    """Jobs through the real gateway in mirror mode (100 % shadow, whatever the switches say)."""

    def run(self, jobs: int, *, timeout_s: float, progress: Progress) -> Sequence[Pair]:
        _django()
        from django.db.models import Q

        from celeriac_site.bridge.models import BridgeSettings, Evaluation
        from celeriac_site.bridge.services import gateway, pairs, results
        from celeriac_site.bridge.services.routing import Mode, PathName, Switches
        from celeriac_site.judge.problemset.load import load
        from celeriac_site.judge.problemset.problems import PROBLEMS
        from celeriac_site.judge.problemset.submissions import APLUSB

        (problem,) = load([p for p in PROBLEMS if p.problem_id == "aplusb"])
        tests = gateway.problem_tests(problem.pk)
        answer = PathName(BridgeSettings.load().effective_answer)
        forced = Switches(Mode.MIRROR, answer, 100)
        ids: list[int] = []
        for i, (language, verdict) in zip(range(jobs), itertools.cycle(JOB_SET), strict=False):
            ev = gateway.submit(
                problem, language, APLUSB[(language, verdict)], USER, tests=tests, switches=forced
            )
            ids.append(ev.pk)
            progress("sending", i + 1, jobs)
        deadline = time.monotonic() + timeout_s
        # A job is settled when each path it reached has answered (a failed send never will).
        settled = Q(Q(sent_legacy=False) | Q(legacy_finished_at__isnull=False)) & Q(
            Q(sent_celery=False) | Q(celery_finished_at__isnull=False)
        )
        while True:
            results.collect(only=ids)
            done = Evaluation.objects.filter(pk__in=ids).filter(settled).count()
            progress("results", done, jobs)
            if done == jobs or time.monotonic() > deadline:
                break
            time.sleep(POLL_S)
        results.collect(only=ids)
        rows = Evaluation.objects.filter(pk__in=ids).select_related("comparison").order_by("submitted_at")
        return pairs.to_pairs(rows)

    def stored(self, *, since_s: float | None, limit: int) -> Sequence[Pair]:
        _django()
        from django.utils import timezone

        from celeriac_site.bridge.models import BridgeSettings
        from celeriac_site.bridge.services import pairs

        now = timezone.now()
        since = now - dt.timedelta(seconds=since_s) if since_s else None
        timeout = dt.timedelta(seconds=BridgeSettings.load().result_timeout_s)
        rows = list(pairs.mirrored(since).order_by("-submitted_at")[:limit])
        # Jobs whose results may still come are left out: they are neither a match nor missing yet.
        return pairs.to_pairs(reversed([ev for ev in rows if not pairs.in_flight(ev, now, timeout)]))


def source() -> DualRun:
    return DualRun()


def _django() -> None:
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()
