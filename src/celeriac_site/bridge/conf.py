"""The bridge's defaults, each with its unit; readable without Django (the legacy executors run without)."""

from __future__ import annotations

import os

from celeriac_site import urls_env

#: Without BRIDGE_REDIS_URL the legacy queue lives on the broker's server in this database: the broker
#: is on 0 and the cache on 1, so the legacy jobs never share a keyspace with Celery's (seed 003).
DEFAULT_REDIS_DB = 2
#: Every key of the legacy protocol starts with this.
KEY_PREFIX = "legacy"
#: The event bus: both paths announce each result here, as JSON ``{"job", "path"}``.
EVENTS_CHANNEL = "bridge:events"
#: An executor that has not renewed its heartbeat for this long is dead: its jobs are requeued.
HEARTBEAT_TTL_S = 10.0
#: Results and job payloads are kept this long in the queue Redis (the database keeps them for good).
RESULT_TTL_S = 7 * 24 * 3600
#: A job delivered this many times (its executors kept dying on it) is answered IE instead of again.
MAX_DELIVERIES = 3
#: Seconds a Redis call of the API may block: a down legacy queue must not stall the Celery path.
SOCKET_TIMEOUT_S = 2.0


def redis_url() -> str:
    """``BRIDGE_REDIS_URL``, else the broker's server with database :data:`DEFAULT_REDIS_DB`."""
    return os.environ.get("BRIDGE_REDIS_URL") or urls_env.redis_url(DEFAULT_REDIS_DB)


def heartbeat_ttl_s() -> float:
    return float(os.environ.get("BRIDGE_EXECUTOR_HEARTBEAT_TTL_S", HEARTBEAT_TTL_S))
