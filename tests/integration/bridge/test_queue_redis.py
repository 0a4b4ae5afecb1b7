"""The queue Redis is another server than the broker, and the embedded stack can start it."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis

from celeriac.embedded import Stack

pytestmark = pytest.mark.integration


def test_bridge_queue_and_broker_are_different_servers(services: dict[str, str], bridge_redis: str) -> None:
    def server(url: str) -> int:
        return int(redis.Redis.from_url(url).info("server")["process_id"])

    assert server(bridge_redis) != server(services["REDIS_URL"])


def test_named_instance_starts_is_reused_and_stops_with_the_stack(tmp_path: Path) -> None:
    stack = Stack(tmp_path / "var")
    first = stack.redis_instance("bridge")
    again = Stack(tmp_path / "var").redis_instance("bridge")
    assert first.name == "redis:bridge" and first.embedded
    assert (again.url, again.pid) == (first.url, first.pid)
    assert redis.Redis.from_url(first.url).ping()
    assert Stack(tmp_path / "var").stop() == ["redis:bridge"]
    with pytest.raises(redis.ConnectionError):
        redis.Redis.from_url(first.url, socket_connect_timeout=1).ping()
    with pytest.raises(ValueError, match="instance name"):
        stack.redis_instance("../escape")
