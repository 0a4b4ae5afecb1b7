"""No Celery worker: the legacy path keeps answering, and the Celery results are reported missing."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.integration.bridge.helpers import AC, poll, submit, wait_compared

pytestmark = pytest.mark.integration


@pytest.fixture
def purge(celery_app: Any) -> Iterator[None]:
    yield
    celery_app.control.purge()  # the messages nobody consumed must not reach later tests' workers


def test_celery_down_legacy_answers_and_the_gap_is_reported(
    client: Any, executors: Any, switches: Any, problem: Any, purge: None
) -> None:
    executors("executor-1")
    switches(mode="mirror", answer="celery", shadow_percentage=100, fallback_after_s=2, result_timeout_s=5)
    ids = [submit(client, problem(), AC["python"])["id"] for _ in range(2)]
    answers = [poll(client, job, timeout_s=60) for job in ids]
    assert [(a["answered_by"], a["fallback"], a["result"]["verdict"]) for a in answers] == [
        ("legacy", True, "AC")
    ] * 2
    time.sleep(5)
    compared = wait_compared(ids, timeout_s=30)
    assert {(c.outcome, c.missing) for c in compared.values()} == {("missing", "celery")}
    assert all("no celery result within the result timeout" in c.note for c in compared.values())


def test_single_path_job_with_no_result_is_missing_after_the_timeout(
    client: Any, switches: Any, problem: Any, purge: None
) -> None:
    switches(mode="celery", result_timeout_s=2)
    job = submit(client, problem(), AC["python"])["id"]
    assert client.get(f"/api/bridge/evaluations/{job}").json()["status"] == "queued"
    time.sleep(2.2)
    answer = client.get(f"/api/bridge/evaluations/{job}").json()
    assert answer["status"] == "missing" and "no result from celery within 2 s" in answer["error"]
