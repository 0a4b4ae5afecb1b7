"""plan_fleet: one worker per kind, the pool the kind needs, always explicit on the command line."""

from __future__ import annotations

import pytest

from celeriac import defaults
from celeriac.errors import TopologyError
from celeriac.fleet.spec import FamilyOverride, WorkerSpec, plan_fleet
from celeriac.topology import Topology, compile_topology
from celeriac.workloads import Declarations, Kind, declare


@pytest.fixture
def topology() -> Topology:
    return compile_topology(
        Declarations(
            declare("a.run", kind="cpu", queue="execution", priority=8),
            declare("a.render", kind="cpu", queue="render"),
            declare("a.fetch", kind="io"),
            declare("a.ask", kind="ai"),
            declare("a.clean", kind="maintenance"),
        )
    )


def by_family(fleet: tuple[WorkerSpec, ...]) -> dict[str, WorkerSpec]:
    return {spec.family: spec for spec in fleet}


def test_one_worker_per_kind_present() -> None:
    t = compile_topology(
        Declarations(declare("a.fetch", kind="io"), declare("a.fetch2", kind="io", queue="io2"))
    )
    fleet = plan_fleet(t, cores=2)
    assert [s.name for s in fleet] == ["io-1", "io-2"], "the io family runs one process per core"
    assert {s.family for s in fleet} == {"io"}
    assert all(s.queues == ("io", "io2") for s in fleet)
    assert plan_fleet(compile_topology({}), cores=2) == ()


def test_pools_concurrency_and_recycling_per_kind(topology: Topology) -> None:
    fleet = by_family(plan_fleet(topology, cores=6))
    assert list(fleet) == [k.value for k in Kind]
    expected = {
        "cpu": ("prefork", 6, defaults.MAX_TASKS_PER_CHILD),
        "io": ("gevent", defaults.CONCURRENCY["io"], None),
        "ai": ("gevent", defaults.CONCURRENCY["ai"], None),
        "maintenance": ("prefork", 1, defaults.MAX_TASKS_PER_CHILD),
    }
    for family, (pool, conc, mtpc) in expected.items():
        spec = fleet[family]
        assert (spec.pool, spec.concurrency, spec.max_tasks_per_child) == (pool, conc, mtpc), family
        assert spec.prefetch_multiplier == defaults.PREFETCH_MULTIPLIER[family]
    assert fleet["cpu"].queues == ("execution", "render")


def test_argv_names_pool_explicitly_and_never_in_config(topology: Topology) -> None:
    for spec in plan_fleet(topology, cores=4):
        argv = spec.argv("proj.celery:app")
        i = argv.index("-P")
        assert argv[i + 1] == spec.pool
        assert not any("worker_pool" in arg for arg in argv)
        assert argv[argv.index("-Q") + 1] == ",".join(spec.queues)
        assert argv[argv.index("-n") + 1] == f"{spec.name}@%h"
        assert ("--max-tasks-per-child" in argv) == (spec.pool == "prefork")


def test_argv_extra_goes_last() -> None:
    spec = WorkerSpec(family="io", kind=Kind.IO, queues=("io",), pool="gevent", concurrency=10,
                      prefetch_multiplier=4, max_tasks_per_child=None)  # fmt: skip
    argv = spec.argv("app", loglevel="DEBUG", extra=("--without-gossip",))
    assert argv[:4] == ["celery", "-A", "app", "worker"]
    assert argv[-1] == "--without-gossip"
    assert argv[argv.index("-l") + 1] == "DEBUG"
    assert "-O" not in argv


def test_override_pool_to_threads_drops_recycling(topology: Topology) -> None:
    fleet = by_family(plan_fleet(topology, cores=4, overrides={"io": FamilyOverride(pool="threads")}))
    io = fleet["io"]
    assert io.pool == "threads"
    assert io.max_tasks_per_child is None
    assert "--max-tasks-per-child" not in io.argv("app")
    assert fleet["cpu"].pool == "prefork"


def test_override_cpu_to_threads_drops_recycling(topology: Topology) -> None:
    fleet = by_family(plan_fleet(topology, cores=4, overrides={"cpu": FamilyOverride(pool="threads")}))
    assert (fleet["cpu"].pool, fleet["cpu"].max_tasks_per_child) == ("threads", None)


def test_override_concurrency_and_prefetch(topology: Topology) -> None:
    override = FamilyOverride(concurrency=7, prefetch_multiplier=2)
    ai = by_family(plan_fleet(topology, cores=4, overrides={"ai": override}))["ai"]
    assert (ai.pool, ai.concurrency, ai.prefetch_multiplier) == ("gevent", 7, 2)


def test_unknown_family_is_refused(topology: Topology) -> None:
    with pytest.raises(TopologyError, match="unknown family 'gpu'"):
        plan_fleet(topology, overrides={"gpu": FamilyOverride(pool="prefork")})


def test_unknown_pool_is_refused(topology: Topology) -> None:
    with pytest.raises(TopologyError, match="unknown pool 'asyncio'"):
        plan_fleet(topology, overrides={"io": FamilyOverride(pool="asyncio")})


def test_negative_concurrency_is_refused(topology: Topology) -> None:
    with pytest.raises(TopologyError, match="concurrency"):
        plan_fleet(topology, overrides={"io": FamilyOverride(concurrency=-1)})


def test_override_to_prefork_gains_recycling(topology: Topology) -> None:
    fleet = by_family(plan_fleet(topology, cores=2, overrides={"io": FamilyOverride(pool="prefork")}))
    assert fleet["io"].max_tasks_per_child == defaults.MAX_TASKS_PER_CHILD


@pytest.mark.parametrize("field", ["concurrency", "prefetch_multiplier"])
def test_zero_override_is_refused_not_ignored(topology: Topology, field: str) -> None:
    with pytest.raises(TopologyError, match=">= 1"):
        plan_fleet(topology, cores=2, overrides={"io": FamilyOverride(**{field: 0})})


def test_processes_override_and_validation(topology: Topology) -> None:
    fleet = plan_fleet(topology, cores=4, overrides={"io": FamilyOverride(processes=1)})
    assert [s.name for s in fleet if s.family == "io"] == ["io"]
    fleet = plan_fleet(topology, cores=4, overrides={"ai": FamilyOverride(processes=2)})
    assert [s.name for s in fleet if s.family == "ai"] == ["ai-1", "ai-2"]
    with pytest.raises(TopologyError, match="processes"):
        plan_fleet(topology, cores=4, overrides={"cpu": FamilyOverride(processes=0)})
