"""Tell a submitter's callback URL that the verdict is in."""

from __future__ import annotations

from typing import Any

import httpx

from celeriac_site.judge.models import SearchHistory

CALLBACK_TIMEOUT_S = 10.0


def notify(task_id: str) -> dict[str, Any]:
    """POST the verdict as JSON (one query). A 5xx or a network error raises, so the task retries."""
    row = (
        SearchHistory.objects.filter(task_id=task_id)
        .values(
            "id",
            "task_id",
            "callback_url",
            "status",
            "verdict",
            "passed_count",
            "failed_count",
            "total_count",
        )
        .first()
    )
    if row is None or not row["callback_url"]:
        return {"sent": False, "reason": "no such submission or no callback URL"}
    url = row.pop("callback_url")
    resp = httpx.post(url, json={"submission": row["task_id"], **row}, timeout=CALLBACK_TIMEOUT_S)
    if resp.status_code >= 500:
        raise ConnectionError(f"callback {url} answered {resp.status_code}")
    return {"sent": True, "status": resp.status_code}
