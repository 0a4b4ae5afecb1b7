"""``celeriac up`` / ``down``: services, migrations, one worker per family, beat and web, as one unit."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from celeriac.embedded import Service, Stack
from celeriac.embedded.ports import port_in_use
from celeriac.errors import ServiceError
from celeriac.fleet.spec import WorkerSpec
from celeriac.supervise.processes import Managed, StateFile, running, spawn, stop

Progress = Callable[[str], None]


@dataclass(frozen=True, kw_only=True)
class Plan:
    """What to run. ``manage`` and ``wsgi`` are optional: a plain Celery app has neither."""

    app: str
    fleet: tuple[WorkerSpec, ...]
    manage: tuple[str, ...] | None = None
    wsgi: str | None = None
    web_port: int = 8000
    beat: bool = True
    prefer_local: bool = False
    env: dict[str, str] = field(default_factory=dict)
    #: (role, argv) of further processes, started after the workers and stopped by ``down`` like them
    #: (the reference deployment's legacy executors and Flower).
    extra: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: (name, environment variable): a service that needs a Redis of its own gets an embedded Valkey
    #: when the broker is embedded too, exported under that variable (unless it is already set).
    redis_instances: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Running:
    """What ``up`` started and where: the report it prints."""

    redis_url: str
    database_url: str
    embedded: tuple[str, ...]
    processes: tuple[Managed, ...]
    web_url: str | None


def _celery() -> str:
    return str(Path(sys.executable).with_name("celery"))


def up(plan: Plan, root: Path, progress: Progress = lambda _: None) -> Running:
    """Start everything, or nothing: on any failure what was started is stopped again."""
    state = StateFile(root / "run" / "deployment.json")
    previous, _ = state.read()
    if any(running(m) for m in previous):
        raise ServiceError(f"a deployment is already running from {root}; run `celeriac down` first")
    if plan.wsgi and port_in_use(plan.web_port):
        raise ServiceError(f"port {plan.web_port} is already in use; pass --web-port with a free port")
    stack = Stack(root)
    started: list[Managed] = []
    try:
        progress("services")
        redis = stack.redis(prefer_local=plan.prefer_local)
        pg = stack.postgres(prefer_local=plan.prefer_local)
        progress("checking services")
        probe_services(redis.url, pg.url)
        instances = _redis_instances(plan, stack, redis.embedded)
        env = {
            **os.environ,
            **plan.env,
            **{var: svc.url for var, svc in instances.items()},
            "REDIS_URL": redis.url,
            "DATABASE_URL": pg.url,
            "CELERIAC_VAR": str(root.resolve()),
        }
        # This process talks to the deployment too (`celeriac demo` runs its main job right here).
        os.environ.update({"REDIS_URL": redis.url, "DATABASE_URL": pg.url})
        os.environ.update({var: svc.url for var, svc in instances.items()})
        if plan.manage:
            progress("migrations")
            _run([*plan.manage, "migrate", "--noinput"], env=env, what="database migrations")
        logs = root / "log"
        for spec in plan.fleet:
            progress(f"worker {spec.name} ({spec.pool}, c={spec.concurrency})")
            argv = [_celery(), *spec.argv(plan.app)[1:]]
            started.append(spawn(f"worker-{spec.name}", argv, log_dir=logs, env=env, cwd=Path.cwd()))
        for role, command in plan.extra:
            progress(role)
            started.append(spawn(role, command, log_dir=logs, env=env, cwd=Path.cwd()))
        if plan.beat:
            progress("beat")
            argv = [
                _celery(),
                "-A",
                plan.app,
                "beat",
                "-l",
                "INFO",
                "-s",
                str((root / "run" / "celerybeat-schedule").resolve()),
            ]
            started.append(spawn("beat", argv, log_dir=logs, env=env, cwd=Path.cwd()))
        web_url = None
        if plan.wsgi:
            progress(f"web on :{plan.web_port}")
            argv = [
                str(Path(sys.executable).with_name("gunicorn")),
                plan.wsgi,
                "-b",
                f"127.0.0.1:{plan.web_port}",
                "-w",
                "2",
                "--access-logfile",
                "-",
            ]
            started.append(spawn("web", argv, log_dir=logs, env=env, cwd=Path.cwd()))
            web_url = f"http://127.0.0.1:{plan.web_port}"
        urls = {var: svc.url for var, svc in instances.items()}
        state.write(started, {"redis_url": redis.url, "database_url": pg.url, "web_url": web_url, **urls})
        progress("waiting for workers")
        wait_ready(plan.app, plan.fleet, started, env)
        return Running(
            redis_url=redis.url,
            database_url=pg.url,
            embedded=tuple(s.name for s in (redis, pg, *instances.values()) if s.embedded),
            processes=tuple(started),
            web_url=web_url,
        )
    except BaseException:
        stop(started)
        state.clear()
        stack.stop()
        raise


def _redis_instances(plan: Plan, stack: Stack, broker_embedded: bool) -> dict[str, Service]:
    """The instances to start: only beside an embedded broker, and never over a URL already given."""
    if not broker_embedded:
        return {}  # real servers: the application's default (another database number) applies
    return {
        var: stack.redis_instance(name)
        for name, var in plan.redis_instances
        if var not in os.environ and var not in plan.env
    }


def probe_services(redis_url: str, database_url: str, timeout_s: float = 3.0) -> None:
    """Fail fast, before any worker starts, when the broker or the database does not answer."""
    import psycopg
    import redis

    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=timeout_s, socket_timeout=timeout_s).ping()
    except redis.RedisError as exc:
        raise ServiceError(f"cannot reach Redis at {redis_url}: {exc}; check REDIS_URL") from None
    try:
        psycopg.connect(database_url, connect_timeout=int(timeout_s)).close()
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ServiceError(
            f"cannot reach PostgreSQL at {database_url}: {first}; check DATABASE_URL"
        ) from None


def wait_ready(
    app: str,
    fleet: Sequence[WorkerSpec],
    started: Sequence[Managed],
    env: dict[str, str],
    timeout_s: float = 90.0,
) -> None:
    """Ping until every worker of the fleet answers; a worker that died shows its log's last line."""
    host = socket.gethostname()
    wanted = {f"{spec.name}@{host}" for spec in fleet}
    deadline = time.monotonic() + timeout_s
    script = (
        "import sys,json;from celery.app.utils import find_app;"
        "a=find_app(sys.argv[1]);"
        "print(json.dumps([k for r in (a.control.ping(timeout=1.0) or []) for k in r]))"
    )
    answered: set[str] = set()
    while time.monotonic() < deadline:
        _raise_if_dead(started)
        out = subprocess.run(
            [sys.executable, "-c", script, app], env=env, capture_output=True, text=True, timeout=30
        )
        if out.returncode == 0 and out.stdout.strip():
            import json

            answered = set(json.loads(out.stdout.strip().splitlines()[-1]))
            if wanted <= answered:
                _raise_if_dead(started)  # e.g. an extra process that died while the workers came up
                return
        time.sleep(0.5)
    raise ServiceError(f"workers not ready after {timeout_s:.0f}s: missing {sorted(wanted - answered)}")


def _raise_if_dead(started: Sequence[Managed]) -> None:
    for m in started:
        if not running(m):
            raise ServiceError(f"{m.role} exited during start-up: {_tail(m.log)} (log: {m.log})")


def down(root: Path, progress: Progress = lambda _: None) -> list[str]:
    """Stop the processes ``up`` started, then the embedded services. Safe to run twice."""
    state = StateFile(root / "run" / "deployment.json")
    managed, _ = state.read()
    progress("processes")
    stopped = stop(managed)
    state.clear()
    progress("services")
    stopped += Stack(root).stop()
    return stopped


def _run(argv: Sequence[str], *, env: dict[str, str], what: str) -> None:
    out = subprocess.run(list(argv), env=env, capture_output=True, text=True)
    if out.returncode != 0:
        last = (out.stderr or out.stdout).strip().splitlines()[-1:] or ["no output"]
        raise ServiceError(f"{what} failed: {last[0]}")


def _tail(path: str) -> str:
    try:
        lines = Path(path).read_text(errors="replace").strip().splitlines()
    except OSError:
        return "no log"
    return lines[-1] if lines else "empty log"
