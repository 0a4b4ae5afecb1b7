"""The services of one media benchmark: its own Redis databases, a fresh database, a media root."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import redis

from benchmarks.media.worker import ROOT

#: Redis databases the media benchmark owns and flushes (broker/results, cache); away from the tests'
#: defaults (12/13) and the core benchmark's (9).
REDIS_DB = int(os.environ.get("MEDIA_BENCH_REDIS_DB", "14"))
LOCAL_REDIS = "redis://127.0.0.1:6379/0"
LOCAL_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"


@dataclass(frozen=True)
class Stack:
    """The environment every process of the benchmark runs with."""

    env: dict[str, str]
    broker_url: str
    database: str
    media_root: Path


def with_db(url: str, db: int) -> str:
    return urlsplit(url)._replace(path=f"/{db}").geturl()


def _flush(url: str) -> None:
    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    finally:
        client.close()


@contextmanager
def stack() -> Iterator[Stack]:
    """Flush our Redis databases, create and migrate a fresh database; drop it afterwards."""
    redis_base = os.environ.get("REDIS_URL", LOCAL_REDIS)
    broker = with_db(redis_base, REDIS_DB)
    try:
        _flush(broker)
    except redis.RedisError as exc:
        raise SystemExit(f"no Redis at {broker} ({exc}): set REDIS_URL") from None
    _flush(with_db(redis_base, REDIS_DB + 1))
    admin = urlsplit(os.environ.get("DATABASE_URL", LOCAL_POSTGRES))._replace(path="/postgres").geturl()
    name = f"celeriac_media_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    media_root = Path(tempfile.mkdtemp(prefix="media-bench-"))
    env = {
        **os.environ,
        "REDIS_URL": broker,
        "CELERIAC_CACHE_DB": str(REDIS_DB + 1),
        "DATABASE_URL": urlsplit(admin)._replace(path=f"/{name}").geturl(),
        "DJANGO_SETTINGS_MODULE": "celeriac_site.settings",
        "CELERIAC_MEDIA_ROOT": str(media_root),
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
    }
    try:
        subprocess.run(
            [sys.executable, "-m", "celeriac_site.manage", "migrate", "--noinput", "-v", "0"],
            env=env,
            cwd=ROOT,
            check=True,
        )
        yield Stack(env, broker, name, media_root)
    finally:
        _flush(broker)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        for path in sorted(media_root.rglob("*"), reverse=True):
            path.rmdir() if path.is_dir() else path.unlink()
        media_root.rmdir()
