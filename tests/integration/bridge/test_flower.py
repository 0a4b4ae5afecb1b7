"""Flower (the real package, its own process) under /flower/: staff only, pages and static files load."""

from __future__ import annotations

import os
import re
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from celeriac.embedded.ports import free_port

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def flower(tmp_path_factory: pytest.TempPathFactory, services: dict[str, str]) -> Iterator[tuple[str, str]]:
    """``celery -A celeriac_site flower`` as ``celeriac up`` starts it: 127.0.0.1, a prefix and a password."""
    port = free_port()
    auth = f"celeriac:{secrets.token_urlsafe(12)}"
    log = tmp_path_factory.mktemp("flower") / "flower.log"
    argv = [
        str(Path(sys.executable).with_name("celery")),
        *("-A", "celeriac_site", "flower", "--url_prefix=flower", "--address=127.0.0.1", f"--port={port}"),
    ]
    env = {**os.environ, **services, "FLOWER_BASIC_AUTH": auth}
    with open(log, "wb") as out:
        proc = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    user, password = auth.split(":", 1)
    deadline = time.monotonic() + 60
    while True:
        assert proc.poll() is None, log.read_text()
        try:
            got = httpx.get(f"{url}/flower/healthcheck", auth=(user, password), timeout=2)
            if got.status_code == 200:
                break
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, f"flower did not start: {log.read_text()[-2000:]}"
        time.sleep(0.3)
    yield url, auth
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=20)


@pytest.fixture
def staff(django_ready: None) -> Any:
    from django.contrib.auth.models import User

    return User.objects.create_user(f"staff-{secrets.token_hex(4)}", password="x", is_staff=True)


def test_flower_is_behind_the_staff_login_and_serves_pages_and_static(
    client: Any, flower: tuple[str, str], staff: Any
) -> None:
    from django.contrib.auth.models import User
    from django.test import override_settings

    url, auth = flower
    with override_settings(FLOWER_URL=url, FLOWER_BASIC_AUTH=auth):
        anonymous = client.get("/flower/")
        assert anonymous.status_code == 302 and anonymous["Location"].startswith(
            "/admin/login/?next=/flower/"
        )
        client.force_login(User.objects.create_user(f"user-{secrets.token_hex(4)}", password="x"))
        assert client.get("/flower/").status_code == 302  # logged in but not staff
        client.force_login(staff)
        page = client.get("/flower/")
        assert page.status_code == 200 and b"Flower" in page.content
        assets = re.findall(rb'(?:href|src)="(/flower/static/[^"?]+)', page.content)
        assert assets, page.content[:2000]
        for asset in assets[:4]:
            got = client.get(asset.decode())
            assert got.status_code == 200 and got["Content-Type"].split(";")[0] in {
                "text/css",
                "application/javascript",
                "text/javascript",
                "image/x-icon",
                "image/vnd.microsoft.icon",
            }, (asset, got.status_code, got.get("Content-Type"))
        api = client.get("/flower/api/workers", {"refresh": "0"})
        assert api.status_code == 200 and api["Content-Type"].startswith("application/json")
        foreign = client.post("/flower/api/worker/shutdown/nobody", HTTP_ORIGIN="https://evil.example")
        assert foreign.status_code == 403


def test_flower_itself_refuses_requests_without_its_password(flower: tuple[str, str]) -> None:
    url, _ = flower
    assert httpx.get(f"{url}/flower/", timeout=5).status_code == 401


def test_flower_down_is_a_502_with_a_hint(client: Any, staff: Any) -> None:
    from django.test import override_settings

    client.force_login(staff)
    with override_settings(FLOWER_URL=f"http://127.0.0.1:{free_port()}"):
        resp = client.get("/flower/")
    assert resp.status_code == 502 and b"celeriac up" in resp.content


def test_home_page_links_to_flower_and_the_bridge_report(client: Any, staff: Any) -> None:
    links = client.get("/").json()["links"]
    assert links["flower"] == "/flower/" and links["bridge_report"] == "/bridge/"
    assert client.get("/bridge/").status_code == 302  # staff only
    client.force_login(staff)
    page = client.get("/bridge/")
    assert (
        page.status_code == 200 and b'href="/flower/"' in page.content and b"Legacy executors" in page.content
    )
