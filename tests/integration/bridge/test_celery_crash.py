"""Celery workers killed with SIGKILL mid-job lose nothing: a pool child, and the main process."""

from __future__ import annotations

import os
import signal
import time
from typing import Any

import psutil
import pytest

from tests.integration.bridge.helpers import SLOW_PYTHON, poll, submit

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def wait_started(job_id: str, timeout_s: float = 60) -> None:
    from celery.result import AsyncResult

    deadline = time.monotonic() + timeout_s
    while AsyncResult(job_id).state != "STARTED":
        assert time.monotonic() < deadline, f"job {job_id} never started"
        time.sleep(0.05)


def celery_results(job_id: str) -> Any:
    from celeriac_site.bridge.models import Evaluation

    return Evaluation.objects.get(job_id=job_id)


def test_sigkill_of_a_pool_child_mid_job_loses_nothing(
    client: Any, workers: Any, bridge_env: dict[str, str], switches: Any, problem: Any
) -> None:
    switches(mode="celery")
    w = workers(queues=["execution"], pool="prefork", concurrency=1, env=bridge_env)
    job = submit(client, problem(), SLOW_PYTHON.format(s=2))["id"]
    wait_started(job)
    (child,) = psutil.Process(w.pid).children(recursive=False)
    time.sleep(0.3)
    os.kill(child.pid, signal.SIGKILL)  # the OOM killer's way; reject_on_worker_lost requeues the message
    answer = poll(client, job, timeout_s=120)
    assert (answer["status"], answer["answered_by"], answer["result"]["verdict"]) == (
        "completed",
        "celery",
        "AC",
    )
    assert "WorkerLostError" in w.output() or "exited" in w.output()


def test_sigkill_of_the_main_process_mid_job_loses_nothing(
    client: Any, workers: Any, bridge_env: dict[str, str], switches: Any, problem: Any
) -> None:
    switches(mode="celery")
    short = {**bridge_env, "CELERIAC_VISIBILITY_TIMEOUT_S": "4"}
    first = workers(queues=["execution"], pool="prefork", concurrency=1, env=short)
    job = submit(client, problem(), SLOW_PYTHON.format(s=2))["id"]
    wait_started(job)
    first.kill9()  # the message stays unacked in Redis until the visibility timeout
    second = workers(queues=["execution"], pool="prefork", concurrency=1, env=short)
    answer = poll(client, job, timeout_s=150)
    assert (answer["status"], answer["result"]["verdict"]) == ("completed", "AC")
    # The bridge answer is written inside the task, just before the worker logs the success.
    assert second.wait_for_output(f"bridge.evaluate_task[{job}] succeeded", timeout_s=30)
    assert celery_results(job).celery_finished_at is not None
