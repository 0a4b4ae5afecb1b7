"""Media fixtures: a media root shared with workers and the web server, AI settings, a media worker."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration.workers import Worker, start_worker

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def media_root(
    tmp_path_factory: pytest.TempPathFactory, services: dict[str, str], django_ready: None
) -> Iterator[Path]:
    """Every process of the session stores and reads originals here (CELERIAC_MEDIA_ROOT)."""
    from urllib.parse import urlsplit

    from django.conf import settings
    from django.test import override_settings

    expected = (urlsplit(services["DATABASE_URL"]).path.lstrip("/"), services["REDIS_URL"])
    actual = (settings.DATABASES["default"]["NAME"], settings.CELERY_BROKER_URL)
    if actual != expected:
        pytest.fail(
            f"Django settings were loaded before the session's services were set up (database, broker = "
            f"{actual}; expected {expected}): an earlier test imported celeriac_site.settings (e.g. through "
            "Celery's Django fixup); this process would use the wrong database and broker."
        )

    root = tmp_path_factory.mktemp("media-root")
    # The environment too: workers that later tests of this process start (any suite) must read the
    # originals from where this process now writes them.
    saved = os.environ.get("CELERIAC_MEDIA_ROOT")
    os.environ["CELERIAC_MEDIA_ROOT"] = str(root)
    try:
        with override_settings(MEDIA_ROOT=str(root)):
            yield root
    finally:
        if saved is None:
            os.environ.pop("CELERIAC_MEDIA_ROOT", None)
        else:
            os.environ["CELERIAC_MEDIA_ROOT"] = saved


@pytest.fixture(scope="session")
def media_env(services: dict[str, str], media_root: Path) -> dict[str, str]:
    return {**services, "CELERIAC_MEDIA_ROOT": str(media_root)}


@pytest.fixture
def ai_settings(django_ready: None) -> Iterator[Callable[..., Any]]:
    """Change the AI settings row for one test; the defaults come back afterwards."""
    from celeriac_site.media.models import AISettings

    def change(**fields: Any) -> AISettings:
        row = AISettings.load()
        for key, value in fields.items():
            setattr(row, key, value)
        row.save()
        return row

    yield change
    AISettings.objects.all().delete()
    AISettings.load()


def store(kind: str, data: bytes, name: str = "sample") -> int:
    """A pending item stored straight into the database (no upload, not queued)."""
    from celeriac_site.media.examples import store_item

    return store_item(kind, name, data)


def wait_for(kind: str, ids: list[int], timeout_s: float = 120) -> dict[int, Any]:
    """Poll until every item is completed or failed; returns the items by id."""
    from celeriac_site.media.services.kinds import spec

    model = spec(kind).model
    deadline = time.monotonic() + timeout_s
    while True:
        items = {i.pk: i for i in model.objects.filter(pk__in=ids)}
        if all(i.processing_status in ("completed", "failed") for i in items.values()) and len(items) == len(
            ids
        ):
            return items
        if time.monotonic() > deadline:
            states = {pk: i.processing_status for pk, i in items.items()}
            raise AssertionError(f"not finished after {timeout_s}s: {states}")
        time.sleep(0.25)


@pytest.fixture(scope="module")
def media_worker(
    tmp_path_factory: pytest.TempPathFactory, media_env: dict[str, str], celery_app: Any
) -> Iterator[Worker]:
    """One prefork worker on the media queue (c=2, as the cpu family runs on this machine)."""
    tmp = tmp_path_factory.mktemp("media-worker")
    worker = start_worker(tmp, media_env, queues=["media"], pool="prefork", concurrency=2, timeout_s=90)
    yield worker
    worker.stop()
    celery_app.control.purge()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def web_server(media_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The site under gunicorn (one process, 8 threads): real HTTP, real multipart parsing."""
    port = _free_port()
    log = tmp_path_factory.mktemp("web") / "gunicorn.log"
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    argv = [gunicorn, "celeriac_site.wsgi:application", "-b", f"127.0.0.1:{port}", "-k", "gthread"]
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [*argv, "-w", "1", "--threads", "8", "--timeout", "60"],
            env={**os.environ, **media_env},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"gunicorn did not start: {log.read_text(errors='replace')[-2000:]}")
        time.sleep(0.2)
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
