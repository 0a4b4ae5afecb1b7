"""The circuit breaker opens after N failures seen across two workers, half-opens, closes on success."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from celeriac_site.demo import workloads as wl

pytestmark = pytest.mark.integration


class Service:
    """A local HTTP service whose health the test switches; it counts the calls it receives."""

    def __init__(self) -> None:
        self.status = 503
        self.calls = 0
        svc = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                svc.calls += 1
                self.send_response(svc.status)
                self.end_headers()
                self.wfile.write(b"ok" if svc.status < 400 else b"down")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def service() -> Iterator[Service]:
    svc = Service()
    yield svc
    svc.server.shutdown()


def test_breaker_shared_across_workers(workers: Any, service: Service, redis_client: Any) -> None:
    from celeriac import CircuitOpenError
    from celeriac.breaker import BreakerMode
    from celeriac.breaker_store import RedisBreaker
    from celeriac_site.demo import tasks

    policy = wl.CALL_SERVICE.breaker
    assert policy is not None
    breaker = RedisBreaker(redis_client, policy)
    breaker.reset()
    workers(queues=["ai"], pool="gevent", concurrency=2)
    workers(queues=["ai"], pool="gevent", concurrency=2)

    seen_by = set()
    for _ in range(policy.failures):
        r = tasks.call_service.delay(service.url)
        with pytest.raises(ConnectionError):
            r.get(timeout=30)
        seen_by.add(r.worker)
    assert len(seen_by) == 2, f"failures should be seen by both workers, got {seen_by}"
    assert breaker.state().mode is BreakerMode.OPEN
    calls = service.calls

    refused = tasks.call_service.delay(service.url)
    with pytest.raises(CircuitOpenError):
        refused.get(timeout=30)
    assert service.calls == calls, "an open breaker must not call the service"

    service.status = 200
    time.sleep(policy.cooldown_s + 0.2)
    assert tasks.call_service.delay(service.url).get(timeout=30)["status"] == 200  # the half-open probe
    assert breaker.state().mode is BreakerMode.CLOSED
