"""One path down: the other keeps serving, nothing is lost, and the gap is reported as missing."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from celeriac.embedded.ports import free_port
from tests.integration.bridge.helpers import AC, poll, submit, wait_compared

pytestmark = pytest.mark.integration


@pytest.fixture
def dead_queue_redis(bridge_redis: str) -> Iterator[str]:
    """Point the API at a queue Redis that does not answer."""
    from django.conf import settings

    from celeriac_site.bridge.services import gateway

    url = f"redis://127.0.0.1:{free_port()}/0"
    settings.BRIDGE_REDIS_URL = url
    gateway.legacy_queue.cache_clear()
    yield url
    settings.BRIDGE_REDIS_URL = bridge_redis
    gateway.legacy_queue.cache_clear()


def test_executors_down_celery_answers_and_the_late_legacy_results_still_come(
    client: Any, executors: Any, queue: Any, celery_path: Any, switches: Any, problem: Any
) -> None:
    from celeriac.ops.compare import build_report
    from celeriac_site.bridge.models import Evaluation
    from celeriac_site.bridge.services import pairs

    switches(mode="mirror", answer="legacy", shadow_percentage=100, fallback_after_s=2, result_timeout_s=6)
    p = problem()
    ids = [submit(client, p, AC["python"])["id"] for _ in range(3)]
    answers = [poll(client, job, timeout_s=60) for job in ids]
    assert [(a["status"], a["answered_by"], a["fallback"]) for a in answers] == [
        ("completed", "celery", True)
    ] * 3
    assert queue.depth() == 3  # waiting for an executor, not lost
    time.sleep(6)
    compared = wait_compared(ids, timeout_s=30)
    assert {(c.outcome, c.missing) for c in compared.values()} == {("missing", "legacy")}
    rows = Evaluation.objects.filter(job_id__in=ids).select_related("comparison")
    report = build_report(pairs.to_pairs(rows), target="t", source="t", fail_on_mismatch=True)
    assert report.exit_code == 1 and report.summary["missing"] == 3 and report.summary["matched"] == 0
    executors("executor-1")  # the path comes back: its results arrive late and are compared then
    deadline = time.monotonic() + 60
    while True:
        compared = wait_compared(ids, timeout_s=30)
        if {c.outcome for c in compared.values()} == {"match"}:
            break
        assert time.monotonic() < deadline, {c.outcome for c in compared.values()}
        time.sleep(0.5)
    assert all(c.late for c in compared.values())


def test_queue_redis_unreachable_celery_answers_and_the_gap_is_reported(
    client: Any, celery_path: Any, switches: Any, problem: Any, dead_queue_redis: str
) -> None:
    switches(mode="mirror", answer="legacy", shadow_percentage=100)
    began = time.monotonic()
    s = submit(client, problem(), AC["python"])
    assert time.monotonic() - began < 10, "a dead legacy queue must not stall the API"
    assert s["paths"] == ["celery"] and s["answer_path"] == "celery"
    answer = poll(client, s["id"], timeout_s=60)
    assert (answer["status"], answer["answered_by"], answer["fallback"]) == ("completed", "celery", False)
    (c,) = wait_compared([s["id"]], timeout_s=30).values()
    assert (c.outcome, c.missing) == ("missing", "legacy")
    assert c.note.startswith("legacy send failed: ConnectionError"), c.note


def test_no_path_reachable_is_a_503(client: Any, switches: Any, problem: Any, dead_queue_redis: str) -> None:
    switches(mode="legacy")
    resp = client.post(
        "/api/bridge/evaluations",
        data={"problem": problem().pk, "language": "python", "code": AC["python"], "user_identifier": "u"},
        content_type="application/json",
    )
    assert resp.status_code == 503 and "legacy send failed" in resp.json()["error"]
