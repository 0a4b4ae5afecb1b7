"""Job rows as the compare engine's pairs: each path's payload and latency, the stored differences."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import QuerySet

from celeriac.ops.compare import Difference, Pair, PathResult
from celeriac_site.bridge.models import Evaluation
from celeriac_site.bridge.services.compare import compare


def mirrored(since: dt.datetime | None = None) -> QuerySet[Evaluation]:
    qs = Evaluation.objects.filter(mirrored=True).select_related("comparison")
    return qs.filter(submitted_at__gte=since) if since is not None else qs


def in_flight(ev: Evaluation, now: dt.datetime, timeout: dt.timedelta) -> bool:
    """Still waiting for a result that may yet come: neither compared nor overdue."""
    incomplete = ev.legacy_finished_at is None or ev.celery_finished_at is None
    failed_send = not (ev.sent_legacy and ev.sent_celery)
    return incomplete and not failed_send and now - ev.submitted_at < timeout


def to_pairs(rows: Iterable[Evaluation]) -> list[Pair]:
    return [to_pair(ev) for ev in rows]


def to_pair(ev: Evaluation) -> Pair:
    legacy = _result(ev, ev.legacy_result, ev.legacy_finished_at)
    celery = _result(ev, ev.celery_result, ev.celery_finished_at)
    stored = getattr(ev, "comparison", None)
    if legacy is None or celery is None:
        diffs: tuple[Difference, ...] = ()
    elif stored is not None and stored.outcome != "missing":
        diffs = tuple(Difference(d["field"], d["legacy"], d["celery"]) for d in stored.differences)
    else:
        # Both in, not compared yet (the collector runs every few seconds): the same rules, now.
        diffs = tuple(compare(legacy.payload, celery.payload))
    note = ev.send_error or (stored.note if stored is not None else "")
    return Pair(ev.job_id, ev.submitted_at.timestamp(), legacy, celery, diffs, note)


def _result(ev: Evaluation, payload: dict[str, object] | None, at: dt.datetime | None) -> PathResult | None:
    if payload is None or at is None:
        return None
    latency_ms = (at - ev.submitted_at).total_seconds() * 1000
    return PathResult(payload, round(latency_ms, 1), at.timestamp())
