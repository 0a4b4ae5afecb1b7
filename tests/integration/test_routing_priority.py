"""Each task lands on its declared queue, in the Redis sub-list of its priority, and runs in that order."""

from __future__ import annotations

from typing import Any

import pytest

from celeriac.fleet.export import priority_lists
from celeriac.topology import redis_priority
from celeriac_site.workloads import WORKLOADS

pytestmark = pytest.mark.integration


def placeholder_args(task: Any) -> tuple[Any, ...]:
    """One placeholder per required argument: the messages are inspected on Redis, never run."""
    import inspect

    params = inspect.signature(task.run).parameters.values()
    required = [
        p for p in params if p.default is inspect.Parameter.empty and p.kind is p.POSITIONAL_OR_KEYWORD
    ]
    return (None,) * len(required)


def _where(redis_client: Any, queue: str) -> dict[str, list[str]]:
    """Task names found in each of the queue's ten priority lists."""
    import json

    out: dict[str, list[str]] = {}
    for step, name in enumerate(priority_lists(queue)):
        for raw in redis_client.lrange(name, 0, -1):
            out.setdefault(str(step), []).append(json.loads(raw)["headers"]["task"])
    return out


def test_every_task_lands_on_its_queue_and_priority_list(celery_app: Any, redis_client: Any) -> None:
    celery_app.control.purge()
    for name in WORKLOADS:
        celery_app.tasks[name].apply_async(placeholder_args(celery_app.tasks[name]))
    try:
        for name, wl in WORKLOADS.items():
            lists = _where(redis_client, wl.queue)
            step = str(redis_priority(wl.priority))
            assert name in lists.get(step, []), f"{name}: expected in {wl.queue} step {step}, found {lists}"
        assert redis_client.llen("default") == 0, "no declared task may fall into 'default'"
    finally:
        celery_app.control.purge()


def test_higher_priority_runs_first(celery_app: Any, workers: Any) -> None:
    from celeriac_site.demo import tasks

    celery_app.control.purge()
    low = [tasks.slow_effect.delay(f"prio-low-{i}", 0) for i in range(3)]  # urgency 3
    high = [tasks.checksum.delay(f"prio-high-{i}", 1) for i in range(3)]  # urgency 6, sent later
    workers(queues=["compute"], pool="prefork", concurrency=1, extra=["--prefetch-multiplier", "1"])
    for r in low + high:
        r.get(timeout=60)
    done = {r.id: r.date_done for r in low + high}
    assert max(done[r.id] for r in high) <= min(done[r.id] for r in low)
