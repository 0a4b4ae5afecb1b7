"""What the Redis broker still holds of the probe tasks, and its redelivery timings (kombu's options)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

UNACKED_KEY = "unacked"  #: kombu's Redis hash of delivered, unacknowledged messages


def probe_ids_held(url: str, queue: str, ids: Sequence[str]) -> list[str]:
    """Probe ids still queued (any priority list) or delivered-unacknowledged in the Redis broker."""
    import redis

    client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
    wanted = set(ids)
    found: set[str] = set()
    # kombu keeps one list per priority step: "queue", "queue\x06\x161", ... (SPEC §4).
    for name in [queue, *(f"{queue}\x06\x16{n}" for n in range(1, 10))]:
        for raw in client.lrange(name, 0, -1):
            found |= ids_in(raw, wanted, wrapped=False)
    for raw in client.hvals(UNACKED_KEY):
        found |= ids_in(raw, wanted, wrapped=True)
    return sorted(found)


def ids_in(raw: bytes | str, wanted: set[str], *, wrapped: bool) -> set[str]:
    try:
        message = json.loads(raw)
        if wrapped:  # unacked entries are [message, exchange, routing_key]
            message = message[0]
        task_id = message["headers"]["id"]
    except (ValueError, KeyError, IndexError, TypeError):
        return set()
    return {task_id} if task_id in wanted else set()


def visibility_timeout_s(app: Any) -> float:
    options = app.conf.broker_transport_options or {}
    return float(options.get("visibility_timeout", 3600))


def restore_period_s(app: Any) -> float:
    """How often a worker sweeps unacked messages of dead workers back (kombu: interval x throttle)."""
    options = app.conf.broker_transport_options or {}
    return float(options.get("unacked_restore_interval", 10)) * float(
        options.get("unacked_restore_throttle", 10)
    )
