"""Breaker state in Redis, shared by every worker; transitions are compare-and-set transactions."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

import redis

from celeriac import breaker
from celeriac.breaker import BreakerMode, BreakerState, Decision
from celeriac.connections import KEY_PREFIX
from celeriac.errors import CircuitOpenError
from celeriac.workloads import BreakerPolicy

log = logging.getLogger("celeriac.breaker")


def _key(name: str) -> str:
    return f"{KEY_PREFIX}breaker:{name}"


def _decode(raw: dict[bytes, bytes]) -> BreakerState:
    if not raw:
        return BreakerState()

    def get(field: str) -> str:
        return raw.get(field.encode(), b"").decode()

    return BreakerState(
        mode=BreakerMode(get("mode") or "closed"),
        failures=tuple(json.loads(get("failures") or "[]")),
        opened_at=float(get("opened_at")) if get("opened_at") else None,
        probe_at=float(get("probe_at")) if get("probe_at") else None,
    )


def _encode(st: BreakerState) -> dict[str, str]:
    return {
        "mode": st.mode.value,
        "failures": json.dumps(list(st.failures)),
        "opened_at": "" if st.opened_at is None else repr(st.opened_at),
        "probe_at": "" if st.probe_at is None else repr(st.probe_at),
    }


class RedisBreaker:
    """The pure state machine of :mod:`celeriac.breaker`, applied atomically to one Redis hash."""

    def __init__(self, client: redis.Redis, policy: BreakerPolicy, clock: Callable[[], float] = time.time):
        self._client = client
        self.policy = policy
        self._clock = clock
        self._key = _key(policy.name)

    def state(self) -> BreakerState:
        return _decode(self._client.hgetall(self._key))  # type: ignore[arg-type]

    def _transition(self, step: Callable[[BreakerState, float], tuple[BreakerState, object]]) -> object:
        def txn(pipe: redis.client.Pipeline) -> object:
            before = _decode(pipe.hgetall(self._key))  # type: ignore[arg-type]
            after, out = step(before, self._clock())
            if after != before:
                pipe.multi()
                pipe.hset(self._key, mapping=_encode(after))  # type: ignore[arg-type]
                # Forget a healthy service's breaker eventually; keep an open one at least its cool-down.
                pipe.expire(self._key, int(self.policy.window_s + self.policy.cooldown_s) * 10)
                if after.mode is not before.mode:
                    log.warning(
                        json.dumps(
                            {
                                "event": "breaker",
                                "breaker": self.policy.name,
                                "from": before.mode.value,
                                "to": after.mode.value,
                            }
                        )
                    )
            return out

        client: Any = self._client  # redis-py types transaction()'s callable as returning None
        return client.transaction(txn, self._key, value_from_callable=True)

    def before_call(self) -> None:
        """Raise :class:`CircuitOpenError` if the breaker refuses the call."""

        def step(st: BreakerState, now: float) -> tuple[BreakerState, Decision]:
            d = breaker.before_call(self.policy, st, now)
            return d.state, d

        decision = self._transition(step)
        assert isinstance(decision, Decision)
        if not decision.allowed:
            raise CircuitOpenError(self.policy.name, decision.retry_after_s)

    def record_success(self) -> None:
        self._transition(lambda st, now: (breaker.on_success(st), None))

    def record_failure(self) -> None:
        self._transition(lambda st, now: (breaker.on_failure(self.policy, st, now), None))

    def reset(self) -> None:
        self._client.delete(self._key)
