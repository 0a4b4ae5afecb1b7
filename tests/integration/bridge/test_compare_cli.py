"""``celeriac compare`` against running paths: a fresh dual run and the stored results, with exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

pytestmark = pytest.mark.integration

CLI = [sys.executable, "-m", "celeriac.cli.compare"]


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], env={**env, "COLUMNS": "200"}, capture_output=True, text=True, timeout=300
    )


def test_dual_run_of_a_job_set_all_match(
    executors: Any, celery_path: Any, switches: Any, bridge_env: dict[str, str]
) -> None:
    executors("executor-1")
    executors("executor-2")
    switches(mode="legacy")  # a dual run goes through both paths whatever the switches say
    out = run(["--jobs", "16", "--json", "--fail-on-mismatch", "--timeout", "240"], bridge_env)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    report = json.loads(out.stdout)
    assert (report["summary"]["jobs"], report["summary"]["matched"]) == (16, 16)
    paths = report["summary"]["paths"]
    assert paths["legacy"]["results"] == paths["celery"]["results"] == 16
    assert paths["legacy"]["p99_ms"] > 0 and paths["celery"]["tasks_per_min"] > 0
    table = run(["--stored", "--since", "300", "--junit", "/dev/null"], bridge_env)
    assert table.returncode == 0 and "celery path: throughput and latency" in table.stdout


def test_usage_errors_exit_2(bridge_env: dict[str, str]) -> None:
    for args in ([], ["--jobs", "3", "--stored"], ["--jobs", "0"], ["--stored", "--source", "nowhere"]):
        out = run(args, bridge_env)
        assert out.returncode == 2, (args, out.stdout, out.stderr)
