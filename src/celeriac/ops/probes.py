"""Live probes shared by doctor and verify: bounded calls, the broker, queue depth, the workers' view."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlsplit

import redis
from celery import Celery
from kombu.utils.url import maybe_sanitize_url

from celeriac.fleet.export import KOMBU_PRIORITY_SEP

T = TypeVar("T")

REDIS_SCHEMES = frozenset({"redis", "rediss", "valkey", "valkeys"})
#: kombu's Redis hash of delivered-but-unacked messages (its ``unacked_key`` transport option).
UNACKED_KEY = "unacked"
NO_ANSWER = "no answer within {timeout:g} s"
#: Seconds the first ping waits for replies; workers on a healthy broker answer in milliseconds.
FIRST_PING_S = 1.0


class ProbeTimeout(Exception):
    """A probe did not finish in time; the service is down, firewalled or overloaded."""


def bounded(fn: Callable[[], T], timeout_s: float) -> T:
    """Run ``fn`` in a daemon thread and give up after ``timeout_s``.

    Client libraries retry on their own schedules (Celery's Redis result backend for ~20 s, a
    firewalled TCP connect for minutes); a doctor must answer in seconds whatever they do.
    """
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed to the caller's thread below
            box["error"] = exc

    thread = threading.Thread(target=target, name="celeriac-probe", daemon=True)
    thread.start()
    thread.join(timeout_s)
    if thread.is_alive():
        raise ProbeTimeout(NO_ANSWER.format(timeout=timeout_s))
    if "error" in box:
        raise box["error"]
    return box["value"]  # type: ignore[no-any-return]


def safe_url(url: str | None) -> str:
    """The URL without its password, fit for a report."""
    return str(maybe_sanitize_url(url or "")) or "(unset)"


def is_redis(url: str | None) -> bool:
    return bool(url) and str(url).split(":", 1)[0] in REDIS_SCHEMES


def redis_client(url: str, timeout_s: float) -> redis.Redis:
    """A client that fails within ``timeout_s`` instead of hanging (redis-py waits forever by default)."""
    parts = urlsplit(url)
    if parts.scheme.startswith("valkey"):
        url = parts._replace(scheme=parts.scheme.replace("valkey", "redis")).geturl()
    return redis.Redis.from_url(url, socket_connect_timeout=timeout_s, socket_timeout=timeout_s)


def ping_broker(app: Celery, timeout_s: float) -> float:
    """Seconds one round trip to the broker takes; raises with the client's reason when it fails."""
    url = app.conf.broker_url or ""
    if is_redis(url):
        client = redis_client(url, timeout_s)
        try:
            started = time.perf_counter()
            client.ping()
            return time.perf_counter() - started
        finally:
            client.close()

    def connect() -> float:
        started = time.perf_counter()
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=max(1, round(timeout_s)))
        return time.perf_counter() - started

    return bounded(connect, timeout_s + 1)


# --- Queue depth -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Depth:
    """Messages of one queue: waiting per priority list, and delivered to a worker but not acked."""

    queue: str
    ready_by_step: Mapping[int, int]
    unacked: int

    @property
    def ready(self) -> int:
        return sum(self.ready_by_step.values())


def priority_keys(queue: str, prefix: str = "") -> dict[int, str]:
    """Every list kombu may use for ``queue``: the bare name (step 0) and ``queue\\x06\\x16N``, N = 1..9.

    All nine are read whatever ``priority_steps`` says: a list left over from an older step layout
    still holds messages, and an absent key costs one LLEN.
    """
    return {n: f"{prefix}{queue}{KOMBU_PRIORITY_SEP}{n}" if n else f"{prefix}{queue}" for n in range(10)}


