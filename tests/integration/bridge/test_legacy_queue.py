"""The legacy queue protocol on a real Valkey: a job is always in exactly one list until its result is in."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from celeriac_site.bridge import conf
from celeriac_site.bridge.services.jobspec import JobSpec

pytestmark = pytest.mark.integration


def spec(job_id: str) -> JobSpec:
    return JobSpec(job_id, "python", "print(3)\n", (("", "3\n"),), 1000, 256)


def where(queue: Any, job_id: str) -> list[str]:
    """Every list holding ``job_id``: ``jobs`` and the processing lists."""
    keys = [queue.key("jobs"), *queue.client.keys(queue.key("processing", "*"))]
    return [k for k in keys if job_id in queue.client.lrange(k, 0, -1)]


def test_enqueue_take_complete_moves_the_job_and_announces_it(queue: Any) -> None:
    bus = queue.client.pubsub()
    bus.subscribe(conf.EVENTS_CHANNEL)
    queue.enqueue(spec("a"))
    assert where(queue, "a") == [queue.key("jobs")]
    delivery = queue.take("ex1", 1)
    assert delivery is not None and delivery.job_id == "a" and delivery.deliveries == 1
    assert JobSpec.from_json(delivery.raw) == spec("a")
    assert where(queue, "a") == [queue.key("processing", "ex1")]
    queue.complete("ex1", "a", {"verdict": "AC"}, started_at=1.0, finished_at=2.0)
    assert where(queue, "a") == []
    assert queue.result("a") == {
        "payload": {"verdict": "AC"},
        "started_at": 1.0,
        "finished_at": 2.0,
        "executor": "ex1",
    }
    assert queue.results(["a", "nope"]).keys() == {"a"}
    deadline = time.monotonic() + 5
    message = None
    while message is None or message["type"] != "message":
        assert time.monotonic() < deadline, "no announcement on the event bus"
        message = bus.get_message(timeout=0.5)
    assert json.loads(message["data"]) == {"job": "a", "path": "legacy"}


def test_take_times_out_empty(queue: Any) -> None:
    started = time.monotonic()
    assert queue.take("ex1", 1) is None
    assert time.monotonic() - started >= 0.9


def test_jobs_of_a_dead_executor_are_requeued_and_a_live_ones_are_not(queue: Any) -> None:
    for job in ("a", "b", "c"):
        queue.enqueue(spec(job))
    queue.heartbeat("dead", 1)
    queue.heartbeat("live", 30)
    assert queue.take("dead", 1).job_id == "a"  # type: ignore[union-attr]
    assert queue.take("dead", 1).job_id == "b"  # type: ignore[union-attr]
    assert queue.take("live", 1).job_id == "c"  # type: ignore[union-attr]
    assert queue.recover() == {}  # both heartbeats still fresh
    time.sleep(1.3)  # the dead one's TTL runs out
    assert queue.recover() == {"dead": 2}
    assert sorted(queue.client.lrange(queue.key("jobs"), 0, -1)) == ["a", "b"]
    assert where(queue, "c") == [queue.key("processing", "live")]
    assert [(e.name, e.alive, e.holding) for e in queue.executors()] == [("live", True, 1)]
    again = queue.take("live", 1)
    assert again is not None and again.deliveries == 2  # counted: a job that kills executors is given up


def test_restart_under_the_same_name_takes_its_own_jobs_back(queue: Any) -> None:
    queue.enqueue(spec("a"))
    queue.heartbeat("ex1", 30)
    queue.take("ex1", 1)
    assert queue.requeue_from("ex1") == 1
    assert queue.client.lrange(queue.key("jobs"), 0, -1) == ["a"]


def test_retire_leaves_no_heartbeat_only_when_empty_handed(queue: Any) -> None:
    queue.heartbeat("ex1", 30)
    queue.enqueue(spec("a"))
    queue.take("ex1", 1)
    queue.retire("ex1")
    assert queue.client.exists(queue.key("alive", "ex1"))  # still holds a job: keep its heartbeat
    queue.complete("ex1", "a", {"verdict": "AC"}, started_at=1.0, finished_at=2.0)
    queue.retire("ex1")
    assert queue.executors() == []
