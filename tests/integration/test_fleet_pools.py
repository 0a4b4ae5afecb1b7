"""The compiled fleet starts one worker per family with its declared pool; a hand-given -P wins."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest

from celeriac import fleet_of
from tests.integration.workers import CELERY, Worker

pytestmark = pytest.mark.integration

IMPLEMENTATION = {
    "prefork": "celery.concurrency.prefork:TaskPool",
    "gevent": "celery.concurrency.gevent:TaskPool",
    "threads": "celery.concurrency.thread:TaskPool",
}


def _start_spec_argv(argv: list[str], tmp: Path, env: dict[str, str], app: Any) -> Worker:
    import time

    name = argv[argv.index("-n") + 1].replace("%h", socket.gethostname())
    w = Worker(
        [CELERY, *argv[1:]], name, {**__import__("os").environ, **env}, tmp / f"{name.split('@')[0]}.log"
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert w.proc.poll() is None, w.output()[-2000:]
        if any(name in r for r in app.control.ping([name], timeout=0.5) or []):
            return w
    w.stop()
    raise AssertionError(f"{name} never answered: {w.output()[-2000:]}")


def test_fleet_runs_declared_pools_and_queues(
    tmp_path: Path, services: dict[str, str], celery_app: Any
) -> None:
    fleet = fleet_of(celery_app)
    assert {s.family: s.pool for s in fleet} == {
        "cpu": "prefork",
        "io": "gevent",
        "ai": "gevent",
        "maintenance": "prefork",
    }
    started = []
    try:
        for spec in fleet:
            argv = spec.argv("celeriac_site")
            argv[argv.index("-c") + 1] = str(min(spec.concurrency, 4))  # small, same pool
            started.append((spec, _start_spec_argv(argv, tmp_path, services, celery_app)))
        names = [w.name for _, w in started]
        inspect = celery_app.control.inspect(destination=names, timeout=3)
        stats = inspect.stats() or {}
        queues = inspect.active_queues() or {}
        for spec, w in started:
            assert stats[w.name]["pool"]["implementation"] == IMPLEMENTATION[spec.pool]
            assert sorted(q["name"] for q in queues[w.name]) == sorted(spec.queues)
    finally:
        for _, w in started:
            w.stop()


def test_operator_pool_on_the_command_line_wins(
    tmp_path: Path, services: dict[str, str], celery_app: Any
) -> None:
    io = next(s for s in fleet_of(celery_app) if s.family == "io")
    argv = io.argv("celeriac_site")
    argv[argv.index("-P") + 1] = "threads"
    argv[argv.index("-c") + 1] = "4"
    w = _start_spec_argv(argv, tmp_path, services, celery_app)
    try:
        stats = celery_app.control.inspect(destination=[w.name], timeout=3).stats() or {}
        assert stats[w.name]["pool"]["implementation"] == IMPLEMENTATION["threads"]
    finally:
        w.stop()
