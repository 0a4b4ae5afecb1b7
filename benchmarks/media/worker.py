"""A worker process tree for the media benchmark: start in its own session, wait for a ping, stop, CPU."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))
STOP_TIMEOUT_S = 30.0


def tree_cpu_s(pid: int) -> float:
    """User + system CPU of a process, its live descendants and the children it has reaped."""
    root = psutil.Process(pid)
    times = root.cpu_times()
    total = times.user + times.system + times.children_user + times.children_system
    for child in root.children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):  # reaped: now in the parent's children_*
            ct = child.cpu_times()
            total += ct.user + ct.system
    return total


class Worker:
    """``celery worker`` in its own session, logging to a file."""

    def __init__(self, argv: Sequence[str], node: str, env: dict[str, str], log: Path) -> None:
        self.node = node
        self.log = log
        log.parent.mkdir(parents=True, exist_ok=True)
        self._out = open(log, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            list(argv), cwd=ROOT, env=env, stdout=self._out, stderr=subprocess.STDOUT, start_new_session=True
        )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def wait_ready(self, timeout_s: float = 120.0) -> None:
        """Until this worker answers a ping (the app must be the site's, already set up)."""
        from celeriac_site.celery import app

        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"worker exited: {self.log.read_text(errors='replace')[-2000:]}")
            if any(self.node in reply for reply in app.control.ping([self.node], timeout=0.5) or []):
                return
        raise RuntimeError(f"worker did not answer within {timeout_s:.0f}s")

    def stop(self) -> None:
        """Warm shutdown of the whole process group; SIGKILL if it lingers."""
        if self.proc.poll() is None:
            try:
                os.killpg(self.pid, signal.SIGTERM)
                self.proc.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
            except ProcessLookupError:
                pass
        self._out.close()
