"""Live probes of the backing services: broker, result backend, database, cache, Redis eviction policy."""

from __future__ import annotations

import time
import uuid
from typing import Any
from urllib.parse import urlsplit

from celery import Celery, states

from celeriac.ops import probes
from celeriac.ops.doctor.findings import failed, passed, skipped, timed
from celeriac.ops.report import Finding, Severity, Status

BROKER_DOWN = "cannot reach the broker at {url}: {error}"
BROKER_FIX = "start the broker, or point broker_url (REDIS_URL for Celeriac projects) at a running one"
BACKEND_DOWN = "result backend round trip failed: {error}"
BACKEND_FIX = "check result_backend and that its server answers; results of every task depend on it"
DB_DOWN = "database query failed: {error}"
DB_FIX = "check DATABASES / DATABASE_URL and that PostgreSQL accepts connections"
CACHE_DOWN = "cache round trip failed: {error}"
CACHE_FIX = "check CACHES['default'] and that its server answers"
NOT_DJANGO = "not a Django project: {what} is not configured here"
#: Policies that may evict keys without a TTL, i.e. the broker's queues and unacked messages.
EVICTS_ANYTHING = ("allkeys-",)
PROBE_KEY = "celeriac:doctor:{}"
EVICT_FIX = "give the broker its own Redis with maxmemory-policy noeviction (caches on another instance)"


def probe_services(app: Celery, timeout_s: float, django: bool) -> tuple[list[Finding], bool]:
    """P001-P005; also says whether the broker answered (the worker probes need it)."""
    broker = timed(
        "P001",
        "broker answers",
        lambda: _broker(app, timeout_s),
        fix=BROKER_FIX,
        failure=BROKER_DOWN.format(url=probes.safe_url(app.conf.broker_url), error="{error}"),
    )
    out = [
        broker,
        timed(
            "P002",
            "result backend round trip",
            lambda: _backend(app, timeout_s),
            fix=BACKEND_FIX,
            failure=BACKEND_DOWN,
        ),
    ]
    if django:
        out.append(
            timed("P003", "database answers", lambda: _database(timeout_s), fix=DB_FIX, failure=DB_DOWN)
        )
        out.append(
            timed(
                "P004",
                "cache set/get/TTL/delete",
                lambda: _cache(timeout_s),
                fix=CACHE_FIX,
                failure=CACHE_DOWN,
            )
        )
    else:
        out.append(skipped("P003", "database answers", NOT_DJANGO.format(what="a Django database")))
        out.append(skipped("P004", "cache set/get/TTL/delete", NOT_DJANGO.format(what="a Django cache")))
    out.append(
        timed(
            "P005",
            "Redis keeps the broker's keys",
            lambda: _eviction(app, timeout_s),
            failure="cannot read maxmemory-policy: {error}",
        )
    )
    return out, broker.status is Status.PASS


def _broker(app: Celery, timeout_s: float) -> Finding:
    latency = probes.ping_broker(app, timeout_s)
    url = probes.safe_url(app.conf.broker_url)
    return passed(
        "P001", "broker answers", f"{url} answered in {latency * 1000:.1f} ms", latency_ms=latency * 1000
    )


def _backend(app: Celery, timeout_s: float) -> Finding:
    from celery.backends.base import DisabledBackend

    if not app.conf.result_backend or isinstance(app.backend, DisabledBackend):
        return skipped("P002", "result backend round trip", "no result backend is configured")
    task_id = f"celeriac-doctor-{uuid.uuid4().hex}"
    value = {"probe": task_id}

    def round_trip() -> Any:
        backend = app.backend  # thread-local in Celery: use this thread's instance throughout
        backend.store_result(task_id, value, states.SUCCESS)
        try:
            return backend.get_task_meta(task_id)
        finally:
            backend.forget(task_id)

    started = time.perf_counter()
    meta = probes.bounded(round_trip, timeout_s)
    took = (time.perf_counter() - started) * 1000
    if meta.get("status") != states.SUCCESS or meta.get("result") != value:
        return failed(
            "P002",
            "result backend round trip",
            f"stored {value}, read back {meta.get('result')!r}",
            BACKEND_FIX,
        )
    scheme = str(app.conf.result_backend).split(":", 1)[0]
    return passed("P002", "result backend round trip", f"{scheme}: store, read, forget in {took:.1f} ms")


def _database(timeout_s: float) -> Finding:
    def query() -> tuple[float, str]:
        from django.db import connections

        conn = connections["default"]
        try:
            started = time.perf_counter()
            with conn.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
            return time.perf_counter() - started, f"{conn.vendor} {conn.settings_dict.get('NAME')}"
        finally:
            conn.close()  # Django connections are per thread: this probe thread's must not leak

    seconds, what = probes.bounded(query, timeout_s)
    return passed("P003", "database answers", f"{what}: SELECT 1 in {seconds * 1000:.1f} ms")


def _cache(timeout_s: float) -> Finding:
    def round_trip() -> str | None:
        from django.core.cache import caches

        cache = caches["default"]
        key, value = PROBE_KEY.format(uuid.uuid4().hex), uuid.uuid4().hex
        cache.set(key, value, timeout=60)
        if cache.get(key) != value:
            return "set then get did not return the value"
        if hasattr(cache, "ttl"):  # django-redis reads the TTL directly
            ttl = cache.ttl(key)
            if not ttl or not 0 < ttl <= 60:
                return f"TTL of a 60 s entry is {ttl!r}"
        else:
            cache.set(key + ":short", value, timeout=1)
            time.sleep(1.2)
            if cache.get(key + ":short") is not None:
                return "an entry set for 1 s was still there after 1.2 s"
        cache.delete(key)
        if cache.get(key) is not None:
            return "delete did not remove the entry"
        return None

    problem = probes.bounded(round_trip, timeout_s + 2)
    if problem:
        return failed("P004", "cache set/get/TTL/delete", problem, CACHE_FIX)
    return passed("P004", "cache set/get/TTL/delete", "set, get, TTL and delete behave")


def _eviction(app: Celery, timeout_s: float) -> Finding:
    title = "Redis keeps the broker's keys"
    broker = str(app.conf.broker_url or "")
    if not probes.is_redis(broker):
        return skipped("P005", title, "the broker is not Redis")
    client = probes.redis_client(broker, timeout_s)
    try:
        import redis

        try:
            memory = client.config_get("maxmemory")
            policy = str(client.config_get("maxmemory-policy").get("maxmemory-policy", "?"))
        except redis.ResponseError as exc:
            return skipped(
                "P005", title, f"CONFIG GET is refused ({exc}); check maxmemory-policy with your provider"
            )
    finally:
        client.close()
    limit = int(memory.get("maxmemory", 0) or 0)
    where = f"{urlsplit(broker).hostname}:{urlsplit(broker).port or 6379}"
    if limit and policy.startswith(EVICTS_ANYTHING):
        return failed(
            "P005",
            title,
            f"{where}: maxmemory {limit} bytes with {policy}: when full, Redis evicts queued and unacked "
            "messages silently",
            EVICT_FIX,
        )
    why = "no memory limit, nothing is evicted" if not limit else "keys without a TTL are never evicted"
    return passed("P005", title, f"{where}: maxmemory {limit}, {policy} ({why})", severity=Severity.ERROR)
