"""Cooperative cancellation that survives worker restarts, on top of Celery's revoke."""

from __future__ import annotations

import redis
from celery import Celery

from celeriac.connections import KEY_PREFIX, client_for, state_url

#: How long a cancellation is remembered: longer than any message can wait in a queue.
CANCEL_TTL_S = 7 * 24 * 3600


def _key(task_id: str) -> str:
    return f"{KEY_PREFIX}cancel:{task_id}"


def cancel(app: Celery, task_id: str) -> None:
    """Cancel a task: not started yet, it is skipped; running, it stops at its next check.

    Celery's ``revoke`` alone is remembered only in the memory of the workers that were up when it
    was broadcast; the Redis marker is seen by every worker, including ones started later.
    """
    client_for(state_url(app.conf.broker_url)).set(_key(task_id), b"1", ex=CANCEL_TTL_S)
    app.control.revoke(task_id)


def is_cancelled(client: redis.Redis, task_id: str) -> bool:
    return bool(client.exists(_key(task_id)))
