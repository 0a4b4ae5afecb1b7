"""Shared fixtures: real services (the machine's when present, else embedded), a fresh database."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

#: Redis database numbers the test session owns (flushed at start): broker/results and cache.
#: CELERIAC_TEST_REDIS_DB moves the pair, so two test sessions on one machine stay apart; under
#: pytest-xdist (`make test` runs three workers) each worker takes its own pair: 4/5, 6/7, 8/9.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if XDIST_WORKER:
    TEST_BROKER_DB = 4 + 2 * int(XDIST_WORKER.removeprefix("gw"))
else:
    TEST_BROKER_DB = int(os.environ.get("CELERIAC_TEST_REDIS_DB", "12"))
TEST_CACHE_DB = TEST_BROKER_DB + 1


@pytest.fixture(scope="session", autouse=True)
def services() -> Iterator[dict[str, str]]:
    """REDIS_URL/DATABASE_URL if set; else the machine's servers if they answer; else embedded ones.

    Yields the environment every process of the session uses, pointing at a fresh database. Autouse:
    it must be in place before any test, pure or not, lets Django read its settings (importing the
    reference site sets DJANGO_SETTINGS_MODULE, and Celery's Django fixup then loads them early).
    """
    import psycopg
    import redis

    from celeriac.embedded import Stack

    stack = Stack(ROOT / "var" / "test")
    # CELERIAC_TEST_EMBEDDED=1 skips the machine's servers, to prove the embedded path on a machine
    # that has them (REDIS_URL/DATABASE_URL, when set, still win).
    prefer_local = os.environ.get("CELERIAC_TEST_EMBEDDED") != "1"
    r = stack.redis(prefer_local=prefer_local)
    pg = stack.postgres(prefer_local=prefer_local)
    broker = urlsplit(r.url)._replace(path=f"/{TEST_BROKER_DB}").geturl()
    redis.Redis.from_url(broker).flushdb()
    redis.Redis.from_url(urlsplit(r.url)._replace(path=f"/{TEST_CACHE_DB}").geturl()).flushdb()
    name = f"celeriac_test_{uuid.uuid4().hex[:8]}"
    admin = urlsplit(pg.url)._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    env = {
        "REDIS_URL": broker,
        "CELERIAC_CACHE_DB": str(TEST_CACHE_DB),
        "DATABASE_URL": urlsplit(pg.url)._replace(path=f"/{name}").geturl(),
        "DJANGO_SETTINGS_MODULE": "celeriac_site.settings",
        "PYTHONPATH": str(ROOT / "src"),
    }
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    import subprocess

    subprocess.run(
        [sys.executable, "-m", "celeriac_site.manage", "migrate", "--noinput", "-v", "0"],
        check=True,
        env={**os.environ},
    )
    try:
        yield env
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        from django.conf import settings

        if settings.configured:
            from django.db import connections

            connections.close_all()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if (r.embedded or pg.embedded) and not XDIST_WORKER:
            stack.stop()  # under xdist the controller stops them, once every worker is done


def pytest_sessionfinish(session: pytest.Session) -> None:
    """The xdist controller stops embedded services the workers shared (a no-op for the machine's)."""
    if not XDIST_WORKER:  # the controller, or a plain run (where the fixture already stopped them)
        from celeriac.embedded import Stack

        Stack(ROOT / "var" / "test").stop()


@pytest.fixture(scope="session")
def django_ready(services: dict[str, str]) -> None:
    import django

    django.setup()
