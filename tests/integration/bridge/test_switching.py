"""Cut-over, rollback and mode changes under a stream of requests: no request is dropped or misanswered."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest

from tests.integration.bridge.helpers import AC, poll

pytestmark = pytest.mark.integration

REQUESTS = 80


def test_switching_the_answering_path_under_load_drops_no_request(
    client: Any, executors: Any, celery_path: Any, switches: Any, problem: Any
) -> None:
    from django.db import connections
    from django.test import Client

    from celeriac_site.bridge.services import switches as switch

    executors("executor-1")
    executors("executor-2")
    switches(mode="mirror", answer="legacy", shadow_percentage=100)
    p = problem()
    body = json.dumps(
        {"problem": p.pk, "language": "python", "code": AC["python"], "user_identifier": "load"}
    )
    accepted: list[dict[str, Any]] = []
    refused: list[bytes] = []

    def stream() -> None:
        c = Client()
        try:
            for _ in range(REQUESTS):
                resp = c.post("/api/bridge/evaluations", data=body, content_type="application/json")
                (accepted.append(resp.json()) if resp.status_code == 202 else refused.append(resp.content))
                time.sleep(0.03)
        finally:
            connections.close_all()

    sender = threading.Thread(target=stream)
    sender.start()
    flips = [
        switch.cut_over,
        switch.rollback,
        lambda: switch.set_switches(mode="celery"),
        switch.rollback,  # celery mode → legacy mode
        lambda: switch.set_switches(mode="mirror", shadow_percentage=50),
        switch.cut_over,
    ]
    for flip in flips:
        time.sleep(0.4)
        flip()
    sender.join(timeout=120)
    assert not refused, refused[:3]
    assert len(accepted) == REQUESTS
    answers = [poll(client, a["id"], timeout_s=180) for a in accepted]
    wrong = [(a, b) for a, b in zip(accepted, answers, strict=True) if b["answered_by"] != a["answer_path"]]
    assert all(b["status"] == "completed" and b["result"]["verdict"] == "AC" for b in answers)
    assert not wrong, wrong[:3]  # each answered by the path chosen when it arrived, none by fallback
    assert {a["answer_path"] for a in accepted} == {"legacy", "celery"}
    assert {len(a["paths"]) for a in accepted} == {1, 2}
