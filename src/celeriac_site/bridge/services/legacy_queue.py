"""The legacy Redis-list queue: LPUSH, BLMOVE into a per-executor processing list, requeue the dead's work.

Keys (prefix ``legacy``): ``jobs`` (list of job ids), ``job:<id>`` (the JobSpec JSON),
``processing:<executor>`` (ids an executor holds), ``result:<id>`` (its result record),
``alive:<executor>`` (heartbeat, with a TTL), ``executors`` (set of names), ``deliveries`` (hash id → count).
A job id is always in exactly one of ``jobs`` and the processing lists until its result is written, so
an executor killed at any instant loses nothing: its list is moved back to ``jobs`` once its heartbeat
expires (or at once when it restarts under its name).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import redis

from celeriac_site.bridge import conf
from celeriac_site.bridge.services.jobspec import JobSpec


@dataclass(frozen=True)
class Delivery:
    """A job an executor took: its id, raw payload (None if it expired) and how often it was delivered."""

    job_id: str
    raw: str | None
    deliveries: int


@dataclass(frozen=True)
class ExecutorState:
    name: str
    alive: bool
    holding: int  #: jobs in its processing list


class LegacyQueue:
    """The protocol over one Redis client (``decode_responses=True``)."""

    def __init__(
        self, client: redis.Redis, *, prefix: str = conf.KEY_PREFIX, result_ttl_s: int = conf.RESULT_TTL_S
    ) -> None:
        self.client = client
        self.prefix = prefix
        self.result_ttl_s = result_ttl_s

    @classmethod
    def from_url(cls, url: str, *, socket_timeout_s: float | None = conf.SOCKET_TIMEOUT_S) -> LegacyQueue:
        client = redis.Redis.from_url(
            url,
            decode_responses=True,
            socket_timeout=socket_timeout_s,
            socket_connect_timeout=conf.SOCKET_TIMEOUT_S,
            health_check_interval=30,
        )
        return cls(client)

    def key(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))

    # -- producer ---------------------------------------------------------------------------------------

    def enqueue(self, spec: JobSpec) -> None:
        """Store the payload and push the id, in one transaction: never an id without its payload."""
        self.enqueue_raw(spec.job_id, spec.to_json())

    def enqueue_raw(self, job_id: str, raw: str) -> None:
        pipe = self.client.pipeline(transaction=True)
        pipe.set(self.key("job", job_id), raw, ex=self.result_ttl_s)
        pipe.lpush(self.key("jobs"), job_id)
        pipe.execute()

    def depth(self) -> int:
        return int(self.client.llen(self.key("jobs")))

    # -- consumer ---------------------------------------------------------------------------------------

    def take(self, executor: str, timeout_s: int) -> Delivery | None:
        """Block up to ``timeout_s`` for a job; it moves atomically into the executor's processing list."""
        found = self.client.blmove(
            self.key("jobs"), self.key("processing", executor), timeout_s, "RIGHT", "LEFT"
        )
        if found is None:
            return None
        job_id = _text(found)
        deliveries = int(self.client.hincrby(self.key("deliveries"), job_id, 1))
        raw = self.client.get(self.key("job", job_id))
        return Delivery(job_id, None if raw is None else _text(raw), deliveries)

    def complete(
        self, executor: str, job_id: str, payload: dict[str, Any], *, started_at: float, finished_at: float
    ) -> None:
        """Write the result, drop the job from the processing list and announce it, in one transaction."""
        record = {
            "payload": payload,
            "started_at": started_at,
            "finished_at": finished_at,
            "executor": executor,
        }
        pipe = self.client.pipeline(transaction=True)
        pipe.set(self.key("result", job_id), json.dumps(record), ex=self.result_ttl_s)
        pipe.lrem(self.key("processing", executor), 1, job_id)
        pipe.hdel(self.key("deliveries"), job_id)
        pipe.publish(conf.EVENTS_CHANNEL, json.dumps({"job": job_id, "path": "legacy"}))
        pipe.execute()

    def result(self, job_id: str) -> dict[str, Any] | None:
        return _record(self.client.get(self.key("result", job_id)))

    def results(self, job_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The result records of those jobs that have one (one MGET)."""
        ids = list(job_ids)
        if not ids:
            return {}
        raws = self.client.mget([self.key("result", i) for i in ids])
        return {i: rec for i, raw in zip(ids, raws, strict=True) if (rec := _record(raw)) is not None}

    # -- liveness and recovery --------------------------------------------------------------------------

    def heartbeat(self, executor: str, ttl_s: float) -> None:
        pipe = self.client.pipeline(transaction=True)
        pipe.set(self.key("alive", executor), str(time.time()), ex=max(1, math.ceil(ttl_s)))
        pipe.sadd(self.key("executors"), executor)
        pipe.execute()

    def retire(self, executor: str) -> None:
        """A clean stop: no heartbeat left behind, so nobody waits for its TTL (its list is empty)."""
        if self.client.llen(self.key("processing", executor)) == 0:
            pipe = self.client.pipeline(transaction=True)
            pipe.delete(self.key("alive", executor))
            pipe.srem(self.key("executors"), executor)
            pipe.execute()

    def requeue_from(self, executor: str) -> int:
        """Move every job the executor holds back to the head of ``jobs`` (one atomic LMOVE each)."""
        moved = 0
        while self.client.lmove(self.key("processing", executor), self.key("jobs"), "RIGHT", "RIGHT"):
            moved += 1
        return moved

    def recover(self, *, exclude: str | None = None) -> dict[str, int]:
        """Requeue the jobs of every registered executor whose heartbeat expired; {name: jobs moved}."""
        out: dict[str, int] = {}
        for name in self._names():
            if name == exclude or self.client.exists(self.key("alive", name)):
                continue
            moved = self.requeue_from(name)
            # A dead executor that comes back re-registers with its next heartbeat.
            self.client.srem(self.key("executors"), name)
            if moved:
                out[name] = moved
        return out

    def executors(self) -> list[ExecutorState]:
        return [
            ExecutorState(
                name,
                bool(self.client.exists(self.key("alive", name))),
                int(self.client.llen(self.key("processing", name))),
            )
            for name in self._names()
        ]

    def _names(self) -> list[str]:
        return sorted(_text(n) for n in self.client.smembers(self.key("executors")))


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _record(raw: str | bytes | None) -> dict[str, Any] | None:
    if raw is None:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    return data if isinstance(data, dict) and isinstance(data.get("payload"), dict) else None
