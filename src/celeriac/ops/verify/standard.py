"""Checks any Celeriac + Django deployment can register in its verify suite: cache, workers, health."""

from __future__ import annotations

import time
import uuid
from typing import Any

from celeriac.ops import probes
from celeriac.ops.doctor.workers import BACKLOG_WARN
from celeriac.ops.report import Status
from celeriac.ops.verify.suite import Context, Outcome, bad, cannot, ok

#: Seed 002, test 8: "Redis: Minimal (<100 MB)".
REDIS_MEMORY_LIMIT_B = 100 * 1024 * 1024


def django_cache() -> Any:
    from django.core.cache import cache

    return cache


def _raw_cache() -> Any:
    from django_redis import get_redis_connection

    return get_redis_connection("default")


def _entry(ctx: Context) -> tuple[str, str]:
    """One cache entry the four cache items share: set once, read, then deleted."""

    def make() -> tuple[str, str]:
        key, value = f"verify:{uuid.uuid4().hex}", uuid.uuid4().hex
        django_cache().set(key, value, 300)
        return key, value

    return ctx.once("cache-entry", make)  # type: ignore[no-any-return]


def cache_set(ctx: Context) -> Outcome:
    key, _ = _entry(ctx)
    stored = _raw_cache().exists(django_cache().make_key(key))
    return ok(f"{key} is in Redis") if stored else bad(f"{key} was not written to Redis")


def cache_get(ctx: Context) -> Outcome:
    key, value = _entry(ctx)
    got = django_cache().get(key)
    return ok("get returned the stored value") if got == value else bad(f"expected {value!r}, got {got!r}")


def cache_delete(ctx: Context) -> Outcome:
    key, _ = _entry(ctx)
    django_cache().delete(key)
    gone = django_cache().get(key) is None and not _raw_cache().exists(django_cache().make_key(key))
    return ok("the entry is gone from Redis") if gone else bad("the entry survived delete")


def cache_ttl(ctx: Context) -> Outcome:
    cache, key = django_cache(), f"verify:ttl:{uuid.uuid4().hex}"
    cache.set(key, "x", 300)
    long_ttl = cache.ttl(key)
    cache.set(key + ":short", "x", 1)
    time.sleep(1.3)
    expired = cache.get(key + ":short") is None
    cache.delete(key)
    if not (long_ttl and 290 <= long_ttl <= 300 and expired):
        return bad(f"300 s entry has TTL {long_ttl}; 1 s entry expired after 1.3 s: {expired}")
    return ok(f"300 s entry has TTL {long_ttl} s; a 1 s entry is gone after 1.3 s")


def workers_running(ctx: Context) -> Outcome:
    from celeriac import fleet_of

    missing = [s.family for s in fleet_of(ctx.app) if not any(ctx.workers.consumers(q) for q in s.queues)]
    if missing:
        return bad(
            f"no worker for the {', '.join(missing)} famil(y/ies)", "celeriac up (or start them by hand)"
        )
    return ok(f"{len(ctx.workers.workers)} workers cover every family of the fleet")


def depths(ctx: Context) -> dict[str, probes.Depth]:
    from celeriac import topology_of

    topology = topology_of(ctx.app)
    queues = [q.name for q in topology.queues] if topology else []
    client = probes.redis_client(ctx.app.conf.broker_url, 5)
    try:
        return probes.queue_depths(client, queues, ctx.app.conf.broker_transport_options or {})
    finally:
        client.close()


def queues_processed(ctx: Context) -> Outcome:
    first = depths(ctx)
    time.sleep(1.0)
    second = depths(ctx)
    idle = [q for q in first if not ctx.workers.consumers(q)]
    growing = [q for q in first if second[q].ready > first[q].ready > 0]
    if idle or growing:
        return bad(f"no consumer: {idle or 'none'}; growing: {growing or 'none'}")
    return ok(f"{len(first)} queues consumed, none growing", ready={q: d.ready for q, d in second.items()})


def prefetch(ctx: Context) -> Outcome:
    from celeriac import fleet_of

    expected = {frozenset(s.queues): s.prefetch_multiplier for s in fleet_of(ctx.app)}
    shown, wrong = [], []
    for w in ctx.workers.workers:
        multiplier = expected.get(frozenset(w.queues))
        shown.append(f"{w.name}: {w.prefetch_count}")
        if not w.prefetch_count or (
            multiplier and w.concurrency and w.prefetch_count != multiplier * w.concurrency
        ):
            wrong.append(f"{w.name} reserves {w.prefetch_count}, expected {multiplier} x {w.concurrency}")
    if not ctx.workers.workers:
        return bad("no worker answered")
    return bad("; ".join(wrong)) if wrong else ok("; ".join(shown))


