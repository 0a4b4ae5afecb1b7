"""`celeriac chaos` on its own fleet (embedded Valkey and PostgreSQL under a temp root): the reference
deployment keeps every task through each fault; a stock Celery app loses the task of a killed child."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[3]


def chaos(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    # No REDIS_URL/DATABASE_URL: chaos starts embedded services it may restart, in a private temp root.
    # Nor the test session's Django settings: Celery would load the reference site into any app.
    dropped = {"REDIS_URL", "DATABASE_URL", "CELERIAC_VAR", "CELERIAC_CACHE_DB", "DJANGO_SETTINGS_MODULE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env["PYTHONPATH"] = f"{ROOT / 'src'}{os.pathsep}{ROOT}"
    return subprocess.run(
        [sys.executable, "-m", "celeriac.cli.chaos", *args, "--json"],
        capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=env,
    )  # fmt: skip


@pytest.fixture(scope="module")
def reference() -> dict[str, Any]:
    """Every scenario once, on one fleet of the reference deployment."""
    out = chaos("-A", "celeriac_site")
    assert out.returncode in (0, 1), out.stderr[-3000:]
    report: dict[str, Any] = json.loads(out.stdout)
    report["exit_code"] = out.returncode
    print({f["id"]: f["message"] for f in report["findings"]})
    return report


def _scenario(report: dict[str, Any], finding_id: str) -> dict[str, Any]:
    finding: dict[str, Any] = next(f for f in report["findings"] if f["id"] == finding_id)
    return finding


@pytest.mark.parametrize("finding_id", ["C001", "C002"])
def test_killed_workers_lose_nothing_and_recover(reference: dict[str, Any], finding_id: str) -> None:
    finding = _scenario(reference, finding_id)
    assert finding["status"] == "pass", finding["message"]
    details = finding["details"]
    assert details["lost"] == 0 and details["duplicated"] == 0
    assert details["recovery_s"] is not None and details["recovery_s"] > 0
    assert details["redelivered"] >= 1  # the killed run was delivered again; its effect stayed single
    assert all(n == 1 for n in details["effects"].values())


def test_broker_restart_loses_nothing(reference: dict[str, Any]) -> None:
    finding = _scenario(reference, "C003")
    assert finding["status"] == "pass", finding["message"]


def test_database_stop_loses_nothing(reference: dict[str, Any]) -> None:
    finding = _scenario(reference, "C004")
    assert finding["status"] == "pass", finding["message"]


def test_every_scenario_ran_and_measured(reference: dict[str, Any]) -> None:
    for finding_id in ("C001", "C002", "C003", "C004"):
        finding = _scenario(reference, finding_id)
        assert finding["status"] == "pass", finding["message"]  # ran, and lost nothing
        assert finding["details"]["fault"]
    assert reference["summary"]["visibility_timeout_s"] == 10.0
    assert reference["ok"] and reference["exit_code"] == 0, "no scenario may lose a task"


def test_stock_celery_loses_the_task_of_a_killed_child() -> None:
    out = chaos("-A", "tests.chaos_fixtures.stock", "--scenario", "kill-child")
    assert out.returncode == 1, out.stdout[-2000:] + out.stderr[-2000:]
    finding = _scenario(json.loads(out.stdout), "C001")
    assert finding["status"] == "fail"
    assert finding["details"]["lost"] >= 1 and finding["details"]["recovery_s"] is None
    assert "WorkerLostError" in finding["message"]
    assert "reject_on_worker_lost" in finding["fix"]


def test_bad_input_is_one_line_and_a_non_zero_exit(tmp_path: Path) -> None:
    unknown = chaos("-A", "no_such_module")
    assert unknown.returncode == 2 and "cannot load the Celery app" in unknown.stderr
    no_probe = chaos("-A", "tests.chaos_fixtures.stock", "--task", "stock.nope")
    assert no_probe.returncode == 2 and "chaos.effect" in no_probe.stderr
    env_var = {**os.environ, "CELERIAC_VAR": str(tmp_path)}
    nothing_running = subprocess.run(
        [sys.executable, "-m", "celeriac.cli.chaos", "-A", "celeriac_site", "--fleet", "running", "--json"],
        capture_output=True, text=True, cwd=ROOT, env={**env_var, "PYTHONPATH": str(ROOT / "src")},
    )  # fmt: skip
    assert nothing_running.returncode == 1
    assert json.loads(nothing_running.stdout)["findings"][0]["id"] == "F001"
    for out in (unknown, no_probe, nothing_running):
        assert "Traceback" not in out.stdout + out.stderr
