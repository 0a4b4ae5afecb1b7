"""Account for every sent task by id: succeeded, failed, revoked, lost, duplicated and why (pure)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from celeriac.ops.events import TaskTrace

#: An exception class name in a task-failed event's repr, e.g. ``WorkerLostError`` inside Celery's wrapper.
_EXCEPTION_NAME = re.compile(r"\b([A-Z]\w*(?:Error|Exception|Exceeded|Exit|Interrupt|Lost))\b")
_WRAPPERS = {"ExceptionWithTraceback"}

#: Result-backend states that end a task; any other state after the drain means it is lost.
BACKEND_TERMINAL = {"SUCCESS": "succeeded", "FAILURE": "failed", "REVOKED": "revoked"}


class Outcome(StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    REVOKED = "revoked"
    LOST = "lost"  #: sent, and no terminal state from the events nor the result backend after the drain


class Source(StrEnum):
    """Which record decided a task's outcome."""

    EVENTS = "events"
    BACKEND = "result backend"  #: its terminal event was dropped; the backend had the final state
    NEITHER = "neither"  #: no terminal event and the backend has none (or none was asked)


@dataclass(frozen=True)
class Sent:
    """What the producer recorded before publishing: task name and wall-clock send time."""

    name: str
    sent_at: float


@dataclass(frozen=True)
class Fault:
    """Something that legitimately causes a redelivery: a kill, a restart, at ``at`` on ``host``."""

    at: float
    what: str
    host: str | None = None  #: None: every worker was affected (e.g. a broker restart)


@dataclass
class AccountedTask:
    id: str
    name: str
    sent_at: float | None
    outcome: Outcome
    decided_by: Source
    started_at: list[float] = field(default_factory=list)
    hosts: list[str] = field(default_factory=list)
    succeeded_at: float | None = None
    failed_at: float | None = None
    retries: int = 0
    exception: str = ""
    backend_state: str | None = None
    #: Starts beyond the first that retries do not account for (a redelivery of the same message).
    redeliveries: int = 0
    explained_by: str = ""  #: why the redeliveries happened; empty when unexplained

    @property
    def finished_at(self) -> float | None:
        times = [t for t in (self.succeeded_at, self.failed_at) if t is not None]
        return max(times) if times else None

    @property
    def duplicated(self) -> bool:
        return self.redeliveries > 0

    @property
    def unexplained(self) -> bool:
        return self.duplicated and not self.explained_by


@dataclass
class Accounting:
    """Every sent task with its outcome; ``counts()`` is what the report shows."""

    tasks: dict[str, AccountedTask]

    def ids(self, outcome: Outcome) -> list[str]:
        return [t.id for t in self.tasks.values() if t.outcome is outcome]

    def duplicated(self) -> list[AccountedTask]:
        return [t for t in self.tasks.values() if t.duplicated]

    def unexplained(self) -> list[AccountedTask]:
        return [t for t in self.tasks.values() if t.unexplained]

    def counts(self) -> dict[str, int]:
        tasks = self.tasks.values()
        out = {"sent": sum(1 for t in tasks if t.sent_at is not None)}
        out["started"] = sum(1 for t in tasks if t.started_at)
        out.update({o.value: 0 for o in Outcome})
        for t in tasks:
            out[t.outcome.value] += 1
        out["retried"] = sum(1 for t in tasks if t.retries)
        out["duplicated"] = len(self.duplicated())
        out["unexplained_duplicates"] = len(self.unexplained())
        out["decided_by_events"] = sum(1 for t in tasks if t.decided_by is Source.EVENTS)
        out["decided_by_backend"] = sum(1 for t in tasks if t.decided_by is Source.BACKEND)
        return out


def account(
    sent: Mapping[str, Sent],
    traces: Mapping[str, TaskTrace],
    backend_states: Mapping[str, str] | None = None,
    *,
    worker_changes: Mapping[str, Sequence[float]] | None = None,
    faults: Sequence[Fault] = (),
) -> Accounting:
    """Decide each sent task's outcome: its terminal event, else the backend's state, else lost.

    ``backend_states`` holds the result backend's state for the ids without a terminal event;
    ``worker_changes`` the worker-online/offline times per host; ``faults`` the injected ones.
    """
    backend = backend_states or {}
    out: dict[str, AccountedTask] = {}
    for task_id, s in sent.items():
        trace = traces.get(task_id) or TaskTrace(id=task_id, name=s.name)
        outcome, source = _decide(trace, backend.get(task_id))
        task = AccountedTask(
            id=task_id,
            name=s.name,
            sent_at=s.sent_at,
            outcome=outcome,
            decided_by=source,
            started_at=list(trace.started_at),
            hosts=list(trace.hosts),
            succeeded_at=trace.succeeded_at,
            failed_at=trace.failed_at,
            retries=trace.retries,
            exception=trace.exception,
            backend_state=backend.get(task_id),
        )
        task.redeliveries = max(0, len(task.started_at) - 1 - task.retries)
        if task.redeliveries:
            task.explained_by = explain(task, worker_changes or {}, faults)
        out[task_id] = task
    return Accounting(tasks=out)


def _decide(trace: TaskTrace, backend_state: str | None) -> tuple[Outcome, Source]:
    if trace.succeeded_at is not None:
        return Outcome.SUCCEEDED, Source.EVENTS
    if trace.failed_at is not None:
        return Outcome.FAILED, Source.EVENTS
    if trace.revoked_at is not None:
        return Outcome.REVOKED, Source.EVENTS
    if backend_state in BACKEND_TERMINAL:
        return Outcome(BACKEND_TERMINAL[backend_state]), Source.BACKEND
    return Outcome.LOST, Source.NEITHER


def explain(
    task: AccountedTask, worker_changes: Mapping[str, Sequence[float]], faults: Sequence[Fault]
) -> str:
    """Why a message was delivered more than once, or ``""`` when nothing recorded explains it.

    A redelivery is explained by an injected fault, or by the worker that held the message going
    offline or coming back online, between the first start and the last one.
    """
    first, last = task.started_at[0], task.started_at[-1]
    held_by = set(task.hosts[:-1])
    for fault in faults:
        if first - 1.0 <= fault.at <= last and (fault.host is None or fault.host in held_by):
            return fault.what
    if "WorkerLostError" in task.exception:
        return "worker lost (pool process died)"
    for host in held_by:
        if any(first <= t <= last for t in worker_changes.get(host, ())):
            return f"worker {host} went offline or restarted"
    return ""


def exception_name(text: str) -> str:
    """The class name of the exception a task-failed event carries (``KeyError('k')`` → ``KeyError``)."""
    names = [n for n in _EXCEPTION_NAME.findall(text) if n not in _WRAPPERS]
    return names[0] if names else (text.split("(")[0].strip() or "unknown")
