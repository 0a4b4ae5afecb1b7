"""What a poll returns: the answering path's result, the other path's when it is late, or why not."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from celeriac_site.bridge.models import BridgeSettings, Evaluation
from celeriac_site.bridge.services.results import fetch_legacy
from celeriac_site.bridge.services.routing import PathName, Status, pick_answer


def answer(ev: Evaluation, switches: BridgeSettings | None = None) -> dict[str, Any]:
    """The poll's body for ``ev``. Reads the queue Redis directly when the legacy result is wanted and
    not copied in yet, so a legacy answer never waits for the collector."""
    sw = switches or BridgeSettings.load()
    if ev.sent_legacy and ev.legacy_finished_at is None:
        fetch_legacy(ev)
    results = {
        PathName.LEGACY: ev.legacy_finished_at is not None,
        PathName.CELERY: ev.celery_finished_at is not None,
    }
    sent = {PathName.LEGACY: ev.sent_legacy, PathName.CELERY: ev.sent_celery}
    age_s = (timezone.now() - ev.submitted_at).total_seconds()
    picked = pick_answer(
        PathName(ev.answer_path),
        results,
        sent,
        age_s,
        fallback_after_s=sw.fallback_after_s,
        result_timeout_s=sw.result_timeout_s,
    )
    body: dict[str, Any] = {
        "id": ev.job_id,
        "status": picked.status.value,
        "mode": ev.mode,
        "answer_path": ev.answer_path,
        "answered_by": picked.path.value if picked.path else None,
        "fallback": picked.fallback,
        "result": None,
        "error": "",
    }
    if picked.path is PathName.LEGACY:
        body["result"] = ev.legacy_result
    elif picked.path is PathName.CELERY:
        body["result"] = ev.celery_result
    if picked.status is Status.MISSING:
        paths = [p for p, s in sent.items() if s]
        body["error"] = (
            f"no result from {' or '.join(p.value for p in paths) or 'any path'} within "
            f"{sw.result_timeout_s} s" + (f" ({ev.send_error})" if ev.send_error else "")
        )
    return body
