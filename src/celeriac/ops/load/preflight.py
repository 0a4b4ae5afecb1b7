"""Checks before sending anything: broker, result backend, workers, consumed queues, task events."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from celeriac.ops.report import Finding, Severity, Status

PING_TIMEOUT_S = 2.0


@dataclass
class Workers:
    """Who answered: hostnames, and for each queue the workers consuming it."""

    hosts: list[str] = field(default_factory=list)
    consumers: dict[str, list[str]] = field(default_factory=dict)


def broker_url(app: Any) -> str:
    """The broker URL with any password masked, for messages."""
    try:
        return str(app.connection_for_write().as_uri())
    except Exception:
        return str(app.conf.broker_url or "(unset)")


def check_broker(app: Any, timeout_s: float = 5.0) -> Finding:
    url = broker_url(app)
    started = time.monotonic()
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0.5, timeout=timeout_s)
    except Exception as exc:
        return Finding(
            "P001",
            "broker reachable",
            Status.FAIL,
            message=f"cannot reach the broker at {url}: {exc}",
            fix="start the broker or point the app at it (broker_url / REDIS_URL)",
            seconds=time.monotonic() - started,
        )
    return Finding("P001", "broker reachable", Status.PASS, message=url, seconds=time.monotonic() - started)


def check_backend(app: Any) -> Finding:
    name = type(app.backend).__name__
    if name == "DisabledBackend":
        return Finding(
            "P002",
            "result backend",
            Status.WARN,
            Severity.WARNING,
            message="no result backend: a task whose terminal event was dropped cannot be cross-checked",
            fix="configure result_backend so lost tasks can be told from dropped events",
        )
    return Finding("P002", "result backend", Status.PASS, message=f"{name}: cross-checks dropped events")


def find_workers(app: Any) -> Workers:
    replies = app.control.ping(timeout=PING_TIMEOUT_S) or []
    out = Workers(hosts=sorted(host for reply in replies for host in reply))
    if not out.hosts:
        return out
    active = app.control.inspect(destination=out.hosts, timeout=PING_TIMEOUT_S).active_queues() or {}
    for host, queues in active.items():
        for q in queues or []:
            out.consumers.setdefault(str(q.get("name")), []).append(host)
    return out


def check_workers(workers: Workers, queues: Iterable[str]) -> list[Finding]:
    if not workers.hosts:
        return [
            Finding(
                "P003",
                "workers answer",
                Status.FAIL,
                message="no worker answered a ping",
                fix="start the fleet (celeriac up) or celery -A APP worker for the queues you load",
            )
        ]
    out = [Finding("P003", "workers answer", Status.PASS, message=", ".join(workers.hosts))]
    missing = sorted(q for q in set(queues) if q not in workers.consumers)
    if missing:
        out.append(
            Finding(
                "P004",
                "queues consumed",
                Status.FAIL,
                message=f"no worker consumes {', '.join(missing)}: every task sent there would be lost",
                fix="start a worker with -Q " + ",".join(missing),
            )
        )
    else:
        used = {q: workers.consumers[q] for q in sorted(set(queues))}
        out.append(
            Finding(
                "P004",
                "queues consumed",
                Status.PASS,
                message="; ".join(f"{q} by {', '.join(h)}" for q, h in used.items()),
            )
        )
    return out


def ensure_events(app: Any, hosts: Sequence[str]) -> tuple[Finding, list[str]]:
    """Make sure every worker sends task events, turning them on where they are off.

    Celery's ``enable_events`` answers "already enabled" or "enabled", so one broadcast both finds
    and fixes the workers without task events. (Heartbeats prove nothing: gossip sends them with
    task events off.) Returns the finding and the hosts this run enabled, to disable afterwards.
    """
    replies = app.control.enable_events(destination=list(hosts), reply=True, timeout=PING_TIMEOUT_S) or []
    answers = {host: answer for reply in replies for host, answer in reply.items()}
    enabled = sorted(h for h, a in answers.items() if a.get("ok") == "task events enabled")
    refused = sorted(h for h in hosts if h not in answers or "error" in answers[h])
    if refused:
        return (
            Finding(
                "P005",
                "task events",
                Status.FAIL,
                message=f"{', '.join(refused)} did not accept enable_events: their tasks cannot be followed",
                fix="start the workers with -E (or set worker_send_task_events = True)",
            ),
            enabled,
        )
    if not enabled:
        return Finding("P005", "task events", Status.PASS, message="every worker sends task events"), []
    return (
        Finding(
            "P005",
            "task events",
            Status.WARN,
            Severity.WARNING,
            message=f"task events were off on {', '.join(enabled)}; enabled for this run (enable_events) "
            "and disabled again afterwards",
            fix="set worker_send_task_events = True (and task_send_sent_event) so monitors can follow tasks",
        ),
        enabled,
    )
