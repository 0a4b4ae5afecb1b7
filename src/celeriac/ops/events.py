"""Follow tasks by id through Celery's event stream, on a thread, tolerant of broker restarts."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from celeriac.errors import ServiceError

TERMINAL_EVENTS = frozenset({"task-succeeded", "task-failed", "task-revoked"})
#: Worker lifecycle events: a worker that went offline (or came back) explains a redelivery.
WORKER_EVENTS = frozenset({"worker-online", "worker-offline"})


@dataclass
class TaskTrace:
    """Everything the event stream said about one task id (timestamps are the sender's wall clock)."""

    id: str
    name: str = ""
    received_at: float | None = None
    started_at: list[float] = field(default_factory=list)  #: one per delivery that reached a pool
    hosts: list[str] = field(default_factory=list)  #: the worker of each start
    succeeded_at: float | None = None
    failed_at: float | None = None
    revoked_at: float | None = None
    retries: int = 0
    exception: str = ""

    @property
    def terminal(self) -> bool:
        return self.succeeded_at is not None or self.failed_at is not None or self.revoked_at is not None

    @property
    def finished_at(self) -> float | None:
        times = [t for t in (self.succeeded_at, self.failed_at, self.revoked_at) if t is not None]
        return max(times) if times else None


@dataclass
class EventLog:
    """Traces by task id, plus worker comings and goings; fed one event at a time by :func:`apply_event`."""

    tasks: dict[str, TaskTrace] = field(default_factory=dict)
    #: hostname -> timestamps of worker-online/worker-offline events
    worker_changes: dict[str, list[float]] = field(default_factory=dict)
    #: hostnames that sent a heartbeat (only workers with events enabled send them)
    heartbeats: set[str] = field(default_factory=set)
    events: int = 0


def apply_event(log: EventLog, event: Mapping[str, Any]) -> str | None:
    """Fold one event into ``log``; returns the task id when the event made that task terminal."""
    kind = str(event.get("type", ""))
    stamp = float(event.get("timestamp") or time.time())
    host = str(event.get("hostname", ""))
    log.events += 1
    if kind == "worker-heartbeat":
        log.heartbeats.add(host)
        return None
    if kind in WORKER_EVENTS:
        log.heartbeats.add(host)
        log.worker_changes.setdefault(host, []).append(stamp)
        return None
    task_id = event.get("uuid")
    if not kind.startswith("task-") or not task_id:
        return None
    trace = log.tasks.get(task_id)
    if trace is None:
        trace = log.tasks[task_id] = TaskTrace(id=str(task_id))
    was_terminal = trace.terminal
    if event.get("name"):
        trace.name = str(event["name"])
    if kind == "task-received" and trace.received_at is None:
        trace.received_at = stamp
    elif kind == "task-started":
        trace.started_at.append(stamp)
        trace.hosts.append(host)
    elif kind == "task-succeeded":
        trace.succeeded_at = stamp
    elif kind == "task-failed":
        trace.failed_at = stamp
        trace.exception = str(event.get("exception", ""))
    elif kind == "task-retried":
        trace.retries += 1
    elif kind == "task-revoked":
        trace.revoked_at = stamp
    return trace.id if trace.terminal and not was_terminal else None


class EventTracker:
    """An ``app.events.Receiver`` on a daemon thread that reconnects when the broker goes away.

    Events travel over Redis pub/sub, which drops them when a subscriber falls behind or the broker
    restarts: callers cross-check ids without a terminal event against the result backend.
    """

    def __init__(self, app: Any, on_terminal: Callable[[str], None] | None = None) -> None:
        self.app = app
        self.log = EventLog()
        self.reconnects = 0
        self._on_terminal = on_terminal
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._receiver: Any = None
        self._error = ""
        self._thread = threading.Thread(target=self._run, name="celeriac-events", daemon=True)

    def start(self, timeout_s: float = 10.0) -> None:
        """Start listening; raise :class:`ServiceError` when no subscription is up within ``timeout_s``."""
        self._thread.start()
        if not self._ready.wait(timeout_s):
            self.stop()
            raise ServiceError(f"cannot subscribe to task events: {self._error or 'broker did not answer'}")

    def stop(self) -> None:
        self._stop.set()
        if self._receiver is not None:
            self._receiver.should_stop = True
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def __enter__(self) -> EventTracker:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    # -- reading, under the lock ---------------------------------------------------------------------

    def trace(self, task_id: str) -> TaskTrace | None:
        with self._lock:
            return self.log.tasks.get(task_id)

    def traces(self, ids: Iterable[str]) -> dict[str, TaskTrace]:
        with self._lock:
            return {i: self.log.tasks[i] for i in ids if i in self.log.tasks}

    def terminal_count(self, ids: Iterable[str]) -> int:
        with self._lock:
            return sum(1 for i in ids if (t := self.log.tasks.get(i)) is not None and t.terminal)

    def heartbeats(self) -> set[str]:
        with self._lock:
            return set(self.log.heartbeats)

    def worker_changes(self) -> dict[str, list[float]]:
        with self._lock:
            return {host: list(times) for host, times in self.log.worker_changes.items()}

    # -- the thread ----------------------------------------------------------------------------------

    def _handle(self, event: Mapping[str, Any]) -> None:
        with self._lock:
            done = apply_event(self.log, event)
        if done is not None and self._on_terminal is not None:
            self._on_terminal(done)

    def _run(self) -> None:
        tracker = self

        class Receiver(self.app.events.Receiver):  # type: ignore[misc, name-defined]
            def on_consume_ready(self, *args: Any, **kwargs: Any) -> None:
                super().on_consume_ready(*args, **kwargs)
                tracker._ready.set()

        while not self._stop.is_set():
            try:
                with self.app.connection_for_read() as conn:
                    self._receiver = Receiver(conn, handlers={"*": self._handle}, app=self.app)
                    if self._stop.is_set():
                        return
                    self._receiver.capture(limit=None, timeout=None, wakeup=True)
            except Exception as exc:  # the broker went away (chaos restarts it): subscribe again
                self._error = f"{type(exc).__name__}: {exc}"
                self.reconnects += 1
                with contextlib.suppress(Exception):
                    self._stop.wait(0.5)
