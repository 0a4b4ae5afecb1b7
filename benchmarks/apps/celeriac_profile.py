"""The workloads declared with Celeriac: configure() settings and ReliableTask, no result backend."""

from __future__ import annotations

from celery import Celery

import celeriac
from benchmarks.apps.common import BROKER_URL, noop_body, sleep_body
from benchmarks.apps.declarations import DECLARATIONS, NOOP, SLEEP50

# Current before the tasks register: celeriac.task() uses shared_task, which binds to the current app.
app = Celery("celeriac_profile", broker=BROKER_URL, set_as_current=True)
celeriac.configure(app, DECLARATIONS)


@celeriac.task(NOOP)
def noop() -> None:
    noop_body()


@celeriac.task(SLEEP50)
def sleep50() -> None:
    sleep_body()
