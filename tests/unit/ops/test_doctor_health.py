"""doctor's P013: health callables named in celeriac_health_checks, called and judged (real functions)."""

from __future__ import annotations

import socket
import time
from typing import Any

import celery

from celeriac.ops.doctor import run_doctor
from celeriac.ops.doctor.health import probe_health
from celeriac.ops.report import Finding, Severity, Status

HERE = __name__


def healthy() -> dict[str, Any]:
    return {"ok": True, "problems": [], "totals": {"pending": 3, "failed_last_24h": 0}, "note": "x"}


def unhealthy() -> dict[str, Any]:
    return {"ok": False, "problems": ["2 item(s) failed in the last 24 h", "1 stuck"], "totals": {}}


def unhealthy_without_reason() -> dict[str, Any]:
    return {"ok": False}


def broken() -> dict[str, Any]:
    raise RuntimeError("database is down\nsecond line of the error")


def not_figures() -> list[int]:
    return [1, 2, 3]


def slow() -> dict[str, Any]:
    time.sleep(2)
    return {"ok": True}


NOT_CALLABLE = 42


def _app(checks: Any, broker: str | None = None) -> celery.Celery:
    app = celery.Celery("health-probe", broker=broker, set_as_current=False)
    app.conf.celeriac_health_checks = checks
    return app


def _probe(*names: str, timeout_s: float = 5.0) -> list[Finding]:
    return probe_health(_app([f"{HERE}.{n}" for n in names]), timeout_s)


def test_ok_figures_pass_with_their_totals() -> None:
    (found,) = _probe("healthy")
    assert (found.id, found.title, found.status) == ("P013", "application health figures", Status.PASS)
    assert found.message == f"{HERE}.healthy: ok; pending 3, failed_last_24h 0"
    assert found.details["figures"] == healthy()


def test_problems_warn_and_never_fail_the_command() -> None:
    (found,) = _probe("unhealthy")
    assert found.status is Status.WARN and found.severity is Severity.WARNING and not found.failed
    assert found.message == f"{HERE}.unhealthy: 2 item(s) failed in the last 24 h; 1 stuck"
    assert found.fix
    (silent,) = _probe("unhealthy_without_reason")
    assert silent.status is Status.WARN and silent.message.endswith("not ok (no problem listed)")


def test_a_raising_callable_fails_with_one_line() -> None:
    (found,) = _probe("broken")
    assert found.status is Status.FAIL and found.failed
    assert found.message == f"calling {HERE}.broken failed: RuntimeError: database is down"


def test_unimportable_and_wrong_shapes_fail() -> None:
    missing, attr, not_callable, shape = probe_health(
        _app(
            [
                "no_such_module_anywhere.figures",
                f"{HERE}.no_such_function",
                f"{HERE}.NOT_CALLABLE",
                f"{HERE}.not_figures",
            ]
        ),
        5.0,
    )
    assert missing.status is Status.FAIL and "ModuleNotFoundError" in missing.message
    assert attr.status is Status.FAIL and "AttributeError" in attr.message
    assert not_callable.status is Status.FAIL and "is a int, not a callable" in not_callable.message
    assert shape.status is Status.FAIL and "returned [1, 2, 3]" in shape.message


def test_each_callable_is_one_finding_and_colon_paths_work() -> None:
    found = probe_health(_app([f"{HERE}:healthy", f"{HERE}.unhealthy"]), 5.0)
    assert [f.status for f in found] == [Status.PASS, Status.WARN]


def test_a_callable_that_hangs_fails_in_about_the_timeout() -> None:
    started = time.monotonic()
    (found,) = _probe("slow", timeout_s=0.3)
    assert time.monotonic() - started < 1.5
    assert found.status is Status.FAIL and "ProbeTimeout" in found.message


def test_none_configured_is_a_skip_and_a_bad_setting_fails() -> None:
    nothing: list[Any] = [None, []]
    for empty in nothing:
        (found,) = probe_health(_app(empty), 5.0)
        assert found.status is Status.SKIP and "celeriac_health_checks is empty" in found.message
    (single,) = probe_health(_app(f"{HERE}.healthy"), 5.0)  # one path as a plain string
    assert single.status is Status.PASS
    (wrong,) = probe_health(_app({"a": 1}), 5.0)
    assert wrong.status is Status.FAIL and "must be a list of dotted paths" in wrong.message


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


#: A whole doctor run's target: its broker is a closed port, its health callable answers.
app = _app([f"{HERE}.unhealthy"], broker=f"redis://127.0.0.1:{_closed_port()}/0")


def test_doctor_runs_the_probe_after_the_other_live_probes() -> None:
    report = run_doctor(f"{HERE}:app", timeout_s=1.0)
    ids = [f.id for f in report.findings if f.id.startswith("P")]
    assert ids[-1] == "P013" and "P012" not in ids[ids.index("P013") :]
    (found,) = [f for f in report.findings if f.id == "P013"]
    assert found.status is Status.WARN and "2 item(s) failed in the last 24 h" in found.message
    assert "P013" not in [f.id for f in run_doctor(f"{HERE}:app", live=False).findings]
