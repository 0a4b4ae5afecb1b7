"""Worker processes: the command lines under test, start in their own sessions, wait for pings, stop."""

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
from celery import Celery
from celery.utils.nodenames import default_nodename, host_format

ROOT = Path(__file__).resolve().parent.parent
CELERY = str(Path(sys.executable).with_name("celery"))
STOP_TIMEOUT_S = 20.0

Argv = tuple[str, ...]


def stock_argv(cores: int) -> Argv:
    """A worker as stock Celery runs it: prefork, one child per core, Celery's default log level."""
    return (CELERY, "-A", "benchmarks.apps.stock", "worker", "-P", "prefork", "-c", str(cores))


def fleet_argvs(app_module: str) -> tuple[Argv, ...]:
    """One command line per process of the io family in Celeriac's fleet plan, pointed at ``app_module``.

    The plan runs the io family as several identical gevent processes (one per core by default), each a
    WorkerSpec of its own (``io-1@%h``, ``io-2@%h``, ...): all of them are the configuration under test.
    """
    import celeriac
    from benchmarks.apps import celeriac_profile

    io = [s for s in celeriac.fleet_of(celeriac_profile.app) if s.family == "io"]
    if not io:
        raise RuntimeError("Celeriac's fleet plan has no io family for the benchmark app")
    return tuple((CELERY, *spec.argv(app_module)[1:]) for spec in io)


def nodename(argv: Sequence[str]) -> str:
    """The node name a worker started with ``argv`` answers pings as (``-n``, else ``celery@host``)."""
    args = list(argv)
    for flag in ("-n", "--hostname"):
        if flag in args:
            return host_format(args[args.index(flag) + 1])
    for arg in args:
        if arg.startswith("--hostname="):
            return host_format(arg.split("=", 1)[1])
    return default_nodename("")


def answering(url: str, timeout_s: float = 0.5) -> set[str]:
    """Node names of the workers on this broker DB that answer a ping (fresh connection each time)."""
    control = Celery("bench_control", broker=url, set_as_current=False)
    with control.connection_for_write() as conn:
        replies = control.control.ping(timeout=timeout_s, connection=conn) or []
    return {name for reply in replies for name in reply}


def anyone_answers(url: str, timeout_s: float = 0.5) -> bool:
    """Whether any worker on this broker DB answers a ping."""
    return bool(answering(url, timeout_s))


class Worker:
    """One ``celery worker`` process tree in its own session, logging to a file."""

    def __init__(self, argv: Sequence[str], env: dict[str, str], log: Path) -> None:
        self.argv = list(argv)
        self.nodename = nodename(argv)
        self.log = log
        log.parent.mkdir(parents=True, exist_ok=True)
        self._out = open(log, "wb")  # noqa: SIM115 - closed in stop()
        self._children: list[psutil.Process] | None = None
        self.proc = subprocess.Popen(
            self.argv, cwd=ROOT, env=env, stdout=self._out, stderr=subprocess.STDOUT, start_new_session=True
        )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def check_alive(self) -> None:
        if self.proc.poll() is not None:
            raise RuntimeError(f"worker {self.nodename} exited ({self.proc.returncode}): {self.tail()}")

    def terminate(self) -> None:
        """Note the pool's children, then SIGTERM the process group (Celery's warm shutdown)."""
        if self._children is not None:
            return
        try:
            self._children = psutil.Process(self.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            self._children = []
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGTERM)

    def stop(self) -> None:
        """Terminate, wait; SIGKILL the group and any stray child if it lingers."""
        self.terminate()
        try:
            self.proc.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        for child in self._children or []:  # pool children that outlived their parent, by their own pid
            with contextlib.suppress(psutil.NoSuchProcess):
                child.kill()
        self._out.close()

    def tail(self, chars: int = 2000) -> str:
        if not self._out.closed:
            self._out.flush()
        return self.log.read_text(errors="replace")[-chars:]


class Fleet:
    """All worker processes of one configuration: started together, ready once all answer, stopped as one."""

    def __init__(self, argvs: Sequence[Sequence[str]], env: dict[str, str], log_stem: Path) -> None:
        names = [nodename(a) for a in argvs]
        if len(set(names)) != len(names):
            raise ValueError(f"worker node names must be distinct, got {names}")
        self.workers: list[Worker] = []
        try:
            for argv in argvs:
                suffix = "" if len(argvs) == 1 else "-" + nodename(argv).split("@", 1)[0]
                log = log_stem.with_name(f"{log_stem.name}{suffix}.log")
                self.workers.append(Worker(argv, env, log))
        except BaseException:
            self.stop()
            raise

    @property
    def pids(self) -> list[int]:
        return [w.pid for w in self.workers]

    @property
    def nodenames(self) -> set[str]:
        return {w.nodename for w in self.workers}

    def wait_ready(self, url: str, timeout_s: float = 60.0) -> None:
        """Until every worker's node name has answered a ping (each answers once it consumes)."""
        deadline = time.monotonic() + timeout_s
        seen: set[str] = set()
        while time.monotonic() < deadline:
            for worker in self.workers:
                worker.check_alive()
            seen |= answering(url) & self.nodenames
            if seen == self.nodenames:
                return
        missing = ", ".join(sorted(self.nodenames - seen))
        raise RuntimeError(f"{missing} did not answer a ping within {timeout_s:.0f}s: {self.tail()}")

    def stop(self) -> None:
        """SIGTERM every process group first, so the workers shut down in parallel, then reap each."""
        for worker in self.workers:
            worker.terminate()
        for worker in self.workers:
            worker.stop()

    def tail(self, chars: int = 2000) -> str:
        return "\n".join(f"--- {w.nodename} ---\n{w.tail(chars)}" for w in self.workers)
