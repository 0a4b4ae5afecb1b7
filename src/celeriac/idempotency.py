"""Idempotency: one side effect per key, across duplicate sends and redeliveries after a crash."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import redis

from celeriac.connections import KEY_PREFIX


class ClaimState(StrEnum):
    CLAIMED = "claimed"  #: this task id owns the key: run the task
    DONE = "done"  #: an earlier run finished; its result is returned instead of running again
    BUSY = "busy"  #: another task id is running it right now; this send is a duplicate


@dataclass(frozen=True)
class Claim:
    state: ClaimState
    result: Any = None
    owner: str | None = None


def render_key(template: str, arguments: Mapping[str, Any]) -> str:
    """Fill the declared template (``'credit:{account}:{request_id}'``) from the call's arguments."""
    return KEY_PREFIX + "idem:" + template.format_map(arguments)


# GET-and-decide in one round trip and atomically: two duplicates arriving together cannot both claim.
# A key held by the same task id is a redelivery (crash, retry): the owner runs again.
_CLAIM = """
local v = redis.call('GET', KEYS[1])
if not v then
  redis.call('SET', KEYS[1], 'run:' .. ARGV[1], 'EX', ARGV[2])
  return {'claimed', ''}
end
if string.sub(v, 1, 5) == 'done:' then return {'done', string.sub(v, 6)} end
local owner = string.sub(v, 5)
if owner == ARGV[1] then return {'claimed', ''} end
return {'busy', owner}
"""

_RELEASE = """
if redis.call('GET', KEYS[1]) == 'run:' .. ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class IdempotencyStore:
    """Claims live in Redis with a TTL; a finished claim keeps the JSON result for late duplicates."""

    def __init__(self, client: redis.Redis) -> None:
        self._client = client
        self._claim = client.register_script(_CLAIM)
        self._release = client.register_script(_RELEASE)

    def claim(self, key: str, task_id: str, ttl_s: float) -> Claim:
        state, payload = self._claim(keys=[key], args=[task_id, int(ttl_s)])
        state = state.decode() if isinstance(state, bytes) else state
        payload = payload.decode() if isinstance(payload, bytes) else payload
        if state == "done":
            return Claim(ClaimState.DONE, result=json.loads(payload) if payload else None)
        if state == "busy":
            return Claim(ClaimState.BUSY, owner=payload)
        return Claim(ClaimState.CLAIMED)

    def complete(self, key: str, result: Any, ttl_s: float) -> None:
        try:
            payload = json.dumps(result)
        except (TypeError, ValueError):
            payload = "null"
        self._client.set(key, "done:" + payload, ex=int(ttl_s))

    def release(self, key: str, task_id: str) -> None:
        """Give the key up after a final failure, so a later send may try again."""
        self._release(keys=[key], args=[task_id])
