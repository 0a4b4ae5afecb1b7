"""doctor against real services: the reference fleet is clean, ExamX is caught, outages are findings."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from celeriac.ops.doctor import run_doctor
from celeriac.ops.probes import queue_depths
from celeriac.ops.report import Finding, Status
from tests.fixtures.cli import run_cli
from tests.fixtures.fleet import beat, reference_fleet

pytestmark = pytest.mark.integration


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def running_site(
    tmp_path_factory: pytest.TempPathFactory, services: dict[str, str], celery_app: Any
) -> Iterator[None]:
    """The reference site's whole fleet plus beat, as `celeriac up` runs them."""
    from django_celery_beat.models import PeriodicTask

    tmp = tmp_path_factory.mktemp("doctor")
    with reference_fleet(tmp, services), beat(tmp, services):
        deadline = time.monotonic() + 90
        while not PeriodicTask.objects.filter(task="demo.warm_squares").exists():
            assert time.monotonic() < deadline, (tmp / "beat.log").read_text()
            time.sleep(0.5)
        yield


def by_id(findings: list[Finding], prefix: str) -> list[Finding]:
    return [f for f in findings if f.id.startswith(prefix)]


def test_reference_site_has_no_error(running_site: None) -> None:
    report = run_doctor("celeriac_site", timeout_s=10)
    failed = [(f.id, f.title, f.message) for f in report.findings if f.failed]
    assert failed == [], failed
    assert report.exit_code == 0
    status = {(f.id, f.title): f.status for f in report.findings}
    for probe in ("P001", "P002", "P003", "P004", "P005", "P006", "P009", "P010", "P011"):
        assert [s for (i, _), s in status.items() if i == probe] in ([Status.PASS], [Status.PASS] * 2), probe
    consumed = by_id(report.findings, "P007")
    assert {f.title for f in consumed} >= {"queue compute consumed by prefork", "queue io consumed by gevent"}
    assert all(f.status is Status.PASS for f in consumed)
    assert all(f.status is Status.PASS for f in by_id(report.findings, "P008"))
    assert {"C001", "C010", "C020", "C061", "D000"} <= {
        f.id for f in report.findings if f.status is Status.PASS
    }


def test_examx_like_is_caught_by_rule_id(tmp_path: Path, services: dict[str, str]) -> None:
    junit = tmp_path / "doctor.xml"
    out = run_cli(
        "doctor",
        "-A",
        "tests.fixtures.examx_like:app",
        "--static",
        "--json",
        "--junit",
        str(junit),
        env=services,
        django=False,
    )
    assert out.returncode == 1, out.stderr
    report = json.loads(out.stdout)
    flagged = {f["id"]: f for f in report["findings"] if f["status"] in ("fail", "warn")}
    assert flagged["C001"]["severity"] == "error" and "worker_pool = 'prefork'" in flagged["C001"]["message"]
    assert "21 of 25 tasks (84%) on 'default'" in flagged["C061"]["message"]
    assert "25 of 25 tasks ack early" in flagged["C013"]["message"]
    assert flagged["C001"]["fix"] and flagged["C061"]["fix"]

    from junitparser import Failure, JUnitXml

    suite = next(iter(JUnitXml.fromfile(str(junit))))
    failures = {case.name.split()[0] for case in suite for r in case.result if isinstance(r, Failure)}
    assert failures == {"C001"}  # warnings are reported, only errors fail


def test_stopped_broker_is_a_failed_probe_not_a_traceback(services: dict[str, str]) -> None:
    port = _free_port()
    started = time.monotonic()
    out = run_cli(
        "doctor", "-A", "celeriac_site", env={**services, "REDIS_URL": f"redis://127.0.0.1:{port}/0"}
    )
    took = time.monotonic() - started
    assert out.returncode == 1, out.stdout + out.stderr
    assert f"cannot reach the broker at redis://127.0.0.1:{port}/0" in out.stdout
    assert "Connection refused" in out.stdout
    assert "Traceback" not in out.stdout + out.stderr
    assert "the broker did not answer (P001)" in out.stdout
    assert took < 20, f"took {took:.0f} s"  # ~3 s here, interpreter and Django start-up included


def test_no_workers_is_a_failing_finding(services: dict[str, str]) -> None:
    # The session's second Redis database has no workers at all (the fleet above uses the first).
    empty = services["REDIS_URL"].rsplit("/", 1)[0] + f"/{int(services['REDIS_URL'].rsplit('/', 1)[1]) + 1}"
    out = run_cli(
        "doctor",
        "-A",
        "tests.fixtures.stock",
        "--json",
        "--timeout",
        "2",
        env={**services, "REDIS_URL": empty},
        django=False,
    )
    assert out.returncode == 1, out.stderr
    findings = {(f["id"], f["title"]): f for f in json.loads(out.stdout)["findings"]}
    assert findings[("P006", "workers answer")]["message"] == "no worker answered a ping within 2 s"
    assert findings[("P007", "queue celery consumed")]["status"] == "fail"
    assert findings[("P001", "broker answers")]["status"] == "pass"


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ("no_such_app_module", "cannot load the Celery app 'no_such_app_module'"),
        ("tests.fixtures.broken_app", "failed to import: RuntimeError: broken on purpose"),
    ],
)
def test_bad_app_is_a_finding_and_a_non_zero_exit(services: dict[str, str], spec: str, words: str) -> None:
    out = run_cli("doctor", "-A", spec, env=services, django=False)
    assert out.returncode == 1
    assert words in out.stdout and "A001" in out.stdout
    assert "Traceback" not in out.stdout + out.stderr


def test_queue_depth_counts_priority_lists_and_unacked(redis_client: Any) -> None:
    queue = f"depth-{time.monotonic_ns()}"
    lists = [queue, f"{queue}\x06\x163", f"{queue}\x06\x169"]
    try:
        for i, name in enumerate(lists):
            redis_client.rpush(name, *[b"{}"] * (i + 1))
        redis_client.hset("unacked", f"tag-{queue}", json.dumps([{"body": ""}, queue, queue]))
        depth = queue_depths(redis_client, [queue], {})[queue]
        assert dict(depth.ready_by_step) == {0: 1, 3: 2, 9: 3}
        assert (depth.ready, depth.unacked) == (6, 1)
    finally:
        redis_client.delete(*lists)
        redis_client.hdel("unacked", f"tag-{queue}")
