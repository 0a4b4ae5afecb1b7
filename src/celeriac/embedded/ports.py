"""Free-port picking, "port in use" detection, and whether a recorded server process still runs."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import time
from pathlib import Path

import psutil


def free_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port that is free on ``host`` right now (the kernel picks it).

    The port is released before returning, so another process may grab it before the caller binds it;
    callers that start a server treat "port taken meanwhile" as a retryable start failure.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    """Whether a server could NOT listen on ``host:port`` now because something holds it."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # Valkey and PostgreSQL bind with SO_REUSEADDR, so connections lingering in TIME_WAIT do not block
        # them; probing the same way avoids calling a port "in use" when only TIME_WAIT remains.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return True
        return False


def process_running(pid: int, name: str) -> bool:
    """Whether ``pid`` is a live (non-zombie) process called ``name``.

    The name check guards against pid reuse: a pid recorded yesterday may belong to anything today,
    and we must never signal a stranger. Zombies count as gone: daemons are re-parented to PID 1,
    which in some containers never reaps them.
    """
    try:
        proc = psutil.Process(pid)
        return proc.status() != psutil.STATUS_ZOMBIE and proc.name() == name
    except psutil.Error:
        return False


def wait_gone(pid: int, name: str, timeout: float) -> bool:
    """Poll until ``pid`` is no longer a running ``name`` process; False if still running at ``timeout``."""
    deadline = time.monotonic() + timeout
    while process_running(pid, name):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True


def terminate(pid: int, name: str, timeout: float) -> bool:
    """SIGTERM ``pid`` if it is a running ``name``, SIGKILL after ``timeout``; False if it was not running."""
    if not process_running(pid, name):
        return False
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)
        if wait_gone(pid, name, timeout):
            break
    return True


def processes_in(directory: Path, name: str) -> list[int]:
    """Pids of live ``name`` processes whose working directory is ``directory``.

    Valkey and PostgreSQL chdir into their data directory, so this finds a server even before it has
    written its pidfile, e.g. when a start was interrupted halfway.
    """
    target = directory.resolve()
    found = []
    for proc in psutil.process_iter(["name"]):
        with contextlib.suppress(psutil.Error, OSError):
            if proc.info["name"] == name and Path(proc.cwd()).resolve() == target:
                found.append(proc.pid)
    return found