def distributed(ctx: Context) -> Outcome:
    placed = {run.workload.queue: run.worker for run in ctx.runs.values() if run.ok and run.worker}
    wrong = [q for q, w in placed.items() if not any(c.name == w for c in ctx.workers.consumers(q))]
    if len(placed) < 2:
        return cannot(f"examples ran on {len(placed)} queue(s); two are needed to tell")
    return bad(f"ran on a worker not consuming {wrong}") if wrong else ok(f"examples ran on {placed}")


def redis_healthy(ctx: Context) -> Outcome:
    took = probes.ping_broker(ctx.app, 5)
    return ok(f"PONG in {took * 1000:.1f} ms from {probes.safe_url(ctx.app.conf.broker_url)}")


def database_healthy(ctx: Context) -> Outcome:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    if connection.vendor != "postgresql":
        return bad(f"the database is {connection.vendor}, not PostgreSQL")
    return ok(f"PostgreSQL {connection.settings_dict['NAME']} answers")


def workers_respond(ctx: Context) -> Outcome:
    replies = ctx.app.control.ping(destination=list(ctx.workers.names), timeout=5) or []
    answered = {name for reply in replies for name in reply}
    missing = sorted(set(ctx.workers.names) - answered)
    if not ctx.workers.workers or missing:
        return bad(f"silent: {missing or 'every worker (none found)'}")
    return ok(f"{len(answered)} of {len(ctx.workers.names)} answered")


def backlog(ctx: Context) -> Outcome:
    ready = {q: d.ready for q, d in depths(ctx).items()}
    big = {q: n for q, n in ready.items() if n > BACKLOG_WARN}
    return bad(f"backlog over {BACKLOG_WARN}: {big}") if big else ok(f"ready: {ready}")


def beat_running(ctx: Context) -> Outcome:
    from celeriac.ops.doctor import snapshot
    from celeriac.ops.doctor.beat import probe_beat

    alive = probe_beat(ctx.app, ctx.app.main or "", snapshot(ctx.app), 5, django=True)[0]
    if alive.status is Status.PASS:
        return ok(alive.message)
    if alive.status is Status.SKIP:
        return cannot(alive.message)
    return bad(alive.message, alive.fix)


def broker_setting(ctx: Context) -> Outcome:
    from django.conf import settings

    url = getattr(settings, "CELERY_BROKER_URL", "")
    if not probes.is_redis(url) or url != ctx.app.conf.broker_url:
        return bad(
            f"CELERY_BROKER_URL={probes.safe_url(url)}, app uses {probes.safe_url(ctx.app.conf.broker_url)}"
        )
    return ok(probes.safe_url(url))


def connectivity(ctx: Context) -> Outcome:
    active = ctx.app.control.inspect(timeout=5).active() or {}
    return (
        ok(f"active() answered by {sorted(active)}") if active else bad("inspect().active() returned nothing")
    )


def schedule(ctx: Context) -> Outcome:
    from celeriac import topology_of

    topology = topology_of(ctx.app)
    configured = {e["task"] for e in (ctx.app.conf.beat_schedule or {}).values()}
    declared = {b.task for b in topology.beat.values()} if topology else set()
    missing, unknown = declared - configured, {t for t in configured if t not in ctx.app.tasks}
    if missing or unknown:
        return bad(f"declared but not scheduled: {sorted(missing)}; unregistered: {sorted(unknown)}")
    return ok(f"beat_schedule: {sorted(configured)}")


def not_growing(ctx: Context) -> Outcome:
    first = depths(ctx)
    time.sleep(2.0)
    second = depths(ctx)
    growing = {q: (first[q].ready, second[q].ready) for q in first if second[q].ready > first[q].ready}
    return bad(f"growing: {growing}") if growing else ok("no queue grew over 2 s")


def redis_memory(ctx: Context) -> Outcome:
    client = probes.redis_client(ctx.app.conf.broker_url, 5)
    try:
        used = int(client.info("memory")["used_memory"])
    finally:
        client.close()
    text = f"used_memory {used / 1024 / 1024:.1f} MB"
    return ok(text) if used < REDIS_MEMORY_LIMIT_B else bad(text, "find the big keys: redis-cli --bigkeys")
