"""Resolve the broker and database: environment URL, a local server, or embedded ones kept under a root."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

from celeriac.embedded import postgres, valkey
from celeriac.embedded.ports import free_port, port_in_use
from celeriac.errors import ServiceError

LOCAL_REDIS_URL = "redis://127.0.0.1:6379/0"
LOCAL_POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
LOCAL_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/celeriac"
START_ATTEMPTS = 3  # a freshly picked port can be taken by someone else before the server binds it
#: Extra named Valkeys (``redis_instance``) live in sub-roots of this directory.
INSTANCES = "instances"
_INSTANCE_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")


@dataclass(frozen=True)
class Service:
    """A backing service as the application should reach it."""

    name: str  # "redis" | "postgres"
    url: str
    embedded: bool  # started (or reused) under the stack's root; stop() only touches these
    pid: int | None  # None for services we did not start


class _Record(TypedDict):
    name: str
    url: str
    pid: int
    port: int
    data_dir: str


class Stack:
    """Embedded Valkey and PostgreSQL under ``root``, reused across runs via ``<root>/run/services.json``."""

    def __init__(self, root: Path | str = "var") -> None:
        # Absolute, so the daemons (which change directory) and later runs agree on every path.
        self.root = Path(root).absolute()
        self.state_path = self.root / "run" / "services.json"

    def redis(self, *, prefer_local: bool = False) -> Service:
        if url := os.environ.get("REDIS_URL"):
            return Service("redis", url, embedded=False, pid=None)
        if prefer_local and valkey.pings(LOCAL_REDIS_URL):
            return Service("redis", LOCAL_REDIS_URL, embedded=False, pid=None)
        return self._embedded("redis")

    def postgres(self, *, prefer_local: bool = False) -> Service:
        if url := os.environ.get("DATABASE_URL"):
            return Service("postgres", url, embedded=False, pid=None)
        if prefer_local and postgres.accepts(LOCAL_POSTGRES_ADMIN_URL):
            postgres.ensure_database(LOCAL_POSTGRES_ADMIN_URL)
            return Service("postgres", LOCAL_POSTGRES_URL, embedded=False, pid=None)
        return self._embedded("postgres")

    def redis_instance(self, name: str) -> Service:
        """Another embedded Valkey, ``name``d, under ``<root>/instances/<name>``: e.g. a queue that must not
        share a server with the broker. Reused across runs and stopped by :meth:`stop`. Environment URLs
        are not consulted: whoever asks for an instance has decided it wants its own server."""
        if not _INSTANCE_NAME.fullmatch(name):
            raise ValueError(f"instance name {name!r}: lower-case letters, digits, - and _")
        service = Stack(self.root / INSTANCES / name)._embedded("redis")
        return Service(f"redis:{name}", service.url, embedded=True, pid=service.pid)

    def stop(self) -> list[str]:
        """Stop the embedded services this root records (and orphans of interrupted starts); names stopped."""
        if not self.root.exists():
            return []  # never create a root just to find nothing in it
        stopped: list[str] = []
        instances = self.root / INSTANCES
        for sub in sorted(instances.iterdir()) if instances.is_dir() else []:
            if sub.is_dir() and Stack(sub).stop():
                stopped.append(f"redis:{sub.name}")
        with self._locked() as records:
            for name in ("postgres", "redis"):  # reverse start order: workers' DB first, broker last
                record = records.pop(name, None)
                if self._stop_one(name, record):
                    stopped.append(name)
                self._save(records)  # after each, so a failure halfway leaves accurate state
        return stopped

    def status(self) -> list[Service]:
        """The recorded embedded services that are running and answering; starts nothing."""
        records = self._load()
        return [
            Service(name, record["url"], embedded=True, pid=record["pid"])
            for name, record in records.items()
            if self._answers(name, record)
        ]

    def ensure(self, name: str) -> Service:
        """Make sure the embedded service ``name`` runs: reuse it, or start it again on its recorded port.

        ``celeriac chaos`` stops a service and calls this to bring it back where clients expect it.
        """
        return self._embedded(name)

    def _embedded(self, name: str) -> Service:
        with self._locked() as records:
            record = records.get(name)
            if record is not None and self._answers(name, record):
                return Service(name, record["url"], embedded=True, pid=record["pid"])
            # Stale: the recorded server died or stopped answering. Clear it, keep its port if still free
            # so URLs copied from an earlier run keep working.
            records.pop(name, None)
            self._stop_one(name, record)
            self._save(records)
            port = record["port"] if record is not None and not port_in_use(record["port"]) else free_port()
            record = self._start(name, port)
            try:
                records[name] = record
                self._save(records)
            except BaseException:
                self._stop_one(name, record)
                raise
            return Service(name, record["url"], embedded=True, pid=record["pid"])

    def _start(self, name: str, port: int) -> _Record:
        start: Callable[[Path, int], int] = valkey.start if name == "redis" else postgres.start
        for attempt in range(1, START_ATTEMPTS + 1):
            try:
                pid = start(self.root, port)
            except ServiceError:
                # Only a port lost to a race is worth another try; anything else is reported as is.
                if attempt == START_ATTEMPTS or not port_in_use(port):
                    raise
                port = free_port()
                continue
            if name == "redis":
                return _Record(
                    name=name,
                    url=valkey.url_for(port),
                    pid=pid,
                    port=port,
                    data_dir=str(valkey.data_dir(self.root)),
                )
            return _Record(
                name=name,
                url=postgres.url_for(port),
                pid=pid,
                port=port,
                data_dir=str(postgres.data_dir(self.root)),
            )
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _answers(self, name: str, record: _Record) -> bool:
        if name == "redis":
            return valkey.server_pid(record["url"]) == record["pid"]
        if not postgres.serves(record["url"], self.root):
            return False
        return postgres.postmaster_pid(self.root) == record["pid"]

    def _stop_one(self, name: str, record: _Record | None) -> bool:
        if name == "redis":
            return valkey.stop(self.root, None if record is None else record["pid"])
        return postgres.stop(self.root)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[dict[str, _Record]]:
        """Hold ``<root>/run/lock`` (two terminals starting the stack must not both start servers)."""
        self.state_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.state_path.parent / "lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield self._load()
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _load(self) -> dict[str, _Record]:
        try:
            raw = json.loads(self.state_path.read_text())
            services = raw["services"]
            return {name: _parse(services[name]) for name in ("redis", "postgres") if name in services}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return {}  # missing or corrupt state means "nothing recorded"; orphans are found via pidfiles

    def _save(self, records: dict[str, _Record]) -> None:
        tmp = self.state_path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"version": 1, "services": records}, indent=2) + "\n")
        os.replace(tmp, self.state_path)  # atomic: a reader never sees half a file


def _parse(raw: dict[str, object]) -> _Record:
    """One state-file entry, type-checked so a hand-edited file fails here rather than mid-start."""
    name, url, pid, port, data_dir = (raw[key] for key in ("name", "url", "pid", "port", "data_dir"))
    if not (isinstance(name, str) and isinstance(url, str) and isinstance(data_dir, str)):
        raise TypeError("state entry: name, url and data_dir must be strings")
    if not (isinstance(pid, int) and isinstance(port, int)):
        raise TypeError("state entry: pid and port must be integers")
    return _Record(name=name, url=url, pid=pid, port=port, data_dir=data_dir)
