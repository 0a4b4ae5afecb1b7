"""The core part of the main job: every queue of the fleet exercised, each output checked."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

from celeriac_site.mainjob.report import Outcome


def _run(check: str, queue: str, send: Callable[[], Any], expect: Any, timeout_s: float = 60) -> Outcome:
    started = time.monotonic()
    result = send()
    try:
        value = result.get(timeout=timeout_s)
        worker = str(getattr(result, "worker", None) or "?")
    except Exception as exc:  # the report shows any failure; it must not stop the other checks
        value, worker = f"{type(exc).__name__}: {exc}", "?"
    return Outcome(
        check,
        queue,
        worker,
        repr(expect)[:60],
        repr(value)[:60],
        value == expect,
        round(time.monotonic() - started, 3),
    )


def _beat_registered(task: str, timeout_s: float = 30) -> Outcome:
    """The warmer's schedule reached beat's database scheduler (django-celery-beat)."""
    from django_celery_beat.models import PeriodicTask

    started = time.monotonic()
    found = False
    while not found and time.monotonic() - started < timeout_s:
        found = PeriodicTask.objects.filter(task=task, enabled=True).exists()
        if not found:
            time.sleep(0.2)
    got = "enabled entry" if found else "missing"
    seconds = round(time.monotonic() - started, 3)
    return Outcome(f"beat: {task} scheduled", "maintenance", "beat", "enabled entry", got, found, seconds)


def run(web_url: str | None = None) -> list[Outcome]:
    """Send the demonstration workloads through every queue of the fleet and check each output."""
    from django.core.cache import cache

    from celeriac.contrib.django import caching
    from celeriac_site.demo import services, tasks
    from celeriac_site.demo.models import Account

    out: list[Outcome] = []
    out.append(
        _run(
            "cpu: sha-256 chain",
            "compute",
            lambda: tasks.checksum.delay("celeriac", 1),
            services.checksum("celeriac", 1),
        )
    )
    out.append(_run("io: 25 ms wait", "io", lambda: tasks.wait_io.delay(25), {"waited_ms": 25}))
    if web_url:
        out.append(
            _run(
                "ai: call via breaker",
                "ai",
                lambda: tasks.call_service.delay(f"{web_url}/healthz"),
                {"status": 200, "body": '{"ok": true}'},
            )
        )
    token = uuid.uuid4().hex[:8]
    out.append(
        _run(
            "retry: 2 transient errors",
            "io",
            lambda: tasks.flaky.delay(token, 2),
            {"attempts": 3},
        )
    )

    # Idempotency: the same credit sent five times moves the balance once.
    name = f"demo-{token}"
    Account.objects.create(name=name, balance=100)
    sends = [tasks.credit.delay(name, 25, f"req-{token}") for _ in range(5)]
    started = time.monotonic()
    for r in sends:
        r.get(timeout=60)
    balance = Account.objects.get(name=name).balance
    out.append(
        Outcome(
            "idempotent: 5 x credit 25",
            "io",
            "io",
            "balance 125",
            f"balance {balance}",
            balance == 125,
            round(time.monotonic() - started, 3),
        )
    )

    # Cache: the warmer fills the cache on the maintenance queue, then a lookup is a hit.
    caching.invalidate("demo:square:*")
    before = caching.stats().get("demo:square", {"hit": 0})["hit"]
    tasks.warm_squares.delay()  # fire-and-forget (ignore_result): watch its effect, the cache
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and cache.get("demo:square:50") is None:
        time.sleep(0.05)
    out.append(_run("cache: read after warmer", "io", lambda: tasks.lookup.delay(7), {"n": 7, "square": 49}))
    after = caching.stats().get("demo:square", {"hit": 0})["hit"]
    out.append(
        Outcome(
            "cache: that read hit",
            "maintenance",
            "-",
            "hits +1",
            f"hits +{after - before}",
            after - before == 1,
            0.0,
        )
    )
    out.append(_beat_registered("demo.warm_squares"))
    out.append(
        _run(
            "cache: SCAN invalidation",
            "maintenance",
            lambda: tasks.invalidate.delay("demo:square:*"),
            50,
        )
    )
    return out
