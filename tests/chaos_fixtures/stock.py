"""A Celery app on stock defaults: acks on receipt, no reject_on_worker_lost, events off, 1 h visibility.

Only the broker and result backend are set (every app sets those). Its probe task follows the
protocol of ``celeriac chaos``: ``chaos.effect(key, seconds)`` sleeps, then appends its task id to
the Redis list ``celeriac:chaos:effect:<key>``, so every real execution is counted, duplicates included.
"""

from __future__ import annotations

import os
import time

import redis
from celery import Celery, Task

URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

app = Celery("stock", broker=URL, backend=URL)


@app.task(name="chaos.effect", bind=True)
def effect(self: Task, key: str, seconds: float) -> int:
    time.sleep(seconds)  # the window in which chaos kills the worker
    client = redis.Redis.from_url(app.conf.broker_url)
    return int(client.rpush(f"celeriac:chaos:effect:{key}", self.request.id or ""))


@app.task(name="stock.add")
def add(x: int, y: int) -> int:
    return x + y
