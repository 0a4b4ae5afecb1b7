"""Bridge fixtures: its own queue Valkey (never the broker's server), legacy executor processes, problems."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.bridge.helpers import Executor

#: Heartbeat TTL of the executors under test: short, so a killed one's jobs come back within seconds.
HEARTBEAT_TTL_S = "2"


@pytest.fixture(scope="session")
def bridge_redis(tmp_path_factory: pytest.TempPathFactory, django_ready: None) -> Iterator[str]:
    """The legacy queue's Redis: a Valkey instance of its own, as seed 003 separates them.

    Its own server also keeps these tests clear of every Redis database other sessions use.
    """
    from django.conf import settings

    from celeriac.embedded import Stack
    from celeriac_site.bridge.services import gateway

    stack = Stack(tmp_path_factory.mktemp("bridge-stack"))
    url = stack.redis_instance("bridge").url
    saved = os.environ.get("BRIDGE_REDIS_URL")
    os.environ["BRIDGE_REDIS_URL"] = url  # the workers this session starts inherit it
    settings.BRIDGE_REDIS_URL = url
    gateway.legacy_queue.cache_clear()
    try:
        yield url
    finally:
        if saved is None:
            os.environ.pop("BRIDGE_REDIS_URL", None)
        else:
            os.environ["BRIDGE_REDIS_URL"] = saved
        gateway.legacy_queue.cache_clear()
        stack.stop()


@pytest.fixture(scope="session")
def bridge_env(services: dict[str, str], bridge_redis: str) -> dict[str, str]:
    return {**services, "BRIDGE_REDIS_URL": bridge_redis, "BRIDGE_EXECUTOR_HEARTBEAT_TTL_S": HEARTBEAT_TTL_S}


@pytest.fixture
def queue(bridge_redis: str) -> Any:
    """The legacy queue, emptied before the test."""
    from celeriac_site.bridge.services.legacy_queue import LegacyQueue

    q = LegacyQueue.from_url(bridge_redis, socket_timeout_s=10)
    q.client.flushdb()
    return q


@pytest.fixture
def switches(django_ready: None) -> Iterator[Callable[..., Any]]:
    """Set the bridge's switches for one test; the defaults come back afterwards."""
    from celeriac_site.bridge.models import BridgeSettings
    from celeriac_site.bridge.services.switches import set_switches

    def set_(**fields: Any) -> BridgeSettings:
        timing = {k: fields.pop(k) for k in ("fallback_after_s", "result_timeout_s") if k in fields}
        row = set_switches(**fields)
        if timing:
            BridgeSettings.objects.filter(pk=row.pk).update(**timing)
        return BridgeSettings.load()

    yield set_
    BridgeSettings.objects.all().delete()


@pytest.fixture
def executors(tmp_path: Path, bridge_env: dict[str, str], queue: Any) -> Iterator[Callable[..., Executor]]:
    """Start legacy executor processes for one test; each returns once it has registered."""
    started: list[Executor] = []

    def start(name: str, *flags: str) -> Executor:
        ex = Executor(name, flags, bridge_env, tmp_path / f"{name}.log")
        started.append(ex)
        ex.wait_registered(queue)
        return ex

    yield start
    for ex in started:
        ex.stop()


@pytest.fixture
def problem(django_ready: None) -> Callable[..., Any]:
    """A fresh A+B problem with ``tests`` tests (one is the cheapest a comparison can be)."""
    from tests.integration.bridge.helpers import make_problem

    return make_problem


@pytest.fixture
def client(django_ready: None) -> Any:
    from django.test import Client

    return Client()


@pytest.fixture(scope="module")
def celery_path(
    tmp_path_factory: pytest.TempPathFactory, bridge_env: dict[str, str], celery_app: Any
) -> Iterator[Any]:
    """The Celery path: a prefork worker on the execution queue, as the fleet's cpu family runs it."""
    from tests.integration.workers import start_worker

    worker = start_worker(
        tmp_path_factory.mktemp("bridge-worker"),
        bridge_env,
        queues=["execution"],
        pool="prefork",
        concurrency=2,
        family="cpu",
    )
    yield worker
    worker.stop()
    celery_app.control.purge()
