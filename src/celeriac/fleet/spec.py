"""Plan the fleet from a topology: pool, concurrency, prefetch and recycling per queue family (pure)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace

from celeriac import defaults
from celeriac.errors import TopologyError
from celeriac.topology import Topology
from celeriac.workloads import Kind

#: Pools that recycle children and so honour ``--max-tasks-per-child``.
RECYCLING_POOLS = frozenset({"prefork"})
KNOWN_POOLS = frozenset({"prefork", "gevent", "eventlet", "threads", "solo"})


@dataclass(frozen=True, kw_only=True)
class FamilyOverride:
    """An operator's change to one family: pool, concurrency or prefetch."""

    pool: str | None = None
    concurrency: int | None = None
    prefetch_multiplier: int | None = None
    processes: int | None = None


@dataclass(frozen=True, kw_only=True)
class WorkerSpec:
    """One worker process: the queues it consumes and how it runs them.

    A family may run several identical processes (``instances``); each is its own WorkerSpec, told
    apart by ``instance`` in its name (``io-1``, ``io-2``).
    """

    family: str
    kind: Kind
    queues: tuple[str, ...]
    pool: str
    concurrency: int
    prefetch_multiplier: int
    max_tasks_per_child: int | None
    instance: int = 0
    instances: int = 1

    @property
    def name(self) -> str:
        return self.family if self.instances == 1 else f"{self.family}-{self.instance + 1}"

    @property
    def nodename(self) -> str:
        return f"{self.name}@%h"

    def argv(self, app: str, *, loglevel: str = "INFO", extra: tuple[str, ...] = ()) -> list[str]:
        """The ``celery worker`` command line. The pool is always explicit here, never in config."""
        cmd = [
            "celery",
            "-A",
            app,
            "worker",
            "-n",
            self.nodename,
            "-Q",
            ",".join(self.queues),
            "-P",
            self.pool,
            "-c",
            str(self.concurrency),
            "--prefetch-multiplier",
            str(self.prefetch_multiplier),
            "-E",
            "-l",
            loglevel,
        ]
        if self.max_tasks_per_child is not None:
            cmd += ["--max-tasks-per-child", str(self.max_tasks_per_child)]
        if self.pool == "prefork":
            # Hand a task to an idle child rather than queueing it behind a long one.
            cmd += ["-O", "fair"]
        return cmd + list(extra)


def plan_fleet(
    topology: Topology,
    *,
    cores: int | None = None,
    overrides: Mapping[str, FamilyOverride] | None = None,
) -> tuple[WorkerSpec, ...]:
    """One worker per kind that has queues; ``overrides`` are keyed by family (= kind) name."""
    ncores = cores or os.cpu_count() or 1
    overrides = dict(overrides or {})
    unknown = set(overrides) - {k.value for k in Kind}
    if unknown:
        raise TopologyError(f"fleet override for unknown family {sorted(unknown)[0]!r}")
    fleet: list[WorkerSpec] = []
    for kind in Kind:
        queues = topology.queues_of(kind)
        if not queues:
            continue
        conc = defaults.CONCURRENCY[kind.value]
        pool = defaults.POOL[kind.value]
        spec = WorkerSpec(
            family=kind.value,
            kind=kind,
            queues=tuple(q.name for q in queues),
            pool=pool,
            concurrency=ncores if conc is None else conc,
            prefetch_multiplier=defaults.PREFETCH_MULTIPLIER[kind.value],
            max_tasks_per_child=defaults.MAX_TASKS_PER_CHILD if pool in RECYCLING_POOLS else None,
        )
        override = overrides.get(kind.value)
        spec = _apply(spec, override)
        wanted = override.processes if override and override.processes is not None else None
        default = defaults.PROCESSES[kind.value]
        count = wanted if wanted is not None else (ncores if default is None else default)
        if count < 1:
            raise TopologyError(f"family {spec.family!r}: processes must be >= 1")
        fleet.extend(replace(spec, instance=i, instances=count) for i in range(count))
    return tuple(fleet)


def _apply(spec: WorkerSpec, override: FamilyOverride | None) -> WorkerSpec:
    if override is None:
        return spec
    pool = override.pool or spec.pool
    if pool not in KNOWN_POOLS:
        raise TopologyError(
            f"unknown pool {pool!r} for family {spec.family!r}; use one of {sorted(KNOWN_POOLS)}"
        )
    conc = spec.concurrency if override.concurrency is None else override.concurrency
    prefetch = (
        spec.prefetch_multiplier if override.prefetch_multiplier is None else override.prefetch_multiplier
    )
    if conc < 1 or prefetch < 1:
        raise TopologyError(f"family {spec.family!r}: concurrency and prefetch_multiplier must be >= 1")
    return replace(
        spec,
        pool=pool,
        concurrency=conc,
        prefetch_multiplier=prefetch,
        max_tasks_per_child=defaults.MAX_TASKS_PER_CHILD if pool in RECYCLING_POOLS else None,
    )
