"""Every sent id gets one outcome, decided by its events or the result backend; duplicates are explained."""

from __future__ import annotations

from celeriac.ops.events import EventLog, TaskTrace, apply_event
from celeriac.ops.load.accounting import Fault, Outcome, Sent, Source, account, exception_name


def _sent(*ids: str) -> dict[str, Sent]:
    return {i: Sent("demo.task", 10.0) for i in ids}


def test_terminal_events_decide_first() -> None:
    traces = {
        "ok": TaskTrace(id="ok", started_at=[11.0], hosts=["w"], succeeded_at=12.0),
        "bad": TaskTrace(
            id="bad", started_at=[11.0], hosts=["w"], failed_at=12.0, exception="ValueError('x')"
        ),
        "rev": TaskTrace(id="rev", revoked_at=11.0),
    }
    acc = account(_sent("ok", "bad", "rev"), traces, {"ok": "FAILURE"})
    assert acc.tasks["ok"].outcome is Outcome.SUCCEEDED  # the event wins over a stale backend read
    assert acc.tasks["bad"].outcome is Outcome.FAILED
    assert acc.tasks["rev"].outcome is Outcome.REVOKED
    assert {t.decided_by for t in acc.tasks.values()} == {Source.EVENTS}


def test_dropped_events_are_recovered_from_the_backend_and_the_rest_is_lost() -> None:
    traces = {"started": TaskTrace(id="started", started_at=[11.0], hosts=["w"])}
    states = {"dropped": "SUCCESS", "started": "STARTED", "pending": "PENDING"}
    acc = account(_sent("dropped", "started", "pending", "unasked"), traces, states)
    assert acc.tasks["dropped"].outcome is Outcome.SUCCEEDED
    assert acc.tasks["dropped"].decided_by is Source.BACKEND
    assert acc.ids(Outcome.LOST) == ["started", "pending", "unasked"]
    counts = acc.counts()
    assert (counts["sent"], counts["lost"], counts["succeeded"], counts["decided_by_backend"]) == (4, 3, 1, 1)
    assert counts["started"] == 1


def test_retries_explain_extra_starts() -> None:
    trace = TaskTrace(id="r", started_at=[11.0, 12.0, 13.0], hosts=["w"] * 3, retries=2, succeeded_at=14.0)
    acc = account(_sent("r"), {"r": trace})
    assert not acc.tasks["r"].duplicated
    assert acc.counts()["retried"] == 1 and acc.counts()["duplicated"] == 0


def test_a_redelivery_without_cause_is_an_unexplained_duplicate() -> None:
    trace = TaskTrace(id="d", started_at=[11.0, 40.0], hosts=["w1", "w2"], succeeded_at=41.0)
    acc = account(_sent("d"), {"d": trace})
    assert acc.tasks["d"].redeliveries == 1
    assert acc.tasks["d"].unexplained
    assert acc.counts()["unexplained_duplicates"] == 1


def test_a_worker_restart_or_an_injected_fault_explains_a_redelivery() -> None:
    trace = TaskTrace(id="d", started_at=[11.0, 40.0], hosts=["w1", "w2"], succeeded_at=41.0)
    restarted = account(_sent("d"), {"d": trace}, worker_changes={"w1": [20.0]})
    assert restarted.tasks["d"].explained_by == "worker w1 went offline or restarted"
    other_host = account(_sent("d"), {"d": trace}, worker_changes={"w2": [20.0]})
    assert other_host.tasks["d"].unexplained  # the worker that never held it explains nothing
    faulted = account(_sent("d"), {"d": trace}, faults=[Fault(at=15.0, what="kill -9", host="w1")])
    assert faulted.tasks["d"].explained_by == "kill -9"
    too_late = account(_sent("d"), {"d": trace}, faults=[Fault(at=50.0, what="kill -9")])
    assert too_late.tasks["d"].unexplained


def test_events_fold_into_traces_and_report_when_a_task_becomes_terminal() -> None:
    log = EventLog()
    base = {"uuid": "t1", "hostname": "w@h"}
    assert apply_event(log, {**base, "type": "task-received", "timestamp": 1.0, "name": "demo.x"}) is None
    assert apply_event(log, {**base, "type": "task-started", "timestamp": 2.0}) is None
    assert apply_event(log, {**base, "type": "task-retried", "timestamp": 2.5}) is None
    assert apply_event(log, {**base, "type": "task-succeeded", "timestamp": 3.0}) == "t1"
    assert apply_event(log, {**base, "type": "task-succeeded", "timestamp": 3.1}) is None  # already terminal
    apply_event(log, {"type": "worker-heartbeat", "hostname": "w@h", "timestamp": 4.0})
    apply_event(log, {"type": "worker-online", "hostname": "v@h", "timestamp": 5.0})
    trace = log.tasks["t1"]
    assert (trace.name, trace.received_at, trace.started_at, trace.hosts) == ("demo.x", 1.0, [2.0], ["w@h"])
    assert trace.retries == 1 and trace.terminal and trace.finished_at == 3.1
    assert log.heartbeats == {"w@h", "v@h"} and log.worker_changes == {"v@h": [5.0]}
    assert log.events == 7


def test_exception_names_come_out_of_reprs_and_wrappers() -> None:
    assert exception_name("KeyError('k')") == "KeyError"
    wrapped = "ExceptionWithTraceback(WorkerLostError('Worker exited prematurely: signal 9 (SIGKILL).'))"
    assert exception_name(wrapped) == "WorkerLostError"
    assert exception_name("network:ConnectionError") == "ConnectionError"
    assert exception_name("Boom('x')") == "Boom"
    assert exception_name("") == "unknown"
