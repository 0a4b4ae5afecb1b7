"""The bridge benchmark's world: its own two Valkeys (broker, legacy queue), a fresh database, processes."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import psutil
import psycopg

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))
LOCAL_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"


@dataclass(frozen=True)
class Services:
    env: dict[str, str]
    broker_url: str
    bridge_url: str


@contextmanager
def services() -> Iterator[Services]:
    """Embedded Valkeys for the broker and the legacy queue (no Redis database shared with anyone) and a
    fresh, migrated PostgreSQL database, dropped afterwards."""
    from celeriac.embedded import Stack

    root = Path(tempfile.mkdtemp(prefix="bridge-bench-"))
    stack = Stack(root)
    admin = urlsplit(os.environ.get("DATABASE_URL", LOCAL_POSTGRES))._replace(path="/postgres").geturl()
    name = f"celeriac_bridge_bench_{uuid.uuid4().hex[:8]}"
    try:
        broker = stack.redis_instance("broker").url
        bridge = stack.redis_instance("bridge").url
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        env = {
            **os.environ,
            "REDIS_URL": broker,
            "BRIDGE_REDIS_URL": bridge,
            "DATABASE_URL": urlsplit(admin)._replace(path=f"/{name}").geturl(),
            "DJANGO_SETTINGS_MODULE": "celeriac_site.settings",
            "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        }
        subprocess.run(
            [sys.executable, "-m", "celeriac_site.manage", "migrate", "--noinput", "-v", "0"],
            env=env,
            cwd=ROOT,
            check=True,
        )
        yield Services(env, broker, bridge)
    finally:
        with contextlib.suppress(psycopg.Error), psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        stack.stop()


class Proc:
    """A process group of the benchmark (a Celery worker or a legacy executor), logging to a file."""

    def __init__(self, role: str, argv: Sequence[str], env: dict[str, str], log: Path) -> None:
        self.role = role
        log.parent.mkdir(parents=True, exist_ok=True)
        self.log = log
        self._out = open(log, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            list(argv), cwd=ROOT, env=env, stdout=self._out, stderr=subprocess.STDOUT, start_new_session=True
        )

    def cpu_s(self) -> float:
        """CPU of the whole tree: every live process's own and its reaped children's (sandbox runs)."""
        total = 0.0
        with contextlib.suppress(psutil.NoSuchProcess):
            root = psutil.Process(self.proc.pid)
            for p in [root, *root.children(recursive=True)]:
                with contextlib.suppress(psutil.NoSuchProcess):
                    t = p.cpu_times()
                    total += t.user + t.system + t.children_user + t.children_system
        return total

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self._out.close()


def start_paths(env: dict[str, str], log_dir: Path, *, processes: int) -> tuple[list[Proc], list[Proc]]:
    """``processes`` legacy executors and one Celery prefork worker with as many children."""
    executors = [
        Proc(
            f"executor-{i}",
            [sys.executable, "-m", "celeriac_site.bridge.executor", "--name", f"executor-{i}"],
            env,
            log_dir / f"executor-{i}.log",
        )
        for i in range(1, processes + 1)
    ]
    node = f"bench-{uuid.uuid4().hex[:6]}@%h"
    worker = Proc(
        "worker",
        [
            CELERY, "-A", "celeriac_site", "worker", "-n", node, "-Q", "execution", "-P", "prefork",
            "-c", str(processes), "-E", "-l", "WARNING", "--without-mingle", "--without-gossip",
        ],
        env,
        log_dir / "worker.log",
    )  # fmt: skip
    wait_worker(worker, node.replace("%h", os.uname().nodename))
    return executors, [worker]


def wait_worker(worker: Proc, node: str, timeout_s: float = 120) -> None:
    from celeriac_site.celery import app

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not worker.alive():
            raise RuntimeError(f"worker exited: {worker.log.read_text(errors='replace')[-2000:]}")
        if any(node in reply for reply in app.control.ping([node], timeout=0.5) or []):
            return
    raise RuntimeError(f"worker {node} did not answer within {timeout_s:.0f}s")
