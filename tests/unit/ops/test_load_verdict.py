"""A load run's findings: lost and unexplained duplicates fail it, latencies and throughput inform."""

from __future__ import annotations

from celeriac.ops.events import TaskTrace
from celeriac.ops.load.accounting import Sent, account
from celeriac.ops.load.plan import Plan, TaskSpec
from celeriac.ops.load.verdict import findings, summary
from celeriac.ops.report import Report, Status

PLAN = Plan(specs=(TaskSpec("demo.x"),), total=3, concurrency=2)


def _report(traces: dict[str, TaskTrace], states: dict[str, str] | None = None) -> Report:
    sent = {i: Sent("demo.x", 100.0) for i in ("a", "b", "c")}
    acc = account(sent, traces, states)
    report = Report("load", "test")
    report.extend(findings(acc, PLAN, 0.5))
    report.summary = summary(acc, PLAN, 0.5)
    return report


def _ok(task_id: str, start: float = 100.2, end: float = 100.3) -> TaskTrace:
    return TaskTrace(id=task_id, started_at=[start], hosts=["w@h"], succeeded_at=end)


def test_a_clean_run_passes_with_percentiles_and_a_series() -> None:
    report = _report({i: _ok(i) for i in ("a", "b", "c")})
    assert report.ok and report.exit_code == 0
    by_id = {f.id: f for f in report.findings}
    assert by_id["L001"].status is Status.PASS and "0 lost" in by_id["L001"].message
    assert "p50 200.0 ms" in by_id["L004"].message and "p99" in by_id["L005"].message
    assert report.summary["queue_wait_p99_ms"] == 200.0
    assert report.summary["series"][0]["succeeded"] == 3
    assert report.summary["per_task"]["demo.x"]["sent"] == 3


def test_a_lost_task_fails_the_run_and_names_its_backend_state() -> None:
    report = _report({"a": _ok("a"), "b": _ok("b")}, {"c": "PENDING"})
    lost = next(f for f in report.findings if f.id == "L001")
    assert lost.status is Status.FAIL and report.exit_code == 1
    assert "1 lost" in lost.message and "PENDING 1" in lost.message and "c" in lost.message
    assert report.summary["lost_ids"] == ["c"]


def test_an_event_dropped_but_backend_success_is_not_lost() -> None:
    report = _report({"a": _ok("a"), "b": _ok("b")}, {"c": "SUCCESS"})
    assert report.ok
    assert "by the result backend: 1" in report.findings[0].message


def test_unexplained_duplicates_and_failures_fail_with_a_fix() -> None:
    twice = TaskTrace(id="a", started_at=[100.1, 130.0], hosts=["w@h", "w@h"], succeeded_at=130.1)
    failed = TaskTrace(id="b", started_at=[100.1], hosts=["w@h"], failed_at=100.2, exception="KeyError('k')")
    report = _report({"a": twice, "b": failed, "c": _ok("c")})
    by_id = {f.id: f for f in report.findings}
    assert by_id["L002"].status is Status.FAIL and "visibility timeout" in by_id["L002"].fix
    assert by_id["L003"].status is Status.FAIL and "KeyError x1" in by_id["L003"].message
    assert report.summary["duplicates"] == [
        {"id": "a", "starts": 2, "hosts": ["w@h", "w@h"], "explained_by": ""}
    ]


def test_an_open_loop_producer_that_fell_behind_is_warned_about() -> None:
    plan = Plan(specs=(TaskSpec("demo.x"),), total=3, rate_per_s=100.0)
    acc = account({i: Sent("demo.x", 100.0) for i in "abc"}, {i: _ok(i) for i in "abc"})
    slow = [f for f in findings(acc, plan, send_span_s=1.0) if f.id == "L007"]
    assert slow and slow[0].status is Status.WARN and not slow[0].failed
