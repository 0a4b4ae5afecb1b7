"""``celeriac up`` for the reference deployment: the bridge's extra processes and its own queue Redis."""

from __future__ import annotations

from pathlib import Path

import pytest

from celeriac.cli.updown import reference_extra
from celeriac.embedded import Service
from celeriac.supervise.deployment import Plan, _redis_instances


class FakeStack:
    def __init__(self) -> None:
        self.asked: list[str] = []

    def redis_instance(self, name: str) -> Service:
        self.asked.append(name)
        return Service(f"redis:{name}", "redis://127.0.0.1:7000/0", embedded=True, pid=1)


def plan(**env: str) -> Plan:
    return Plan(app="a", fleet=(), redis_instances=(("bridge", "BRIDGE_REDIS_URL"),), env=dict(env))


def test_an_embedded_broker_gets_the_queue_its_own_valkey(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BRIDGE_REDIS_URL", raising=False)
    stack = FakeStack()
    got = _redis_instances(plan(), stack, broker_embedded=True)  # type: ignore[arg-type]
    assert stack.asked == ["bridge"] and got["BRIDGE_REDIS_URL"].url == "redis://127.0.0.1:7000/0"


def test_a_given_url_or_a_real_broker_starts_no_instance(monkeypatch: pytest.MonkeyPatch) -> None:
    stack = FakeStack()
    monkeypatch.delenv("BRIDGE_REDIS_URL", raising=False)
    assert _redis_instances(plan(), stack, broker_embedded=False) == {}  # type: ignore[arg-type]
    assert _redis_instances(plan(BRIDGE_REDIS_URL="redis://x/2"), stack, broker_embedded=True) == {}  # type: ignore[arg-type]
    monkeypatch.setenv("BRIDGE_REDIS_URL", "redis://y/2")
    assert _redis_instances(plan(), stack, broker_embedded=True) == {}  # type: ignore[arg-type]
    assert stack.asked == []


def test_reference_extra_runs_two_executors_and_a_password_protected_local_flower(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("FLOWER_BASIC_AUTH", raising=False)
    env, extra = reference_extra("celeriac_site")
    roles = [role for role, _ in extra]
    assert roles == ["executor-1", "executor-2", "flower"]
    assert extra[0][1][1:] == ("-m", "celeriac_site.bridge.executor", "--name", "executor-1")
    flower = extra[2][1]
    assert (
        Path(flower[0]).name == "celery"
        and "--url_prefix=flower" in flower
        and "--address=127.0.0.1" in flower
    )
    port = next(a.split("=")[1] for a in flower if a.startswith("--port="))
    assert env["FLOWER_URL"] == f"http://127.0.0.1:{port}"
    user, password = env["FLOWER_BASIC_AUTH"].split(":")
    assert user == "celeriac" and len(password) >= 20
    assert reference_extra("celeriac_site")[0]["FLOWER_BASIC_AUTH"] != env["FLOWER_BASIC_AUTH"]
