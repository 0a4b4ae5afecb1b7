"""kill -9 mid-task: the task is redelivered and its side effect happens exactly once."""

from __future__ import annotations

import os
import signal
import time
import uuid
from typing import Any

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _wait_started(result: Any, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if result.state == "STARTED":
            return
        time.sleep(0.05)
    raise AssertionError(f"task never started (state {result.state})")


def _effects(key: str) -> int:
    from celeriac_site.demo.models import EffectLog

    return EffectLog.objects.filter(key=key).count()


def test_kill9_pool_child_redelivers_once(workers: Any) -> None:
    from celeriac_site.demo import tasks

    w = workers(queues=["compute"], pool="prefork", concurrency=1)
    key = f"child-{uuid.uuid4().hex}"
    result = tasks.slow_effect.delay(key, 2.0)
    _wait_started(result)
    (child,) = w.children()
    os.kill(child.pid, signal.SIGKILL)  # the OOM killer's way
    assert result.get(timeout=60) is True  # the redelivered run performed the effect
    assert _effects(key) == 1
    assert "WorkerLostError" in w.output() or "Process" in w.output()


def test_kill9_main_process_redelivers_once(workers: Any) -> None:
    from celeriac_site.demo import tasks

    short = {"CELERIAC_VISIBILITY_TIMEOUT_S": "4"}
    first = workers(queues=["compute"], pool="prefork", concurrency=1, env=short)
    key = f"main-{uuid.uuid4().hex}"
    result = tasks.slow_effect.delay(key, 2.0)
    _wait_started(result)
    first.kill9()  # message stays in Redis 'unacked' until the visibility timeout
    killed_at = time.monotonic()
    second = workers(queues=["compute"], pool="prefork", concurrency=1, env=short)
    assert second.wait_for_output(f"demo.slow_effect[{result.id}] succeeded", timeout_s=90), (
        "the message was never redelivered to the new worker"
    )
    recovered_s = time.monotonic() - killed_at
    assert _effects(key) == 1, "the side effect must happen exactly once"
    print(f"redelivered and finished {recovered_s:.1f}s after kill -9 of the main process")
