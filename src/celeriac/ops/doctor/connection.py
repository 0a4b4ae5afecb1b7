"""Rules on the broker connection and monitoring: explicit retry settings, events on when watched."""

from __future__ import annotations

from celeriac.ops.doctor.rule import Verdict, clean, fired, rule
from celeriac.ops.doctor.snapshot import Snapshot
from celeriac.ops.report import Severity


@rule(
    "C090",
    "connection retry on startup is explicit",
    Severity.WARNING,
    reason=(
        "unset, Celery 5 takes it from broker_connection_retry with a deprecation warning; Celery 6 stops "
        "inheriting it, so a worker started while the broker is down will exit instead of waiting"
    ),
    fix="set broker_connection_retry_on_startup = True (and broker_connection_retry) explicitly",
)
def retry_on_startup_implicit(snap: Snapshot) -> Verdict:
    value = snap.get("broker_connection_retry_on_startup")
    if value is None:
        return fired(
            f"broker_connection_retry_on_startup is unset (broker_connection_retry = "
            f"{snap.get('broker_connection_retry')!r})"
        )
    return clean(f"broker_connection_retry_on_startup = {value!r}")


@rule(
    "C100",
    "task events on where monitoring is expected",
    Severity.WARNING,
    reason="with events off, Flower, `celery events` and Celeriac's load/chaos see no task at all",
    fix="worker_send_task_events = True (or -E on every worker) and task_send_sent_event = True",
)
def events_off(snap: Snapshot) -> Verdict:
    if snap.get("worker_send_task_events"):
        return clean("workers send task events")
    if snap.monitoring_expected:
        return fired(f"worker_send_task_events is off, yet {'; '.join(snap.monitoring_expected)}")
    return clean("events are off, and nothing here (Flower, Celeriac, sent events) expects them")


RULES = (retry_on_startup_implicit, events_off)
