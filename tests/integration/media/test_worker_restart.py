"""Seed 002 test 7.3: workers killed mid-processing; every item still completes and none is stuck."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.integration.media.conftest import store, wait_for
from tests.integration.workers import Worker
from tests.unit.media.samples import EXPECTED_TAGS, sample_jpeg

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def wait_until(condition: Callable[[], bool], what: str, timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.05)


def statuses(ids: list[int]) -> dict[str, int]:
    from django.db.models import Count

    from celeriac_site.media.models import Photo

    rows = Photo.objects.filter(pk__in=ids).values("processing_status").annotate(n=Count("pk"))
    return {r["processing_status"]: r["n"] for r in rows}


def photos(n: int) -> list[int]:
    files = [sample_jpeg(name) for name in sorted(EXPECTED_TAGS)]
    return [store("photo", files[i % len(files)]) for i in range(n)]


def test_kill9_of_a_pool_child_mid_item_hands_the_claim_to_its_redelivery(
    workers: Callable[..., Worker], media_env: dict[str, str]
) -> None:
    from celeriac_site.media import tasks
    from celeriac_site.media.models import Photo

    worker = workers(queues=["media"], pool="prefork", concurrency=1, env=media_env)
    (pk,) = photos(1)
    result = tasks.process_photo_ai.apply_async((pk,))
    wait_until(lambda: statuses([pk]).get("processing") == 1, "the item is being processed")
    (child,) = worker.children()
    os.kill(child.pid, signal.SIGKILL)  # the OOM killer's way, while the models load or run
    assert result.get(timeout=120)["status"] == "completed"
    item = Photo.objects.get(pk=pk)
    assert item.processing_status == "completed" and item.attempts == 2 and item.claim_token == ""


def broker_state(client: Any) -> dict[str, Any]:
    """What Redis holds for the media queue: waiting, unacked, and kombu's restore mutex."""
    waiting = sum(int(client.llen(k)) for k in client.scan_iter("media*"))
    return {
        "waiting": waiting,
        "unacked": int(client.hlen("unacked")),
        "unacked_mutex_ttl_s": int(client.ttl("unacked_mutex")),
    }


def test_worker_killed_and_restarted_mid_batch_everything_completes(
    workers: Callable[..., Worker], media_env: dict[str, str], redis_client: Any
) -> None:
    from celeriac_site.media import tasks

    short = {**media_env, "CELERIAC_VISIBILITY_TIMEOUT_S": "4"}
    ids = photos(12)
    first = workers(queues=["media"], pool="prefork", concurrency=2, env=short)
    for pk in ids:
        tasks.process_photo_ai.apply_async((pk,))
    wait_until(lambda: statuses(ids).get("completed", 0) >= 2, "some items are done")
    # Like a host crash: the main process and its pool children die at once, mid-item; their
    # unacked messages stay in Redis until the visibility timeout, claims stay in the database.
    os.killpg(first.pid, signal.SIGKILL)
    first.proc.wait(timeout=10)
    at_kill = statuses(ids)
    assert at_kill.get("completed", 0) < len(ids), "the batch finished before the kill; nothing was tested"
    second = workers(queues=["media"], pool="prefork", concurrency=2, env=short)
    try:
        items = wait_for("photo", ids, timeout_s=180)
    except AssertionError as exc:
        raise AssertionError(
            f"{exc}\nbroker: {broker_state(redis_client)}\n{second.output()[-3000:]}"
        ) from None
    assert {i.processing_status for i in items.values()} == {"completed"}, at_kill
    assert statuses(ids) == {"completed": len(ids)}  # nothing stuck in processing or pending
    print(f"at kill -9: {at_kill}; all {len(ids)} completed after the restart")
