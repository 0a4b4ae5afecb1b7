"""Run a load: preflight, send by plan, drain, cross-check with the result backend, account, report."""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from celeriac.errors import ServiceError
from celeriac.ops.events import EventTracker
from celeriac.ops.load import preflight, verdict
from celeriac.ops.load.accounting import BACKEND_TERMINAL, Sent, account
from celeriac.ops.load.plan import Plan, TaskSpec, arrivals
from celeriac.ops.report import Finding, Report, Severity, Status

#: (phase, done, total): "sending" then "finishing"; the CLI draws progress bars from it.
Progress = Callable[[str, int, int], None]
STALL_CHECK_S = 2.0  #: without a terminal event this long, ask the result backend (events may be dropped)
BACKEND_BATCH = 500


def queue_of(app: Any, spec: TaskSpec) -> str:
    """The queue the app's routes send ``spec`` to."""
    if spec.queue:
        return spec.queue
    route = app.amqp.router.route({}, spec.name, spec.args, dict(spec.kwargs))
    queue = route.get("queue")
    return str(getattr(queue, "name", queue) or app.conf.task_default_queue)


def backend_states(app: Any, ids: Sequence[str]) -> dict[str, str]:
    """The result backend's state of each id (PENDING when it knows nothing); one round trip per batch."""
    backend = app.backend
    out: dict[str, str] = {}
    if type(backend).__name__ == "DisabledBackend":
        return out
    for i in range(0, len(ids), BACKEND_BATCH):
        batch = list(ids[i : i + BACKEND_BATCH])
        if hasattr(backend, "mget") and hasattr(backend, "get_key_for_task"):
            values = backend.mget([backend.get_key_for_task(t) for t in batch])
            for task_id, raw in zip(batch, values, strict=True):
                out[task_id] = str(backend.decode_result(raw)["status"]) if raw else "PENDING"
        else:
            for task_id in batch:
                out[task_id] = str(app.AsyncResult(task_id).state)
    return out


class _Finished:
    """Ids that reached a terminal state, by event or by the backend, with a condition to wait on."""

    def __init__(self) -> None:
        self.ids: set[str] = set()
        self.watched: set[str] = set()
        self.cond = threading.Condition()
        self.last_change = time.monotonic()

    def on_terminal(self, task_id: str) -> None:
        with self.cond:
            if task_id in self.watched and task_id not in self.ids:
                self.ids.add(task_id)
                self.last_change = time.monotonic()
                self.cond.notify_all()

    def count(self) -> int:
        with self.cond:
            return len(self.ids)

    def pending(self, sent: Iterable[str]) -> list[str]:
        with self.cond:
            return [i for i in sent if i not in self.ids]


def run_load(
    app: Any,
    plan: Plan,
    *,
    target: str,
    drain_timeout_s: float = 30.0,
    seed: int = 0,
    progress: Progress = lambda *_: None,
) -> Report:
    """Send ``plan`` to the app's workers and account for every task by id."""
    report = Report(command="load", target=target)
    if report.add(preflight.check_broker(app)).failed:
        return report
    report.add(preflight.check_backend(app))
    queues = {queue_of(app, spec) for spec in plan.specs}
    workers = preflight.find_workers(app)
    report.extend(preflight.check_workers(workers, queues))
    if plan.excluded:
        report.add(
            Finding(
                "P006",
                "declared mix",
                Status.PASS,
                Severity.INFO,
                message="sent: "
                + ", ".join(s.name for s in plan.specs)
                + "; left out: "
                + _grouped(plan.excluded),
            )
        )
    if not report.ok:
        return report
    # The producer records its own send times, so Celery's task-sent events would only add traffic.
    app.conf.task_send_sent_event = False
    finished = _Finished()
    tracker = EventTracker(app, on_terminal=finished.on_terminal)
    try:
        tracker.start()
    except ServiceError as exc:
        report.add(Finding("P005", "task events", Status.FAIL, message=str(exc)))
        return report
    enabled: list[str] = []
    try:
        finding, enabled = preflight.ensure_events(app, workers.hosts)
        if report.add(finding).failed:
            return report
        sent, send_span = _send(app, plan, finished, progress, seed)
        _drain(app, sent, finished, drain_timeout_s, progress)
        missing = finished.pending(sent)
        traces = tracker.traces(sent)
        without_event = [i for i in sent if not (i in traces and traces[i].terminal)]
        states = backend_states(app, without_event)
        acc = account(sent, traces, states, worker_changes=tracker.worker_changes())
        report.extend(verdict.findings(acc, plan, send_span, still_running=len(missing)))
        report.summary = verdict.summary(acc, plan, send_span, reconnects=tracker.reconnects)
    finally:
        if enabled:
            app.control.disable_events(destination=enabled)
        tracker.stop()
    return report


