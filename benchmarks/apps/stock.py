"""Plain Celery with its defaults: no result backend, default queue, tasks on Celery's Task."""

from __future__ import annotations

from celery import Celery

from benchmarks.apps.common import BROKER_URL, noop_body, sleep_body

app = Celery("stock", broker=BROKER_URL)


@app.task(name="bench.noop")
def noop() -> None:
    noop_body()


@app.task(name="bench.sleep50")
def sleep50() -> None:
    sleep_body()
