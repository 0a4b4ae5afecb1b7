"""Building blocks for suite checks: capture task events from the broker, capture the JSON task log."""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from celery import Celery

T = TypeVar("T")
#: The logger ``celeriac.observe.tasklog`` writes one JSON line per run to.
TASK_LOGGER = "celeriac.task"
#: An event only this receiver looks for: its return proves the subscription is live.
PROBE_EVENT = "celeriac-verify-probe"


def capture_events(
    app: Celery, action: Callable[[], T], *, done: Callable[[list[dict[str, Any]]], bool], timeout_s: float
) -> tuple[T, list[dict[str, Any]]]:
    """Listen to task events, run ``action`` once listening, stop when ``done(events)`` or at the timeout.

    The receiver binds its queue before ``action`` runs, so no event of the action is missed.
    """
    events: list[dict[str, Any]] = []
    lock = threading.Lock()
    ready = threading.Event()
    failure: list[BaseException] = []

    def record(event: dict[str, Any]) -> None:
        with lock:
            events.append(event)

    with app.connection_for_read() as conn:
        receiver: Any = app.events.Receiver(conn, handlers={"*": record})
        announce = receiver.on_consume_ready

        def on_ready(*args: Any, **kwargs: Any) -> None:
            announce(*args, **kwargs)
            ready.set()

        receiver.on_consume_ready = on_ready

        def consume() -> None:
            try:
                for _ in receiver.consume(limit=None, timeout=None, safety_interval=0.2, wakeup=False):
                    pass
            except BaseException as exc:  # handed to the caller below
                failure.append(exc)
                ready.set()

        thread = threading.Thread(target=consume, name="celeriac-events", daemon=True)
        thread.start()
        if not ready.wait(timeout_s):
            raise TimeoutError(f"the event receiver was not ready within {timeout_s:g} s")
        if failure:
            raise failure[0]
        _wait_subscribed(app, events, lock, timeout_s)
        value = action()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with lock:
                if done(list(events)):
                    break
            time.sleep(0.05)
        receiver.should_stop = True
        thread.join(timeout_s)
    with lock:
        return value, [e for e in events if e.get("type") != PROBE_EVENT]


def _wait_subscribed(
    app: Celery, events: list[dict[str, Any]], lock: threading.Lock, timeout_s: float
) -> None:
    """Publish probe events until one comes back.

    On Redis the receiver subscribes on its first poll, after it reports ready; an event published in
    between is lost, so the action must wait until the subscription demonstrably works.
    """
    token = uuid.uuid4().hex
    deadline = time.monotonic() + timeout_s
    with app.events.default_dispatcher() as dispatcher:
        while time.monotonic() < deadline:
            dispatcher.send(PROBE_EVENT, token=token)
            for _ in range(10):
                with lock:
                    if any(e.get("token") == token for e in events):
                        return
                time.sleep(0.05)
    raise TimeoutError(f"no event came back within {timeout_s:g} s: is the broker's pub/sub working?")


@contextlib.contextmanager
def task_log_lines() -> Iterator[list[dict[str, Any]]]:
    """Collect the JSON lines Celeriac's task base logs in this process (e.g. around ``task.apply()``)."""
    lines: list[dict[str, Any]] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            with contextlib.suppress(ValueError):
                lines.append(json.loads(record.getMessage()))

    logger = logging.getLogger(TASK_LOGGER)
    handler = Collect(logging.INFO)
    level = logger.level
    logger.addHandler(handler)
    # Workers log at INFO; a bare process logs WARNING and up, which would hide the line.
    logger.setLevel(logging.INFO)
    try:
        yield lines
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