def _grouped(excluded: Sequence[str], show: int = 3) -> str:
    """``"a: no example"``, ... → ``"no example (2): a, b"``: one clause per reason, a few names each."""
    by_reason: dict[str, list[str]] = {}
    for item in excluded:
        name, _, reason = item.partition(": ")
        by_reason.setdefault(reason, []).append(name)
    return "; ".join(
        f"{reason} ({len(names)}): {', '.join(names[:show])}{', ...' if len(names) > show else ''}"
        for reason, names in by_reason.items()
    )


def _send(
    app: Any, plan: Plan, finished: _Finished, progress: Progress, seed: int
) -> tuple[dict[str, Sent], float]:
    sent: dict[str, Sent] = {}
    rng = random.Random(seed)
    schedule = arrivals(plan.rate_per_s, plan.total, rng) if plan.rate_per_s else None
    start = time.monotonic()
    with app.producer_or_acquire() as producer:
        for i in range(plan.total):
            if schedule is not None:
                delay = start + next(schedule) - time.monotonic()
                if delay > 0:
                    time.sleep(delay)  # behind schedule: send at once, the report shows the achieved rate
            elif plan.concurrency is not None:
                _wait_for_room(app, plan.concurrency, sent, finished)
            spec = plan.spec_for(i)
            task_id = str(uuid.uuid4())
            with finished.cond:
                finished.watched.add(task_id)
            sent[task_id] = Sent(name=spec.name, sent_at=time.time())
            options: dict[str, Any] = {"queue": spec.queue} if spec.queue else {}
            app.send_task(
                spec.name,
                args=spec.args,
                kwargs=dict(spec.kwargs),
                task_id=task_id,
                producer=producer,
                **options,
            )
            if i % 50 == 0 or i == plan.total - 1:
                progress("sending", i + 1, plan.total)
                progress("finishing", finished.count(), plan.total)
    return sent, time.monotonic() - start


def _wait_for_room(app: Any, concurrency: int, sent: dict[str, Sent], finished: _Finished) -> None:
    while True:
        with finished.cond:
            if len(sent) - len(finished.ids) < concurrency:
                return
            finished.cond.wait(timeout=STALL_CHECK_S)
            stalled = time.monotonic() - finished.last_change >= STALL_CHECK_S
        if stalled:
            _reconcile(app, finished.pending(sent), finished)


def _reconcile(app: Any, pending: Sequence[str], finished: _Finished) -> None:
    """Dropped events stall the count: take terminal states from the result backend instead."""
    for task_id, state in backend_states(app, pending[:BACKEND_BATCH]).items():
        if state in BACKEND_TERMINAL:
            finished.on_terminal(task_id)
    with finished.cond:
        finished.last_change = time.monotonic()  # checked: wait a full interval before asking again


def _drain(
    app: Any, sent: dict[str, Sent], finished: _Finished, timeout_s: float, progress: Progress
) -> None:
    """Wait until every task finished, or nothing finished for ``timeout_s``."""
    last_seen = finished.count()
    last_progress = time.monotonic()
    while last_seen < len(sent):
        with finished.cond:
            finished.cond.wait(timeout=0.25)
        count = finished.count()
        progress("finishing", count, len(sent))
        now = time.monotonic()
        if count > last_seen:
            last_seen, last_progress = count, now
        elif now - last_progress >= timeout_s:
            return
        elif now - finished.last_change >= STALL_CHECK_S:
            _reconcile(app, finished.pending(sent), finished)
