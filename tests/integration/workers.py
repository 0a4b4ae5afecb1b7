"""Real Celery worker processes for integration tests: start, wait until they answer, kill -9, stop."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

import psutil

CELERY = str(Path(sys.executable).with_name("celery"))


class Worker:
    """One ``celery worker`` process tree, started in its own session."""

    def __init__(self, argv: Sequence[str], name: str, env: dict[str, str], log: Path) -> None:
        self.name = name
        self.log = log
        self._orphans: list[psutil.Process] = []
        self._out = open(log, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            list(argv), env=env, stdout=self._out, stderr=subprocess.STDOUT, start_new_session=True
        )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def children(self) -> list[psutil.Process]:
        return psutil.Process(self.pid).children(recursive=True)

    def kill9(self) -> None:
        """SIGKILL the main process only: its pool children are left to die of the lost parent."""
        self._orphans = self.children()  # remembered now: afterwards nothing links them to this worker
        os.kill(self.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.pid, signal.SIGTERM)
                self.proc.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        else:
            # Orphaned pool children, by process (psutil checks the start time, so a recycled pid is
            # never hit). Not killpg: once the leader is gone, its number may already lead another group.
            for child in self._orphans:
                with contextlib.suppress(psutil.NoSuchProcess):
                    child.kill()
        self._out.close()

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for_output(self, text: str, timeout_s: float) -> bool:
        """True once ``text`` is in the log; a task's own writes land before the worker logs it."""
        deadline = time.monotonic() + timeout_s
        while text not in self.output():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.1)
        return True


def start_worker(
    tmp: Path,
    env: dict[str, str],
    *,
    queues: Sequence[str],
    pool: str,
    concurrency: int,
    app: str = "celeriac_site",
    extra: Sequence[str] = (),
    family: str | None = None,
    timeout_s: float = 60,
) -> Worker:
    """Start a worker and return once it answers a ping."""
    name = f"{family or pool}-{uuid.uuid4().hex[:6]}@{socket.gethostname()}"
    argv = [
        CELERY,
        "-A",
        app,
        "worker",
        "-n",
        name,
        "-Q",
        ",".join(queues),
        "-P",
        pool,
        "-c",
        str(concurrency),
        "-E",
        "-l",
        "INFO",
        "--without-mingle",
        "--without-gossip",
        *extra,
    ]
    worker = Worker(argv, name, {**os.environ, **env}, tmp / f"{name.split('@')[0]}.log")
    from celeriac_site.celery import app as celery_app

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if worker.proc.poll() is not None:
            raise RuntimeError(f"worker {name} exited: {worker.output()[-2000:]}")
        replies = celery_app.control.ping([name], timeout=0.5) or []
        if any(name in r for r in replies):
            return worker
    worker.stop()
    raise RuntimeError(f"worker {name} did not answer within {timeout_s}s: {worker.output()[-2000:]}")
