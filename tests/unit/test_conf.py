"""Reliable settings: one visibility timeout everywhere, late acks, Redis priorities, reasons."""

from __future__ import annotations

import pytest

from celeriac import defaults
from celeriac.conf import Setting, check_no_pool_in_config, derive_visibility_timeout_s, reliable_settings
from celeriac.errors import ConfigurationError
from celeriac.topology import Topology, compile_topology
from celeriac.workloads import Declarations, RetryPolicy, Workload, declare

MARGIN = defaults.VISIBILITY_MARGIN_S
SLOW_RETRY = RetryPolicy(on=(OSError,), max_retries=10, backoff_base_s=2.0, backoff_cap_s=5000.0)


def topo(*workloads: Workload) -> Topology:
    return compile_topology(Declarations(*workloads))


@pytest.mark.parametrize(
    ("workload", "longest"),
    [
        # hard limit dominates
        (declare("a.b", kind="cpu", time_limit_s=2000, retry=SLOW_RETRY, max_eta_s=100), 2000),
        # retry delay dominates: 2 * 2**9 = 1024
        (declare("a.b", kind="io", time_limit_s=60, retry=SLOW_RETRY, max_eta_s=500), 1024),
        # declared ETA dominates
        (declare("a.b", kind="io", time_limit_s=60, retry=SLOW_RETRY, max_eta_s=7200), 7200),
    ],
)
def test_visibility_timeout_is_longest_of_three_plus_margin(workload: Workload, longest: float) -> None:
    assert derive_visibility_timeout_s(topo(workload)) == int(longest + MARGIN)


def test_visibility_timeout_takes_the_longest_workload() -> None:
    t = topo(declare("a.short", kind="io", time_limit_s=10), declare("a.long", kind="cpu", time_limit_s=999))
    assert derive_visibility_timeout_s(t, margin_s=1) == 1000


def test_visibility_timeout_without_workloads_uses_longest_default() -> None:
    expected = int(max(defaults.HARD_TIME_LIMIT_S.values()) + MARGIN)
    assert derive_visibility_timeout_s(topo()) == expected


@pytest.fixture
def settings() -> dict[str, Setting]:
    t = topo(declare("a.run", kind="cpu", time_limit_s=1200), declare("a.fetch", kind="io"))
    return reliable_settings(t, "redis://localhost:6379/0")


def test_same_visibility_timeout_in_all_three_places(settings: dict[str, Setting]) -> None:
    vt = int(1200 + MARGIN)
    assert settings["broker_transport_options"].value["visibility_timeout"] == vt
    assert settings["result_backend_transport_options"].value["visibility_timeout"] == vt
    assert settings["visibility_timeout"].value == vt


def test_late_acks_and_requeue_on_worker_lost(settings: dict[str, Setting]) -> None:
    assert settings["task_acks_late"].value is True
    assert settings["task_reject_on_worker_lost"].value is True


def test_redis_priorities_in_ten_steps(settings: dict[str, Setting]) -> None:
    transport = settings["broker_transport_options"].value
    assert transport["queue_order_strategy"] == "priority"
    assert transport["priority_steps"] == list(range(10))


def test_queues_include_declared_and_default(settings: dict[str, Setting]) -> None:
    names = [q.name for q in settings["task_queues"].value]
    assert names == ["cpu", "io", "default"]
    assert settings["task_default_queue"].value == "default"
    assert settings["task_create_missing_queues"].value is False


def test_pool_never_set_and_every_setting_has_a_reason(settings: dict[str, Setting]) -> None:
    assert "worker_pool" not in settings
    assert not any("pool" in key for key in settings)
    for key, setting in settings.items():
        assert setting.reason.strip(), key


@pytest.mark.parametrize("key", ["worker_pool", "WORKER_POOL", "CELERY_WORKER_POOL"])
def test_pool_in_config_is_refused(key: str) -> None:
    with pytest.raises(ConfigurationError, match=key):
        check_no_pool_in_config(["task_acks_late", key])


def test_other_keys_are_fine() -> None:
    check_no_pool_in_config(["task_acks_late", "worker_concurrency", "worker_pool_restarts", "broker_url"])
    check_no_pool_in_config([])
