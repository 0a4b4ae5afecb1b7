"""`celeriac load` on real workers: every task accounted for by id, and bad input answered in one line."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.integration.workers import CELERY, Worker

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[3]


def load(*args: str, env: dict[str, str], timeout: float = 240) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "celeriac.cli.load", *args],
        capture_output=True, text=True, timeout=timeout, cwd=ROOT,
        env={**os.environ, **env, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}", "COLUMNS": "160"},
    )  # fmt: skip


def _reference_fleet(workers: Callable[..., Worker], celery_app: Any, queues: set[str]) -> None:
    """The reference fleet's workers for ``queues``, with their pool, concurrency and prefetch."""
    from celeriac.app import fleet_of

    for spec in fleet_of(celery_app):
        if not set(spec.queues) & queues:
            continue
        extra = ["--prefetch-multiplier", str(spec.prefetch_multiplier)]
        if spec.pool == "prefork":
            extra += ["-O", "fair", "--max-tasks-per-child", str(spec.max_tasks_per_child)]
        workers(
            queues=spec.queues, pool=spec.pool, concurrency=spec.concurrency, extra=extra, family=spec.family
        )


@pytest.mark.slow
def test_10k_mixed_tasks_on_the_reference_fleet(
    workers: Callable[..., Worker], celery_app: Any, services: dict[str, str], tmp_path: Path
) -> None:
    _reference_fleet(workers, celery_app, {"compute", "io"})
    chart = tmp_path / "load.png"
    # The demo's cheap tasks (the declared mix grows as the reference apps declare examples).
    mix = ["--task", "demo.checksum", "--args", '["celeriac", 1]', "--task", "demo.wait_io", "--args", "[3]"]
    mix += ["--task", "demo.lookup", "--args", "[12]"]
    out = load("-A", "celeriac_site", "-n", "10000", *mix, "--json", "--plot", str(chart), env=services)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    report = json.loads(out.stdout)
    s = report["summary"]
    print({k: v for k, v in s.items() if not isinstance(v, list | dict)})
    assert s["sent"] == 10000 and s["lost"] == 0 and s["unexplained_duplicates"] == 0
    assert s["succeeded"] == 10000 and s["failed"] == 0
    assert set(s["per_task"]) == {"demo.checksum", "demo.wait_io", "demo.lookup"}
    for key in ("queue_wait_p50_ms", "queue_wait_p95_ms", "queue_wait_p99_ms", "run_time_p99_ms"):
        assert isinstance(s[key], float) and s[key] >= 0
    assert s["queue_wait_p50_ms"] <= s["queue_wait_p95_ms"] <= s["queue_wait_p99_ms"]
    assert s["throughput_per_s"] > 0
    assert sum(row["succeeded"] for row in s["series"]) + s["decided_by_backend"] == 10000
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_open_loop_on_a_stock_worker_turns_its_events_on_and_off_again(
    services: dict[str, str], tmp_path: Path, celery_app: Any
) -> None:
    name = f"stock-{os.getpid()}@{socket.gethostname()}"
    argv = [CELERY, "-A", "tests.chaos_fixtures.stock", "worker", "-n", name, "-P", "threads", "-c", "4",
            "--without-mingle", "--without-gossip", "-l", "INFO"]  # fmt: skip
    env = {**os.environ, **services, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'src'}"}
    worker = Worker(argv, name, env, tmp_path / "stock.log")
    try:
        deadline = time.monotonic() + 60
        while not any(name in r for r in celery_app.control.ping([name], timeout=0.5) or []):
            assert time.monotonic() < deadline and worker.proc.poll() is None, worker.output()[-2000:]
        out = load(
            "-A", "tests.chaos_fixtures.stock", "-n", "200", "--task", "stock.add", "--args", "[2, 3]",
            "--rate", "100/s", "--json", "--junit", str(tmp_path / "junit.xml"), env=services,
        )  # fmt: skip
        assert out.returncode == 0, out.stdout[-3000:] + out.stderr
        report = json.loads(out.stdout)
        events = next(f for f in report["findings"] if f["id"] == "P005")
        assert events["status"] == "warn" and name in events["message"]
        assert report["summary"]["lost"] == 0 and report["summary"]["succeeded"] == 200
        assert report["summary"]["decided_by_events"] > 0  # the enabled events did arrive
        assert "open loop 100/s" in report["summary"]["pacing"]
        assert "<testsuite" in (tmp_path / "junit.xml").read_text()
        assert "enabled by remote" in worker.output() and "disabled by remote" in worker.output()
    finally:
        worker.stop()


def test_bad_input_is_one_line_and_a_non_zero_exit(services: dict[str, str]) -> None:
    unknown = load("-A", "no_such_module", "-n", "5", env=services)
    assert unknown.returncode == 2 and "cannot load the Celery app" in unknown.stderr
    broken = load("-A", "tests.chaos_fixtures.broken", "-n", "5", env=services)
    assert broken.returncode == 2 and "failed to import" in broken.stderr
    bad_args = load("-A", "celeriac_site", "--task", "demo.checksum", "--args", "[1,", env=services)
    assert bad_args.returncode == 2 and "is not JSON" in bad_args.stderr
    unreachable = load(
        "-A", "celeriac_site", "-n", "5", "--json", env={**services, "REDIS_URL": "redis://127.0.0.1:9/0"}
    )
    assert unreachable.returncode == 1
    assert json.loads(unreachable.stdout)["findings"][0]["id"] == "P001"
    for out in (unknown, broken, bad_args, unreachable):
        assert "Traceback" not in out.stdout + out.stderr


def test_no_worker_is_a_failed_finding(services: dict[str, str]) -> None:
    out = load("-A", "celeriac_site", "-n", "5", "--mix", "--json", env=services)
    assert out.returncode == 1
    failed = [f for f in json.loads(out.stdout)["findings"] if f["status"] == "fail"]
    assert failed[0]["id"] == "P003" and "no worker answered" in failed[0]["message"]
