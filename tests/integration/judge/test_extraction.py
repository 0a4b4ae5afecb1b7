"""Problem extraction over real HTTP (a local server serving the pages), cached an hour, within budget."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.fixtures_judge import BAEKJOON_1000, CODEFORCES_4A

pytestmark = pytest.mark.integration

PAGES = {"/problem/1000": BAEKJOON_1000, "/problemset/problem/4/A": CODEFORCES_4A}


class Site:
    def __init__(self) -> None:
        self.hits = 0
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                site.hits += 1
                page = PAGES.get(self.path.split("?")[0])
                body = (page or "<html>not here</html>").encode()
                self.send_response(200 if page else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def site(django_ready: None) -> Iterator[Site]:
    s = Site()
    yield s
    s.server.shutdown()


def test_extract_creates_problem_then_hits_cache_within_budget(site: Site) -> None:
    from celeriac.contrib.django.caching import invalidate
    from celeriac.contrib.django.queries import count_queries
    from celeriac_site.judge.models import Problem
    from celeriac_site.judge.services.extraction import extract

    invalidate("judge:extract:*")
    Problem.objects.filter(platform="baekjoon", problem_id="1000").delete()
    url = f"{site.url}/problem/1000?nonce={uuid.uuid4().hex}"
    with count_queries() as q:
        first = extract(url)
    assert first["ok"] and first["created"] and first["title"] == "A+B"
    assert q.count <= 3
    problem = Problem.objects.get(pk=first["problem"])
    assert (problem.time_limit_ms, problem.memory_limit_mb) == (2000, 128)
    assert [(t.input, t.expected_output) for t in problem.test_cases.all()] == [("1 2\n", "3\n")]
    with count_queries() as q:
        second = extract(url)
    assert second["ok"] and not second["created"] and second["problem"] == problem.pk
    assert q.count <= 2, "a cache hit costs at most two queries"
    assert site.hits == 1, "the second call was served from the cache"


def test_codeforces_and_failures_are_graceful(site: Site) -> None:
    import httpx

    from celeriac_site.judge.services.extraction import extract

    cf = extract(f"{site.url}/problemset/problem/4/A?n={uuid.uuid4().hex}")
    assert cf["ok"] and cf["platform"] == "codeforces" and cf["problem_id"] == "4A"
    missing = extract(f"{site.url}/problem/999999?n={uuid.uuid4().hex}")
    assert missing == {"ok": False, "url": missing["url"], "error": f"{missing['url']} answered 404"}
    with pytest.raises(httpx.TransportError):  # transient: the task's retry policy takes it from here
        extract(f"http://127.0.0.1:9/problem/1?n={uuid.uuid4().hex}")
