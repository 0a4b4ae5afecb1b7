"""compile_topology: one kind per queue, routes with broker priorities, beat from schedules."""

from __future__ import annotations

import pytest
from celery.schedules import crontab

from celeriac.conf import reliable_settings
from celeriac.errors import TopologyError
from celeriac.topology import Topology, compile_topology
from celeriac.workloads import Declarations, Kind, declare

REDIS = "redis://localhost:6379/0"
AMQP = "amqp://guest@localhost//"


def topo(*workloads: object) -> Topology:
    return compile_topology(Declarations(*workloads))  # type: ignore[arg-type]


@pytest.fixture
def topology() -> Topology:
    return topo(
        declare("a.run", kind="cpu", queue="execution", priority=8),
        declare("a.render", kind="cpu", queue="execution", priority=3),
        declare("a.fetch", kind="io", priority=2),
        declare("a.ask", kind="ai", priority=9),
        declare("a.warm", kind="maintenance", schedule=300),
        declare("a.nightly", kind="maintenance", schedule="30 2 * * 1-5"),
    )


@pytest.mark.parametrize(("url", "expected"), [(REDIS, lambda u: 9 - u), (AMQP, lambda u: u)])
def test_routes_send_every_task_to_its_queue_with_broker_priority(
    topology: Topology, url: str, expected: object
) -> None:
    routes = reliable_settings(topology, url)["task_routes"].value
    assert set(routes) == set(topology.workloads)
    for name, wl in topology.workloads.items():
        assert routes[name] == {"queue": wl.queue, "priority": expected(wl.priority)}  # type: ignore[operator]


def test_redis_priority_is_inverted_for_known_numbers(topology: Topology) -> None:
    routes = reliable_settings(topology, "rediss://h:6380/1")["task_routes"].value
    assert routes["a.ask"]["priority"] == 0
    assert routes["a.fetch"]["priority"] == 7


def test_queue_mixing_kinds_names_both_tasks() -> None:
    with pytest.raises(TopologyError, match="mixes kinds") as err:
        topo(declare("a.one", kind="cpu", queue="shared"), declare("a.two", kind="io", queue="shared"))
    assert "a.one (cpu)" in str(err.value)
    assert "a.two (io)" in str(err.value)


def test_queue_named_default_is_refused() -> None:
    with pytest.raises(TopologyError, match="reserved"):
        topo(declare("a.b", kind="io", queue="default"))


def test_queues_sorted_most_urgent_first(topology: Topology) -> None:
    assert [q.name for q in topology.queues] == ["ai", "execution", "maintenance", "io"]
    execution = topology.queue("execution")
    assert execution.kind is Kind.CPU
    assert execution.tasks == ("a.render", "a.run")
    assert execution.top_priority == 8
    assert [q.name for q in topology.queues_of(Kind.MAINTENANCE)] == ["maintenance"]
    with pytest.raises(KeyError):
        topology.queue("nope")


def test_equal_urgency_queues_sort_by_name() -> None:
    t = topo(declare("a.z", kind="io", queue="zeta"), declare("a.a", kind="io", queue="alpha"))
    assert [q.name for q in t.queues] == ["alpha", "zeta"]


def test_beat_entries_from_seconds_and_crontab(topology: Topology) -> None:
    assert set(topology.beat) == {"a.warm", "a.nightly"}
    warm, nightly = topology.beat["a.warm"], topology.beat["a.nightly"]
    assert (warm.seconds, warm.crontab, warm.queue) == (300.0, None, "maintenance")
    assert (nightly.seconds, nightly.crontab) == (None, "30 2 * * 1-5")


def test_beat_schedule_setting(topology: Topology) -> None:
    beat = reliable_settings(topology, REDIS)["beat_schedule"].value
    warm = beat["a.warm"]
    assert warm["task"] == "a.warm"
    assert warm["schedule"] == 300.0
    assert warm["options"] == {"queue": "maintenance", "priority": 4, "expires": 300.0}
    nightly = beat["a.nightly"]["schedule"]
    assert isinstance(nightly, crontab)
    assert nightly == crontab(minute="30", hour="2", day_of_week="1-5")
    assert beat["a.nightly"]["options"]["queue"] == "maintenance"
