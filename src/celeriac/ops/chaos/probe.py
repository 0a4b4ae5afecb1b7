"""The probe task chaos sends, and how its side effects are counted exactly, per key."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from celeriac.errors import CeleriacError

#: The probe protocol for any app: ``task(key, seconds)`` sleeps ``seconds``, then RPUSHes its task id
#: onto ``EFFECT_LIST_PREFIX + key`` in the broker's Redis. One list entry per real execution.
EFFECT_LIST_PREFIX = "celeriac:chaos:effect:"
PROTOCOL_TASK = "chaos.effect"
#: The reference deployment's probe: one EffectLog row per real effect, made exactly-once by
#: ``effects.once``; a redelivered run finds the marker and adds nothing.
REFERENCE_TASK = "demo.slow_effect"
EFFECT_TABLE = "demo_effectlog"


class ProbeError(CeleriacError):
    """No probe task to send, or its effects cannot be counted."""


class EffectCounter(Protocol):
    what: str

    def count(self, keys: Sequence[str]) -> dict[str, int]: ...


class RedisListCounter:
    """Entries in ``celeriac:chaos:effect:<key>``: every execution, so duplicates show."""

    def __init__(self, url: str) -> None:
        import redis

        self.what = f"Redis lists {EFFECT_LIST_PREFIX}<key>"
        self._client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)

    def count(self, keys: Sequence[str]) -> dict[str, int]:
        pipe = self._client.pipeline(transaction=False)
        for key in keys:
            pipe.llen(EFFECT_LIST_PREFIX + key)
        return {key: int(n) for key, n in zip(keys, pipe.execute(), strict=True)}


class EffectLogCounter:
    """Rows of the reference deployment's ``EffectLog`` per key, read with plain SQL."""

    def __init__(self, database_url: str) -> None:
        self.what = f"table {EFFECT_TABLE} (one row per real effect)"
        self._url = database_url

    def count(self, keys: Sequence[str]) -> dict[str, int]:
        import psycopg

        with psycopg.connect(self._url, connect_timeout=5) as conn:
            rows = conn.execute(
                f"SELECT key, count(*) FROM {EFFECT_TABLE} WHERE key = ANY(%s) GROUP BY key", (list(keys),)
            ).fetchall()
        found = {str(k): int(n) for k, n in rows}
        return {key: found.get(key, 0) for key in keys}


@dataclass(frozen=True)
class Probe:
    task: str
    queue: str
    counter: EffectCounter
    idempotent: bool  #: the effect is exactly-once by design: a redelivery repeats work, not the effect
    uses_database: bool

    def args(self, key: str, seconds: float) -> tuple[Any, ...]:
        return (key, seconds)


def probe_task(app: Any, task: str | None) -> str:
    """The probe's name: ``task``, else the protocol task, else the reference one; raise if absent.

    The protocol task comes first: an app that defines it means it, while the reference task can be
    registered in any app of a process where Django loads the reference site (shared tasks).
    """
    app.loader.import_default_modules()  # tasks registered by autodiscovery, as a worker sees them
    names = set(app.tasks)
    name = task or next((n for n in (PROTOCOL_TASK, REFERENCE_TASK) if n in names), None)
    if name is None or name not in names:
        raise ProbeError(
            f"no probe task {name or ''} in this app: add a task {PROTOCOL_TASK!r}(key, seconds) that sleeps "
            f"`seconds` and then RPUSHes its task id onto the Redis list '{EFFECT_LIST_PREFIX}<key>' "
            "(see docs/chaos.md), or name one with --task"
        )
    return name


def choose(app: Any, task: str | None, *, redis_url: str, database_url: str | None) -> Probe:
    """The probe task and the counter of its effects."""
    from celeriac.ops.load.engine import queue_of
    from celeriac.ops.load.plan import TaskSpec

    name = probe_task(app, task)
    queue = queue_of(app, TaskSpec(name))
    if name == REFERENCE_TASK:
        if not database_url:
            raise ProbeError(f"{REFERENCE_TASK} records its effects in PostgreSQL: set DATABASE_URL")
        return Probe(name, queue, EffectLogCounter(database_url), idempotent=True, uses_database=True)
    return Probe(name, queue, RedisListCounter(redis_url), idempotent=False, uses_database=False)
