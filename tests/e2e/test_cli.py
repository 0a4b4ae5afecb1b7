"""The CLI end to end: the main job, and bad input answered with one line and a non-zero exit."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
CELERIAC = str(Path(sys.executable).with_name("celeriac"))


def run(
    *args: str, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CELERIAC, *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT,
        env={**os.environ, "COLUMNS": "120", **(env or {})},
    )  # fmt: skip


@pytest.fixture
def var(services: dict[str, str]) -> Iterator[dict[str, str]]:
    """A private state directory, services from the session (so no second embedded stack starts)."""
    with tempfile.TemporaryDirectory(prefix="celeriac-e2e-") as d:
        yield {**services, "CELERIAC_VAR": d}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _our_workers(var_dir: str) -> list[psutil.Process]:
    found = []
    for p in psutil.process_iter(["cmdline", "environ"]):
        env = p.info["environ"] or {}
        if "worker" in (p.info["cmdline"] or []) and env.get("CELERIAC_VAR") == var_dir:
            found.append(p)
    return found


def test_demo_main_job_passes(var: dict[str, str]) -> None:
    out = run("demo", "--web-port", str(_free_port()), env=var)
    assert out.returncode == 0, out.stdout + out.stderr
    assert re.search(r"all \d+ checks passed", out.stdout), out.stdout[-3000:]
    for queue in ("compute", "io", "ai", "maintenance", "generation"):
        assert queue in out.stdout
    for language in ("python", "c", "cpp", "java", "javascript"):
        assert re.search(rf"{language}\s+│ AC │ WA │ TLE │ MLE │ RE │ CE │", out.stdout), language
    assert not _our_workers(var["CELERIAC_VAR"]), "demo must stop what it started"


def test_port_in_use_is_one_line_and_starts_nothing(var: dict[str, str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        out = run("up", "--detach", "--web-port", str(port), env=var)
    assert out.returncode == 3
    assert f"port {port} is already in use" in out.stderr
    assert "Traceback" not in out.stderr + out.stdout
    assert not _our_workers(var["CELERIAC_VAR"])


def test_unreachable_broker_is_one_line_and_leaves_nothing_running(var: dict[str, str]) -> None:
    dead = {**var, "REDIS_URL": f"redis://127.0.0.1:{_free_port()}/0"}
    out = run("up", "--detach", "--no-web", env=dead, timeout=200)
    assert out.returncode == 3, out.stdout + out.stderr
    assert "Traceback" not in out.stderr + out.stdout
    assert len(out.stderr.strip().splitlines()) == 1, out.stderr
    assert not _our_workers(var["CELERIAC_VAR"])


def test_unknown_app_is_a_usage_error() -> None:
    out = run("fleet", "-A", "no_such_module")
    assert out.returncode == 2
    assert "cannot load the Celery app 'no_such_module'" in out.stderr
    assert "Traceback" not in out.stderr


def test_malformed_declaration_fails_at_import_with_a_hint(tmp_path: Path) -> None:
    (tmp_path / "badapp.py").write_text(
        "import celeriac\nfrom celery import Celery\napp = Celery('bad')\n"
        "celeriac.configure(app, celeriac.Declarations(celeriac.declare('bad.t', kind='io', time_limit=5)))\n"
    )
    out = subprocess.run(
        [CELERIAC, "fleet", "-A", "badapp:app"], capture_output=True, text=True, cwd=tmp_path
    )
    assert out.returncode == 2
    assert "unknown option 'time_limit'" in out.stderr and "did you mean 'time_limit_s'" in out.stderr
    assert "Traceback" not in out.stderr


def test_fleet_exports_keep_the_pool_on_the_command_line(tmp_path: Path) -> None:
    procfile = run("fleet", "-f", "procfile")
    assert procfile.returncode == 0
    assert "-P gevent" in procfile.stdout and "-P prefork" in procfile.stdout
    k8s = run("fleet", "-f", "kubernetes")
    assert "kind: ScaledObject" in k8s.stdout and "worker_pool" not in k8s.stdout
    units = run("fleet", "-f", "systemd", "--out", str(tmp_path))
    assert units.returncode == 0
    assert (tmp_path / "celeriac.target").exists()


def test_unreachable_database_is_one_line(var: dict[str, str]) -> None:
    dead = {**var, "DATABASE_URL": f"postgresql://postgres@127.0.0.1:{_free_port()}/nowhere"}
    out = run("up", "--detach", "--no-web", env=dead, timeout=200)
    assert out.returncode == 3, out.stdout + out.stderr
    assert "cannot reach PostgreSQL" in out.stderr and "DATABASE_URL" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1, out.stderr
    assert not _our_workers(var["CELERIAC_VAR"])
