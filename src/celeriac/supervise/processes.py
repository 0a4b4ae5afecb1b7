"""Start and stop process groups, remembered in a state file so ``celeriac down`` finds them."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil


@dataclass(frozen=True)
class Managed:
    """A process Celeriac started: its role, pid, command and log file."""

    role: str
    pid: int
    argv: tuple[str, ...]
    log: str
    started: float = 0.0  # the process's start time: tells it from a later process given the same pid


def spawn(role: str, argv: Sequence[str], *, log_dir: Path, env: Mapping[str, str], cwd: Path) -> Managed:
    """Start ``argv`` in its own session (so its whole tree can be signalled) with output to a log."""
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{role}.log"
    with open(log_path, "ab") as out:
        proc = subprocess.Popen(
            list(argv),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=dict(env),
            cwd=cwd,
            start_new_session=True,
        )
    started = 0.0
    with contextlib.suppress(psutil.Error):
        started = psutil.Process(proc.pid).create_time()
    return Managed(role=role, pid=proc.pid, argv=tuple(argv), log=str(log_path), started=started)


def running(m: Managed) -> bool:
    """Whether ``m`` still runs: its pid exists, is no zombie, and (when recorded) started when ``m`` did.

    The start time matters for ``celeriac down`` long after a crash or a reboot: by then the pid may
    belong to an unrelated process, whose group must not be signalled.
    """
    try:
        proc = psutil.Process(m.pid)
        if m.started and abs(proc.create_time() - m.started) > 1.0:
            return False
        return proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def stop(managed: Sequence[Managed], *, timeout_s: float = 20.0) -> list[str]:
    """SIGTERM each group (Celery's warm shutdown), wait, SIGKILL what is left; return the roles stopped."""
    stopped = []
    for m in managed:
        if running(m):
            _signal_group(m.pid, signal.SIGTERM)
            stopped.append(m.role)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and any(running(m) for m in managed):
        _reap()
        time.sleep(0.1)
    for m in managed:
        if running(m):
            _signal_group(m.pid, signal.SIGKILL)
    _reap()
    return stopped


def _signal_group(pid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)


def _reap() -> None:
    try:
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass
    except ChildProcessError:
        pass


class StateFile:
    """``var/run/deployment.json``: what ``up`` started, read back by ``down`` and ``status``."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def write(self, managed: Sequence[Managed], extra: Mapping[str, object]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = {"processes": [asdict(m) for m in managed], **extra}
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(payload, indent=2))
        tmp.replace(self.path)

    def read(self) -> tuple[list[Managed], dict[str, object]]:
        if not self.path.exists():
            return [], {}
        data = json.loads(self.path.read_text())
        procs = [
            Managed(
                role=p["role"],
                pid=p["pid"],
                argv=tuple(p["argv"]),
                log=p["log"],
                started=p.get("started", 0.0),
            )
            for p in data.pop("processes")
        ]
        return procs, data

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)
