"""Both paths' results into the job rows: the Celery task's own, the legacy ones collected from Redis."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import socket
from collections.abc import Sequence
from typing import Any

import redis
from django.db.models import Q, QuerySet
from django.utils import timezone

from celeriac_site.bridge import conf
from celeriac_site.bridge.models import Evaluation
from celeriac_site.bridge.services import comparisons, runner
from celeriac_site.bridge.services.gateway import legacy_queue, problem_tests, spec_for

log = logging.getLogger("celeriac.bridge")
#: Rows per query and per Redis MGET of a collector run, and batches per run.
COLLECT_BATCH = 1000
MAX_BATCHES = 20
#: Legacy results are looked for this long after submission (Redis keeps them for conf.RESULT_TTL_S).
COLLECT_HORIZON = dt.timedelta(days=1)


def run_celery(job_id: str) -> dict[str, Any]:
    """The Celery path: evaluate the job with the shared runner and store the result once.

    A redelivery (worker killed after the write) finds the result and does not run the job again.
    """
    ev = Evaluation.objects.select_related("problem").filter(job_id=job_id).first()
    if ev is None:
        return {"job": job_id, "verdict": "", "error": "no such job"}
    if ev.celery_finished_at is not None:
        return {"job": job_id, "verdict": (ev.celery_result or {}).get("verdict", ""), "redelivered": True}
    spec = spec_for(job_id, ev.language, ev.code, ev.problem, problem_tests(ev.problem_id))
    started = timezone.now()
    payload = runner.run(spec)
    finished = timezone.now()
    Evaluation.objects.filter(pk=ev.pk, celery_finished_at__isnull=True).update(
        celery_result=payload,
        celery_started_at=started,
        celery_finished_at=finished,
        celery_runner=f"{socket.gethostname()}:{os.getpid()}",
    )
    announce(job_id, "celery")
    if ev.mirrored and ev.sent_legacy:
        # The usual order: the legacy result is often in already; compare now instead of at the next sweep.
        if ev.legacy_finished_at is None:
            fetch_legacy(ev)
        if ev.legacy_finished_at is not None:
            ev.celery_result, ev.celery_finished_at = payload, finished
            comparisons.store([ev])
    return {"job": job_id, "verdict": payload.get("verdict", "")}


def announce(job_id: str, path: str) -> None:
    """Publish on the event bus; a bus that is down costs the announcement, never the result."""
    try:
        legacy_queue().client.publish(conf.EVENTS_CHANNEL, json.dumps({"job": job_id, "path": path}))
    except redis.RedisError as exc:
        log.warning("bridge: event bus unavailable, %s result of %s not announced: %s", path, job_id, exc)


def fetch_legacy(ev: Evaluation) -> bool:
    """Copy the job's legacy result from the queue Redis into the row, if there is one; True if copied."""
    try:
        record = legacy_queue().result(ev.job_id)
    except redis.RedisError as exc:
        log.warning("bridge: queue Redis unavailable, legacy result of %s not read: %s", ev.job_id, exc)
        return False
    if record is None:
        return False
    _apply(ev, record)
    Evaluation.objects.filter(pk=ev.pk, legacy_finished_at__isnull=True).update(
        legacy_result=ev.legacy_result,
        legacy_started_at=ev.legacy_started_at,
        legacy_finished_at=ev.legacy_finished_at,
        legacy_runner=ev.legacy_runner,
    )
    return True


def collect(now: dt.datetime | None = None, *, only: Sequence[int] | None = None) -> dict[str, int]:
    """One sweep: copy in legacy results, compare jobs with both results, report the overdue as missing.

    ``only``: restrict the sweep to these evaluation ids (a dual run waiting for its own jobs).
    """
    now = now or timezone.now()
    scope = Evaluation.objects.all() if only is None else Evaluation.objects.filter(pk__in=only)
    collected = _collect_legacy(scope, now)
    ready = list(
        scope.filter(mirrored=True, legacy_finished_at__isnull=False, celery_finished_at__isnull=False)
        .filter(Q(comparison__isnull=True) | Q(comparison__outcome="missing"))
        .select_related("comparison")
        .order_by("submitted_at")[:COLLECT_BATCH]
    )
    compared = comparisons.store(ready)
    missing = comparisons.store_missing(_overdue(scope, now))
    return {"collected": collected, "compared": compared, "missing": missing}


def _collect_legacy(scope: QuerySet[Evaluation], now: dt.datetime) -> int:
    """Copy in every legacy result that arrived, in batches (keyset by id, so dead jobs never starve new)."""
    pending = scope.filter(
        sent_legacy=True, legacy_finished_at__isnull=True, submitted_at__gte=now - COLLECT_HORIZON
    ).only("pk", "job_id")
    collected, last_pk = 0, 0
    for _ in range(MAX_BATCHES):
        batch = list(pending.filter(pk__gt=last_pk).order_by("pk")[:COLLECT_BATCH])
        if not batch:
            break  # no Redis round trip at all when there is nothing to wait for
        try:
            records = legacy_queue().results(ev.job_id for ev in batch)
        except redis.RedisError as exc:
            log.warning("bridge: queue Redis unavailable, legacy results not collected: %s", exc)
            break
        done = [ev for ev in batch if ev.job_id in records]
        for ev in done:
            _apply(ev, records[ev.job_id])
        fields = ["legacy_result", "legacy_started_at", "legacy_finished_at", "legacy_runner"]
        Evaluation.objects.bulk_update(done, fields, batch_size=200)
        collected += len(done)
        last_pk = batch[-1].pk
        if len(batch) < COLLECT_BATCH:
            break  # that was the last batch: spare the empty query
    return collected


def _overdue(scope: QuerySet[Evaluation], now: dt.datetime) -> list[Evaluation]:
    """Mirrored jobs without a comparison whose missing side will not come: never sent, or timed out."""
    from celeriac_site.bridge.models import BridgeSettings

    timeout = dt.timedelta(seconds=BridgeSettings.load().result_timeout_s)
    incomplete = Q(legacy_finished_at__isnull=True) | Q(celery_finished_at__isnull=True)
    never_sent = Q(sent_legacy=False) | Q(sent_celery=False)
    return list(
        scope.filter(mirrored=True, comparison__isnull=True)
        .filter(incomplete)
        .filter(never_sent | Q(submitted_at__lt=now - timeout))
        .order_by("submitted_at")[:COLLECT_BATCH]
    )


def _apply(ev: Evaluation, record: dict[str, Any]) -> None:
    ev.legacy_result = record["payload"]
    ev.legacy_started_at = _when(record.get("started_at"))
    ev.legacy_finished_at = _when(record.get("finished_at")) or timezone.now()
    ev.legacy_runner = str(record.get("executor", ""))[:200]


def _when(epoch: Any) -> dt.datetime | None:
    if not isinstance(epoch, int | float):
        return None
    return dt.datetime.fromtimestamp(epoch, tz=dt.UTC)
