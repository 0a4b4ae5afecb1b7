"""The embedded stack starts real Valkey and PostgreSQL, reuses them across runs, and stops them."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import redis

from celeriac.embedded import Service, Stack
from celeriac.embedded import postgres as embedded_postgres
from celeriac.embedded import valkey as embedded_valkey
from celeriac.embedded.ports import process_running, processes_in, wait_gone
from celeriac.errors import ServiceError

pytestmark = pytest.mark.integration

PROCESS = {"redis": "valkey-server", "postgres": "postgres"}


@pytest.fixture
def root(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh stack root, with URLs from the environment out of the way; stopped and removed afterwards.

    Not under tmp_path: as root, PostgreSQL runs as another user that must traverse every ancestor, and
    each pytest session (other runs in parallel included) resets /tmp/pytest-of-<user> to mode 0700.
    """
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    parent = Path(tempfile.mkdtemp(prefix="celeriac-stack-"))
    root = parent / "var"
    yield root
    Stack(root).stop()
    shutil.rmtree(parent, ignore_errors=True)


def test_embedded_services_start_answer_are_reused_and_stop(root: Path) -> None:
    stack = Stack(root)
    broker, database = stack.redis(), stack.postgres()
    assert broker.embedded and database.embedded
    assert broker.url.startswith("redis://127.0.0.1:")
    assert database.url.startswith("postgresql://postgres@127.0.0.1:") and database.url.endswith("/celeriac")
    assert redis.Redis.from_url(broker.url).ping()
    with psycopg.connect(database.url) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
        assert conn.execute("SHOW max_connections").fetchone() == ("300",)

    again = Stack(root)  # a later run: same servers, same pids and ports
    assert again.redis() == broker
    assert again.postgres() == database
    assert set(again.status()) == {broker, database}
    recorded = json.loads((root / "run" / "services.json").read_text())["services"]
    assert {name: entry["pid"] for name, entry in recorded.items()} == {
        "redis": broker.pid,
        "postgres": database.pid,
    }

    assert sorted(again.stop()) == ["postgres", "redis"]
    for service in (broker, database):
        assert service.pid is not None
        assert wait_gone(service.pid, PROCESS[service.name], timeout=5)
    assert again.stop() == []
    assert again.status() == []


def test_dead_servers_are_restarted_on_their_recorded_ports(root: Path) -> None:
    stack = Stack(root)
    broker, database = stack.redis(), stack.postgres()
    for service in (broker, database):
        assert service.pid is not None
        os.kill(service.pid, signal.SIGKILL)
        assert wait_gone(service.pid, PROCESS[service.name], timeout=5)
    assert Stack(root).status() == []

    revived = Stack(root)
    new_broker, new_database = revived.redis(), revived.postgres()
    assert (new_broker.url, new_database.url) == (broker.url, database.url)
    assert new_broker.pid != broker.pid and new_database.pid != database.pid
    assert redis.Redis.from_url(new_broker.url).ping()
    with psycopg.connect(new_database.url) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)


def test_environment_urls_win_and_start_nothing(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://broker.example:6379/3")
    monkeypatch.setenv("DATABASE_URL", "postgresql://app@db.example/app")
    stack = Stack(root)
    assert stack.redis().url == "redis://broker.example:6379/3"
    assert stack.postgres(prefer_local=True).url == "postgresql://app@db.example/app"
    assert not stack.redis().embedded
    assert stack.stop() == [] and not root.exists()


def test_valkey_start_failure_is_one_line_naming_the_log(root: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        with pytest.raises(ServiceError) as failure:
            embedded_valkey.start(root, holder.getsockname()[1])
    message = str(failure.value)
    assert "\n" not in message and "embedded Valkey failed to start" in message
    assert str(embedded_valkey.log_path(root)) in message
    assert not processes_in(root / "valkey", "valkey-server")


def test_prefer_local_redis_uses_the_machine_server(root: Path) -> None:
    if not embedded_valkey.pings("redis://127.0.0.1:6379/0"):
        pytest.skip("no Redis/Valkey answers PING on 127.0.0.1:6379")
    service = Stack(root).redis(prefer_local=True)
    assert service == Service("redis", "redis://127.0.0.1:6379/0", embedded=False, pid=None)
    assert not (root / "run" / "services.json").exists()


def test_prefer_local_postgres_uses_the_machine_server(root: Path) -> None:
    if not embedded_postgres.accepts("postgresql://postgres@127.0.0.1:5432/postgres"):
        pytest.skip("no PostgreSQL on 127.0.0.1:5432 accepts user postgres without a password")
    service = Stack(root).postgres(prefer_local=True)
    assert not service.embedded and service.pid is None
    assert service.url == "postgresql://postgres@127.0.0.1:5432/celeriac"
    with psycopg.connect(service.url) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)


def test_stop_is_robust_to_a_half_started_stack(root: Path) -> None:
    """Valkey up, PostgreSQL never started (e.g. its start failed): stop() stops what exists."""
    stack = Stack(root)
    broker = stack.redis()
    assert broker.pid is not None and process_running(broker.pid, "valkey-server")
    assert stack.stop() == ["redis"]
    assert stack.stop() == []


def test_concurrent_database_creation_is_not_an_error(services: dict[str, str]) -> None:
    """Several processes starting on a server without the database (parallel test workers, two
    `celeriac up`) all race to create it: every one of them must succeed."""
    from concurrent.futures import ThreadPoolExecutor
    from urllib.parse import urlsplit

    admin = urlsplit(services["DATABASE_URL"])._replace(path="/postgres").geturl()
    name = f"celeriac_race_{os.getpid()}_{os.urandom(3).hex()}"
    try:
        for _ in range(3):  # the race is timing-dependent: several rounds make each outcome likely
            with ThreadPoolExecutor(8) as pool:
                list(pool.map(lambda _: embedded_postgres.ensure_database(admin, name), range(8)))
            with psycopg.connect(admin, autocommit=True) as conn:
                assert conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
                conn.execute(f'DROP DATABASE "{name}"')
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
