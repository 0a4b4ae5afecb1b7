"""The fleet chaos works on: its own (services and workers under a private root) or a running deployment."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import psutil

from celeriac.embedded import Stack, valkey
from celeriac.embedded import postgres as embedded_pg
from celeriac.embedded.ports import wait_gone
from celeriac.errors import ServiceError
from celeriac.supervise import deployment
from celeriac.supervise.processes import Managed, StateFile, running, spawn

#: For a fleet chaos starts itself: messages of a killed worker come back after this (the reference
#: site reads it; a short timeout keeps the kill-main scenario to seconds instead of minutes).
CHAOS_VISIBILITY_TIMEOUT_S = 10
READY_TIMEOUT_S = 60.0


@dataclass
class ChaosFleet:
    """Workers chaos may kill and restart, and the services it may restart (only embedded ones)."""

    root: Path
    redis_url: str
    database_url: str
    workers: list[Managed]
    env: dict[str, str]
    embedded: set[str] = field(default_factory=set)
    owned: bool = False  #: started by chaos: stopped and deleted at close()
    #: pool children of killed main processes, taken just before the kill (psutil refuses a reused pid)
    orphans: list[psutil.Process] = field(default_factory=list)

    @classmethod
    def start(cls, plan: deployment.Plan, progress: deployment.Progress = lambda _: None) -> ChaosFleet:
        """Services (embedded unless REDIS_URL/DATABASE_URL are set) and the fleet, under a temp root."""
        root = Path(tempfile.mkdtemp(prefix="celeriac-chaos-"))
        env = {"CELERIAC_VISIBILITY_TIMEOUT_S": str(CHAOS_VISIBILITY_TIMEOUT_S), **plan.env}
        # The app in this process reads the same environment as the workers (Django settings, URLs).
        os.environ.update(env)
        try:
            running = deployment.up(replace(plan, env=env), root, progress)
        except BaseException:
            shutil.rmtree(root, ignore_errors=True)
            raise
        return cls(
            root=root,
            redis_url=running.redis_url,
            database_url=running.database_url,
            workers=[m for m in running.processes if m.role.startswith("worker")],
            env={**os.environ, **env, "CELERIAC_VAR": str(root.resolve())},
            embedded=set(running.embedded),
            owned=True,
        )

    @classmethod
    def attach(cls, root: Path) -> ChaosFleet:
        """The deployment ``celeriac up`` runs from ``root``."""
        managed, extra = StateFile(root / "run" / "deployment.json").read()
        workers = [m for m in managed if m.role.startswith("worker") and running(m)]
        if not workers:
            raise ServiceError(f"no running deployment under {root}: start one with `celeriac up -d`")
        redis_url, database_url = str(extra.get("redis_url", "")), str(extra.get("database_url", ""))
        os.environ.update({"REDIS_URL": redis_url, "DATABASE_URL": database_url})
        embedded = {s.name for s in Stack(root).status() if s.url in (redis_url, database_url)}
        env = {**os.environ, "CELERIAC_VAR": str(root.resolve())}
        return cls(root, redis_url, database_url, workers, env, embedded, owned=False)

    # -- workers ------------------------------------------------------------------------------------

    def managed(self, pid: int) -> Managed | None:
        return next((m for m in self.workers if m.pid == pid), None)

    def pool_children(self, pid: int) -> list[int]:
        with contextlib.suppress(psutil.Error):
            return [p.pid for p in psutil.Process(pid).children()]
        return []

    def kill(self, pid: int) -> None:
        if self.managed(pid) is not None:
            # A main process: its pool children outlive it, cut off from any broker. Remember them now;
            # afterwards nothing but a process group number links them to it, and that number can be
            # taken by the next session leader (a sandbox box) once they are gone.
            with contextlib.suppress(psutil.Error):
                self.orphans += psutil.Process(pid).children(recursive=True)
        os.kill(pid, signal.SIGKILL)

    def restart_worker(self, old: Managed) -> Managed:
        """Start a worker with the killed one's command line; record it so ``down`` stops it."""
        new = spawn(old.role, old.argv, log_dir=Path(old.log).parent, env=self.env, cwd=Path.cwd())
        self.workers = [new if m.pid == old.pid else m for m in self.workers]
        state = StateFile(self.root / "run" / "deployment.json")
        managed, extra = state.read()
        state.write([new if m.pid == old.pid else m for m in managed], extra)
        return new

    def wait_answering(self, app: Any, hostname: str, timeout_s: float = READY_TIMEOUT_S) -> bool:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                replies = app.control.ping(destination=[hostname], timeout=1.0) or []
            except Exception:  # a pooled connection from before a broker restart: the next one is fresh
                time.sleep(0.5)
                continue
            if any(hostname in r for r in replies):
                return True
        return False

    def reap_orphans(self) -> None:
        """SIGKILL what is left of killed workers (their pool children, cut off from any broker)."""
        for orphan in self.orphans:
            with contextlib.suppress(psutil.Error):
                orphan.kill()
        self.orphans.clear()

    # -- services -----------------------------------------------------------------------------------

    def restart_broker(self, down_s: float) -> None:
        """``SHUTDOWN SAVE``, wait ``down_s``, start on the same port and data directory.

        The embedded Valkey keeps no data of its own (--save ""): saving on the way down is what a
        production broker with persistence does, and restarting without it would lose every queue.
        """
        import redis

        stack = Stack(self.root)
        (service,) = [s for s in stack.status() if s.name == "redis"]
        with contextlib.suppress(redis.RedisError):
            redis.Redis.from_url(service.url, socket_timeout=10).shutdown(save=True)
        if service.pid is not None and not wait_gone(service.pid, valkey.PROCESS_NAME, 10.0):
            raise ServiceError("the embedded Valkey did not stop within 10 s")
        time.sleep(down_s)
        # Stack restarts a recorded service that stopped answering on its recorded port.
        restarted = stack.ensure("redis")
        if restarted.url != self.redis_url:
            raise ServiceError(f"the broker came back at {restarted.url}, not {self.redis_url}")
        # The snapshot was loaded at start; left behind, it would resurrect old queues at the next start.
        (valkey.data_dir(self.root) / "dump.rdb").unlink(missing_ok=True)

    def stop_database(self, down_s: float) -> None:
        """``pg_ctl stop -m fast``, wait ``down_s``, start again on the same port."""
        stack = Stack(self.root)
        embedded_pg.stop(self.root)
        time.sleep(down_s)
        restarted = stack.ensure("postgres")
        if restarted.url.rsplit("/", 1)[0] != self.database_url.rsplit("/", 1)[0]:
            raise ServiceError(f"the database came back at {restarted.url}, not {self.database_url}")

    def close(self) -> None:
        self.reap_orphans()
        if self.owned:
            deployment.down(self.root)
            shutil.rmtree(self.root, ignore_errors=True)
