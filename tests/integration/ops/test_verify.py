"""verify against real workers: the reference site passes, a wrong example fails with the difference shown."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from celeriac.ops.report import Status
from celeriac.ops.verify import run_verify
from tests.fixtures.cli import run_cli
from tests.fixtures.fleet import beat, python_env, reference_fleet
from tests.integration.workers import start_worker

pytestmark = pytest.mark.integration
SUITE = "celeriac_site.verify_suite"


@pytest.fixture(scope="module")
def site_fleet(
    tmp_path_factory: pytest.TempPathFactory, services: dict[str, str], celery_app: Any
) -> Iterator[None]:
    """The fleet and beat, as `celeriac up` runs them."""
    tmp = tmp_path_factory.mktemp("verify")
    with reference_fleet(tmp, services), beat(tmp, services):
        yield


def test_reference_site_passes_and_writes_junit(site_fleet: None, tmp_path: Path) -> None:
    report = run_verify("celeriac_site", timeout_s=90, suite=SUITE)
    failed = [(f.id, f.title, f.message) for f in report.findings if f.failed]
    assert failed == [], failed
    found = {(f.id, f.title): f for f in report.findings}
    for task in ("demo.checksum", "demo.wait_io", "demo.lookup"):
        assert found[("V001", f"{task} output")].status is Status.PASS
    assert found[("V003", "demo.lookup cache hit on the second call")].status is Status.PASS
    assert found[("V004", "results expire")].status is Status.PASS
    automated = [f for f in report.findings if f.id.startswith("S")]
    assert len(automated) >= 30
    assert {f.status for f in automated} <= {Status.PASS, Status.SKIP}
    assert [f.title for f in automated if f.status is Status.SKIP] == []
    checklist = [f for f in report.findings if f.id[0] in "JM"]  # seed 000's judge and seed 002's media items
    assert len(checklist) == 26 + 12
    assert [f.id for f in checklist if f.status is not Status.PASS] == []

    junit = tmp_path / "verify.xml"
    report.write_junit(junit)
    from junitparser import JUnitXml

    suite = next(iter(JUnitXml.fromfile(str(junit))))
    assert suite.tests == len(report.findings)
    assert suite.failures == 0
    names = {case.name for case in suite}
    assert "S001 Cache set works" in names and "V001 demo.checksum output" in names


def test_wrong_output_fails_and_shows_the_difference(tmp_path: Path, services: dict[str, str]) -> None:
    env = {k: v for k, v in python_env(services).items() if k != "DJANGO_SETTINGS_MODULE"}
    worker = start_worker(
        tmp_path, env, queues=["wrongq"], pool="threads", concurrency=2, app="tests.fixtures.wrong_output"
    )
    junit = tmp_path / "wrong.xml"
    try:
        out = run_cli(
            "verify",
            "-A",
            "tests.fixtures.wrong_output:app",
            "--json",
            "--junit",
            str(junit),
            "--timeout",
            "30",
            env=services,
            django=False,
        )
    finally:
        worker.stop()
    assert out.returncode == 1, out.stderr
    findings = {f["title"]: f for f in json.loads(out.stdout)["findings"]}
    wrong = findings["wrong.add output"]
    assert wrong["status"] == "fail"
    assert wrong["message"] == "expected 6, got 5"
    assert "-6" in wrong["details"]["diff"] and "+5" in wrong["details"]["diff"]
    assert findings["wrong.mul output"]["status"] == "pass"

    from junitparser import Failure, JUnitXml

    cases = {case.name: case for case in next(iter(JUnitXml.fromfile(str(junit))))}
    (failure,) = [r for r in cases["V001 wrong.add output"].result if isinstance(r, Failure)]
    assert failure.message == "expected 6, got 5"


def test_no_worker_for_the_queue_fails_each_example(services: dict[str, str]) -> None:
    empty = services["REDIS_URL"].rsplit("/", 1)[0] + f"/{int(services['REDIS_URL'].rsplit('/', 1)[1]) + 1}"
    out = run_cli(
        "verify", "-A", "tests.fixtures.wrong_output:app", env={**services, "REDIS_URL": empty}, django=False
    )
    assert out.returncode == 1
    assert "no worker consumes queue 'wrongq', so wrong.add cannot run" in out.stdout
    assert "Traceback" not in out.stdout + out.stderr


def test_stopped_broker_is_a_finding(services: dict[str, str]) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = run_cli(
        "verify",
        "-A",
        "tests.fixtures.wrong_output:app",
        env={**services, "REDIS_URL": f"redis://127.0.0.1:{port}/0"},
        django=False,
    )
    assert out.returncode == 1
    assert f"cannot reach the broker at redis://127.0.0.1:{port}/0" in out.stdout
    assert "Traceback" not in out.stdout + out.stderr


def test_an_app_without_examples_proves_nothing(services: dict[str, str]) -> None:
    out = run_cli("verify", "-A", "tests.fixtures.stock", "--json", env=services, django=False)
    assert out.returncode == 1
    (finding,) = [f for f in json.loads(out.stdout)["findings"] if f["id"] == "V000"]
    assert finding["message"] == "no task declares an Example: verify has nothing to prove"
