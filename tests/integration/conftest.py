"""Integration fixtures: the Celery app bound to the session's services, and worker factories."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.workers import Worker, start_worker

pytestmark = pytest.mark.integration


@pytest.fixture(scope="session")
def celery_app(django_ready: None) -> Any:
    from celeriac_site.celery import app

    app.loader.import_default_modules()  # autodiscovered tasks modules, as a worker imports them
    return app


@pytest.fixture
def workers(tmp_path: Path, services: dict[str, str], celery_app: Any) -> Iterator[Callable[..., Worker]]:
    """Start workers for one test; all are stopped (and their queues purged) when it ends."""
    started: list[Worker] = []

    def start(**kwargs: Any) -> Worker:
        env = {**services, **kwargs.pop("env", {})}
        w = start_worker(tmp_path, env, **kwargs)
        started.append(w)
        return w

    yield start
    for w in started:
        w.stop()
    celery_app.control.purge()


@pytest.fixture
def redis_client(services: dict[str, str]) -> Any:
    import redis

    return redis.Redis.from_url(services["REDIS_URL"])
