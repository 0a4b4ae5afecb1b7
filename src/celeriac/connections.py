"""The Redis connection Celeriac keeps its own state in (idempotency, breakers, cancellation)."""

from __future__ import annotations

import os
import threading

import redis

_lock = threading.Lock()
_clients: dict[str, redis.Redis] = {}

#: Celeriac's coordination keys all start with this, so they are easy to find and never collide.
KEY_PREFIX = "celeriac:"


def state_url(broker_url: str | None) -> str:
    """``CELERIAC_STATE_URL`` if set, else the broker when it is Redis, else ``REDIS_URL``."""
    explicit = os.environ.get("CELERIAC_STATE_URL")
    if explicit:
        return explicit
    if broker_url and broker_url.split(":", 1)[0] in {"redis", "rediss", "valkey"}:
        return broker_url
    fallback = os.environ.get("REDIS_URL")
    if fallback:
        return fallback
    raise RuntimeError("Celeriac needs Redis for its state: set CELERIAC_STATE_URL or REDIS_URL")


def client_for(url: str) -> redis.Redis:
    """One client (and so one pool) per URL per process; redis-py resets pools after fork."""
    client = _clients.get(url)
    if client is None:
        with _lock:
            client = _clients.get(url)
            if client is None:
                client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
                _clients[url] = client
    return client
