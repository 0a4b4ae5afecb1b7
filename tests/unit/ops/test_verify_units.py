"""verify's pure parts: judging outputs, the suite registry, pending items; beat evidence; probe helpers."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import celery
import pytest

from celeriac.ops import probes
from celeriac.ops.doctor.beat import BeatProcess, _app_arg, _is_beat, _same_redis, beat_alive, beat_alone
from celeriac.ops.doctor.snapshot import Snapshot
from celeriac.ops.report import Report, Severity, Status
from celeriac.ops.verify.examples import cache_delta, judge
from celeriac.ops.verify.suite import Context, Suite, bad, cannot, ok, run_check
from celeriac.workloads import NOTHING


def test_matching_output_passes_including_tuples_that_come_back_as_lists() -> None:
    assert judge(144, None, 144) is None
    assert judge({"pair": (1, 2)}, None, {"pair": [1, 2]}) is None


def test_mismatch_shows_expected_actual_and_a_diff() -> None:
    problem = judge({"n": 12, "square": 145}, None, {"n": 12, "square": 144})
    assert problem is not None
    message, details = problem
    assert message == "expected {'n': 12, 'square': 145}, got {'n': 12, 'square': 144}"
    assert "-{'n': 12, 'square': 145}" in details["diff"] and "+{'n': 12, 'square': 144}" in details["diff"]


def test_check_functions_judge_the_output() -> None:
    assert judge(NOTHING, lambda v: None if v > 3 else "too small", 5) is None
    assert judge(NOTHING, lambda v: None if v > 3 else "too small", 1) == ("too small (got 1)", {"actual": 1})
    message, _ = judge(NOTHING, lambda v: v["missing"], {}) or ("", {})
    assert message.startswith("check() raised KeyError")


def test_long_values_show_the_lines_that_differ() -> None:
    expected = {f"key{i}": i for i in range(40)}
    actual = {**expected, "key39": -1}
    message, details = judge(expected, None, actual) or ("", {})
    lines = message.splitlines()
    assert lines[0] == "output differs from the example (- expected, + actual):"
    assert "- 'key39': 39," in lines and "+ 'key39': -1," in lines
    assert len(lines) <= 13  # the changed lines with a little context, not two 500-character reprs
    assert details["actual"] == actual


def test_cache_delta_reports_only_what_changed() -> None:
    before = {"sq": {"hit": 1, "miss": 1}, "other": {"hit": 5, "miss": 0}}
    after = {"sq": {"hit": 2, "miss": 1}, "other": {"hit": 5, "miss": 0}, "new": {"hit": 0, "miss": 1}}
    assert cache_delta(before, after) == {"sq": {"hit": 1, "miss": 0}, "new": {"hit": 0, "miss": 1}}


def _noop() -> None:
    """A task body for registry tests."""


def _ctx(task_names: list[str]) -> Context:
    app = celery.Celery("ctx", set_as_current=False)
    for name in task_names:
        app.task(name=name, shared=False)(_noop)
    return Context(app, probes.WorkerView(), 5.0)


def test_suite_checks_pass_fail_skip_and_crash() -> None:
    suite = Suite("tests.suite")
    suite.check("S1", "passes", source="x")(lambda ctx: ok("fine", n=1))
    suite.check("S2", "fails", source="x")(lambda ctx: bad("broken", "mend it"))
    suite.check("S3", "cannot tell", source="x")(lambda ctx: cannot("no data here"))
    suite.check("S4", "crashes", source="x")(lambda ctx: 1 / 0)  # type: ignore[arg-type,return-value]
    suite.check("S5", "warns only", source="x", severity=Severity.WARNING)(lambda ctx: bad("meh"))
    found = [run_check(c, _ctx([]), "tests.suite") for c in suite.checks]
    assert [f.status for f in found] == [Status.PASS, Status.FAIL, Status.SKIP, Status.FAIL, Status.WARN]
    assert found[0].details == {"source": "x", "n": 1}
    assert found[1].fix == "mend it" and found[1].failed
    assert "ZeroDivisionError" in found[3].message
    assert not found[4].failed


def test_pending_items_skip_until_their_app_has_tasks_then_warn() -> None:
    # An app name no other test registers: Celery's shared tasks join every app a process creates.
    suite = Suite("tests.suite")
    suite.pending(
        "W001",
        "widget_task: Task completes successfully",
        source="seed 000",
        app="widgets",
        prefix="widgets.",
    )
    (check,) = suite.checks
    empty = run_check(check, _ctx(["demo.x"]), "tests.suite")
    assert (empty.status, empty.message) == (Status.SKIP, "widgets app has no tasks yet")
    built = run_check(check, _ctx(["widgets.widget_task"]), "tests.suite")
    assert (
        built.status is Status.WARN
        and built.message == "the widgets app has tasks, but no automated check yet"
    )
    assert not built.failed and built.fix == "register one in tests.suite"


def test_suite_ids_are_unique() -> None:
    suite = Suite("tests.suite")
    suite.check("S1", "a", source="x")(lambda ctx: ok(""))
    with pytest.raises(ValueError, match="S1 is used twice"):
        suite.check("S1", "b", source="x")(lambda ctx: ok(""))


def test_context_runs_shared_work_once() -> None:
    ctx, calls = _ctx([]), []
    assert ctx.once("k", lambda: calls.append(1) or 7) == 7
    assert ctx.once("k", lambda: calls.append(1) or 8) == 7
    assert calls == [1]


def test_reference_suite_names_every_item_once() -> None:
    pytest.importorskip("django")
    from celeriac_site import verify_suite

    ids = [c.id for c in verify_suite.SUITE.checks]
    titles = [c.title for c in verify_suite.SUITE.checks]
    assert len(ids) == len(set(ids)) and len(titles) == len(set(titles))
    assert "Cache TTL is respected" in titles and "Test 2: Simple Task Execution" in titles
    assert all(c.source.startswith(("seed 000", "seed 002")) for c in verify_suite.SUITE.checks)


# --- beat evidence ------------------------------------------------------------------------------------

NOW = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)


def row(name: str, *, last: datetime | None, remaining_s: float, runs: int = 1, period_s: float = 300) -> Any:
    return {
        "name": name,
        "task": name,
        "last_run_at": last,
        "runs": runs,
        "remaining": timedelta(seconds=remaining_s),
        "period": timedelta(seconds=period_s),
    }


BEAT_SNAP = Snapshot(conf={}, beat={"warm": "demo.warm"})


def test_overdue_database_entry_means_beat_is_down_even_with_a_process() -> None:
    rows = [row("warm", last=NOW - timedelta(hours=2), remaining_s=-7000)]
    finding = beat_alive("site", BEAT_SNAP, [BeatProcess(1, "celery beat")], rows, NOW)
    assert finding.status is Status.FAIL and "overdue" in finding.message


def test_recent_run_or_local_process_is_evidence_of_life() -> None:
    rows = [row("warm", last=NOW - timedelta(seconds=30), remaining_s=270)]
    assert beat_alive("site", BEAT_SNAP, [], rows, NOW).status is Status.PASS
    assert beat_alive("site", BEAT_SNAP, [BeatProcess(7, "celery beat")], None, NOW).message == (
        "beat pid 7 runs on this host"
    )


def test_no_evidence_is_a_skip_never_a_pass() -> None:
    quiet = [row("warm", last=None, remaining_s=0, runs=0)]
    assert beat_alive("site", BEAT_SNAP, [], quiet, NOW).status is Status.SKIP
    assert beat_alive("site", BEAT_SNAP, [], None, NOW).status is Status.SKIP
    assert (
        beat_alive("site", Snapshot(conf={}), [], None, NOW).message
        == "no periodic tasks: beat is not needed"
    )


def test_schedule_never_synced_means_beat_never_ran() -> None:
    finding = beat_alive("site", BEAT_SNAP, [], [], NOW)
    assert finding.status is Status.FAIL and "never synced" in finding.message


def test_two_beats_fail_one_passes_none_skips() -> None:
    two = [BeatProcess(1, "celery -A site beat"), BeatProcess(2, "celery -A site beat")]
    assert beat_alone(two).status is Status.FAIL
    assert beat_alone(two[:1]).status is Status.PASS
    assert beat_alone([]).status is Status.SKIP


@pytest.mark.parametrize(
    ("cmd", "is_beat", "app"),
    [
        (["/v/bin/python", "/v/bin/celery", "-A", "site", "beat", "-l", "INFO"], True, "site"),
        (["/v/bin/celery", "--app=site.celery:app", "worker", "-B"], True, "site.celery:app"),
        (["python", "-m", "celery", "-Asite", "worker"], False, "site"),
        (["python", "manage.py", "beat"], False, ""),
    ],
)
def test_beat_processes_are_recognised_from_their_command_line(
    cmd: list[str], is_beat: bool, app: str
) -> None:
    assert _is_beat(cmd) is is_beat
    assert _app_arg(cmd) == app


def test_same_redis_compares_host_port_and_database() -> None:
    assert _same_redis("redis://127.0.0.1:6379/4", "redis://127.0.0.1/4")
    assert not _same_redis("redis://127.0.0.1:6379/4", "redis://127.0.0.1:6379/12")
    assert _same_redis("redis://h:6379", "redis://h:6379/0")


# --- probe helpers ------------------------------------------------------------------------------------


def test_bounded_gives_up_in_time_and_passes_errors_through() -> None:
    started = time.monotonic()
    with pytest.raises(probes.ProbeTimeout, match=r"no answer within 0\.2 s"):
        probes.bounded(lambda: time.sleep(5), 0.2)
    assert time.monotonic() - started < 2
    with pytest.raises(ZeroDivisionError):
        probes.bounded(lambda: 1 / 0, 1)
    assert probes.bounded(lambda: 42, 1) == 42


def test_priority_keys_cover_all_ten_lists_with_the_prefix() -> None:
    keys = probes.priority_keys("io", "pfx:")
    assert keys[0] == "pfx:io" and keys[9] == "pfx:io\x06\x169" and len(keys) == 10


def test_pool_names_and_safe_urls() -> None:
    assert probes.pool_name("celery.concurrency.gevent:TaskPool") == "gevent"
    assert probes.pool_name("celery.concurrency.thread:TaskPool") == "threads"
    assert probes.pool_name("celery.concurrency.prefork:TaskPool") == "prefork"
    assert "secret" not in probes.safe_url("redis://:secret@host:6379/0")


def test_a_report_with_verify_findings_renders_valid_junit(tmp_path: Any) -> None:
    from junitparser import Failure, JUnitXml, Skipped

    report = Report("verify", "x")
    suite = Suite("s")
    suite.check("S1", "ok", source="x")(lambda ctx: ok("fine"))
    suite.check("S2", "bad", source="x")(lambda ctx: bad("expected 6, got 5"))
    suite.check("S3", "skip", source="x")(lambda ctx: cannot("why"))
    report.extend(run_check(c, _ctx([]), "s") for c in suite.checks)
    report.write_junit(tmp_path / "r.xml")
    cases = {c.name: c for c in next(iter(JUnitXml.fromfile(str(tmp_path / "r.xml"))))}
    assert (
        isinstance(cases["S2 bad"].result[0], Failure)
        and cases["S2 bad"].result[0].message == "expected 6, got 5"
    )
    assert isinstance(cases["S3 skip"].result[0], Skipped)
    assert cases["S1 ok"].result == []


def test_the_suite_is_found_from_the_override_the_app_or_the_django_setting() -> None:
    from celeriac.ops.verify.suite import suite_module

    class Settings:
        CELERY_CELERIAC_VERIFY_SUITE = "from.settings"

    app = celery.Celery("found", set_as_current=False)
    assert suite_module(app) is None
    app.config_from_object(Settings, namespace="CELERY")
    assert suite_module(app) == "from.settings"
    app.celeriac_verify_suite = "from.attribute"  # type: ignore[attr-defined]
    assert suite_module(app) == "from.attribute"
    assert suite_module(app, "from.option") == "from.option"