def queue_depths(
    client: redis.Redis, queues: Iterable[str], transport: Mapping[str, Any]
) -> dict[str, Depth]:
    """Depth of each queue on a Redis broker, priority sub-lists and the ``unacked`` hash included.

    ``transport`` is the broker's transport options (``global_keyprefix``, ``unacked_key``). An unacked
    entry is ``[message, exchange, routing_key]``; it counts for the queue its routing key names, which
    is the queue itself for Celery's and Celeriac's direct exchanges.
    """
    prefix = str(transport.get("global_keyprefix", ""))
    names = list(dict.fromkeys(queues))
    pipe = client.pipeline(transaction=False)
    keys = {q: priority_keys(q, prefix) for q in names}
    for q in names:
        for key in keys[q].values():
            pipe.llen(key)
    lengths = iter(pipe.execute())
    ready = {q: {n: int(next(lengths)) for n in keys[q]} for q in names}
    unacked = dict.fromkeys(names, 0)
    for _, raw in client.hscan_iter(prefix + str(transport.get("unacked_key", UNACKED_KEY)), count=500):
        queue = _routed_queue(raw)
        if queue in unacked:
            unacked[queue] += 1
    return {q: Depth(q, {n: c for n, c in ready[q].items() if c}, unacked[q]) for q in names}


def _routed_queue(raw: bytes) -> str | None:
    try:
        _, exchange, routing_key = json.loads(raw)
    except (ValueError, TypeError):
        return None
    return str(routing_key or exchange or "") or None


# --- Workers -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkerInfo:
    """What one worker says about itself: pool, concurrency, prefetch, queues and registered tasks."""

    name: str
    pool: str
    concurrency: int | None
    prefetch_count: int | None
    queues: tuple[str, ...]
    registered: frozenset[str]
    pid: int | None = None


@dataclass(frozen=True)
class WorkerView:
    """Every worker that answered, and how long the ping took."""

    workers: tuple[WorkerInfo, ...] = ()
    ping_s: float = 0.0
    silent: tuple[str, ...] = field(default=())

    def consumers(self, queue: str) -> tuple[WorkerInfo, ...]:
        return tuple(w for w in self.workers if queue in w.queues)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(w.name for w in self.workers)


def pool_name(implementation: str) -> str:
    """``celery.concurrency.gevent:TaskPool`` → ``gevent``; unknown implementations stay as they are."""
    from celery import concurrency

    aliases: dict[str, str] = getattr(concurrency, "ALIASES", {})
    for alias, path in aliases.items():
        if path == implementation and alias != "processes":
            return alias
    return implementation


def inspect_workers(app: Celery, timeout_s: float) -> WorkerView:
    """Ping every worker, then ask those that answered for stats, queues and registered tasks."""
    started = time.perf_counter()
    # A ping collects replies until its timeout: ask briefly first, and wait longer only if nobody
    # answered (a busy worker), so a healthy fleet is inspected in about a second.
    replies = app.control.ping(timeout=min(timeout_s, FIRST_PING_S)) or []
    if not replies and timeout_s > FIRST_PING_S:
        replies = app.control.ping(timeout=timeout_s - FIRST_PING_S) or []
    ping_s = time.perf_counter() - started
    names = sorted({name for reply in replies for name in reply})
    if not names:
        return WorkerView((), ping_s)
    # limit= returns as soon as every pinged worker replied instead of always waiting the timeout.
    insp = app.control.inspect(destination=names, timeout=timeout_s, limit=len(names))
    stats = insp.stats() or {}
    queues = insp.active_queues() or {}
    registered = insp.registered() or {}
    workers = []
    for name in names:
        st: Mapping[str, Any] = dict(stats.get(name) or {})
        pool = st.get("pool") or {}
        workers.append(
            WorkerInfo(
                name=name,
                pool=pool_name(str(pool.get("implementation", "?"))),
                concurrency=pool.get("max-concurrency"),
                prefetch_count=st.get("prefetch_count"),
                queues=tuple(sorted(q["name"] for q in queues.get(name) or [])),
                registered=frozenset(str(t).split(" ")[0] for t in registered.get(name) or []),
                pid=st.get("pid"),
            )
        )
    silent = tuple(n for n in names if n not in stats)
    return WorkerView(tuple(workers), ping_s, silent)
