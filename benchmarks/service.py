"""Find the Redis to measure against: REDIS_URL, a local server, or Celeriac's embedded one."""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import redis

LOCAL_URL = "redis://127.0.0.1:6379/0"
BENCH_DB = 9
EMBEDDED_ROOT = "var/bench"


@dataclass(frozen=True)
class Broker:
    """The server as found, and the dedicated DB URL the benchmark flushes and uses."""

    origin: str  # "REDIS_URL" | "local" | "embedded"
    url: str
    embedded: bool


def with_db(url: str, db: int) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, parts.fragment))


def answers(url: str) -> bool:
    client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
    try:
        return bool(client.ping())
    except (redis.RedisError, OSError):
        return False
    finally:
        client.close()


def find_broker() -> Broker:
    """REDIS_URL if set, else 127.0.0.1:6379 if it answers, else the embedded server under var/bench."""
    if url := os.environ.get("REDIS_URL"):
        return Broker("REDIS_URL", with_db(url, BENCH_DB), embedded=False)
    if answers(LOCAL_URL):
        return Broker("local", with_db(LOCAL_URL, BENCH_DB), embedded=False)
    try:
        from celeriac.embedded import Stack
    except ImportError as exc:
        raise SystemExit(
            f"no Redis: REDIS_URL is unset, nothing answers on 127.0.0.1:6379 and the embedded stack "
            f"cannot be imported ({exc}). Set REDIS_URL."
        ) from None
    service = Stack(EMBEDDED_ROOT).redis(prefer_local=True)
    return Broker(
        "embedded" if service.embedded else "local", with_db(service.url, BENCH_DB), service.embedded
    )


def stop_embedded() -> None:
    from celeriac.embedded import Stack

    Stack(EMBEDDED_ROOT).stop()


def flush(url: str) -> None:
    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    finally:
        client.close()


def server_version(url: str) -> str:
    client = redis.Redis.from_url(url)
    try:
        info = client.info("server")
        name = "valkey" if "valkey_version" in info else "redis"
        return f"{name} {info.get('valkey_version') or info.get('redis_version')}"
    finally:
        client.close()
