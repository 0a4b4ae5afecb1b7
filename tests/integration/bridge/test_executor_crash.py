"""Legacy executors killed with SIGKILL mid-job lose nothing; bad payloads are answered, not dropped."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.integration.bridge.helpers import AC, SLOW_PYTHON, poll, submit

pytestmark = pytest.mark.integration


def held_by(queue: Any, name: str, timeout_s: float = 60) -> str:
    """The job ``name`` has in hand (waits until it takes one)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        held = queue.client.lrange(queue.key("processing", name), 0, -1)
        if held:
            return str(held[0])
        time.sleep(0.05)
    raise AssertionError(f"{name} took no job within {timeout_s}s")


def test_sigkill_of_an_executor_mid_job_loses_nothing(
    client: Any, executors: Any, queue: Any, switches: Any, problem: Any
) -> None:
    switches(mode="legacy")
    first = executors("executor-1")
    second = executors("executor-2")
    p = problem()
    jobs = [submit(client, p, SLOW_PYTHON.format(s=1.5))["id"] for _ in range(4)]
    victim = held_by(queue, "executor-1")
    time.sleep(0.3)  # well inside the 1.5 s run
    first.kill9()
    answers = [poll(client, job, timeout_s=120) for job in jobs]
    assert [(a["status"], a["answered_by"], a["result"]["verdict"]) for a in answers] == [
        ("completed", "legacy", "AC")
    ] * 4
    assert queue.result(victim)["executor"] == "executor-2"  # the survivor finished the killed one's job
    assert any(e["dead"] == "executor-1" for e in second.events("requeued"))
    assert queue.client.llen(queue.key("processing", "executor-1")) == 0


def test_an_executor_restarted_under_its_name_takes_its_job_back_at_once(
    client: Any, executors: Any, queue: Any, switches: Any, problem: Any
) -> None:
    switches(mode="legacy")
    ex = executors("executor-1")
    job = submit(client, problem(), SLOW_PYTHON.format(s=1.5))["id"]
    assert held_by(queue, "executor-1") == job
    ex.kill9()
    again = executors("executor-1")  # its old heartbeat may still be alive: it must not wait for it
    assert poll(client, job, timeout_s=60)["result"]["verdict"] == "AC"
    assert again.events("executor_start")[0]["requeued_own"] == 1


def test_a_bad_payload_is_answered_ie_and_the_executor_keeps_serving(
    client: Any, executors: Any, queue: Any, switches: Any, problem: Any
) -> None:
    switches(mode="legacy")
    executors("executor-1")
    queue.enqueue_raw("bad-1", '{"job_id": "bad-1", "language": "python"}')
    queue.enqueue_raw("bad-2", "{not json")
    deadline = time.monotonic() + 60
    while not all(queue.result(j) for j in ("bad-1", "bad-2")):
        assert time.monotonic() < deadline, "bad payloads were not answered"
        time.sleep(0.1)
    for job, reason in (("bad-1", "invalid job payload: code"), ("bad-2", "invalid job payload: not JSON")):
        payload = queue.result(job)["payload"]
        assert payload["verdict"] == "IE" and payload["error"].startswith(reason), payload
    assert poll(client, submit(client, problem(), AC["python"])["id"])["result"]["verdict"] == "AC"
