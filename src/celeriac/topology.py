"""Compile workload declarations into queues, routes, priorities and beat entries (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from celeriac.errors import TopologyError
from celeriac.workloads import Kind, Workload

#: The queue undeclared tasks fall into. No Celeriac worker consumes it, and doctor reports every
#: task routed there: "no task left on default by accident".
DEFAULT_QUEUE = "default"

#: Redis has no native priorities; kombu emulates them with one list per step. Ten steps keep each
#: declared urgency distinct.
PRIORITY_STEPS = tuple(range(10))


@dataclass(frozen=True)
class QueueSpec:
    """One broker queue and the single kind of work that lands on it."""

    name: str
    kind: Kind
    tasks: tuple[str, ...]
    top_priority: int


@dataclass(frozen=True)
class BeatEntry:
    """A periodic send: every ``seconds`` or on a 5-field ``crontab``."""

    task: str
    queue: str
    priority: int
    seconds: float | None = None
    crontab: str | None = None


@dataclass(frozen=True)
class Topology:
    """Everything derivable from declarations alone: what goes where, with which priority."""

    workloads: Mapping[str, Workload]
    queues: tuple[QueueSpec, ...]
    beat: Mapping[str, BeatEntry]

    def queue(self, name: str) -> QueueSpec:
        for q in self.queues:
            if q.name == name:
                return q
        raise KeyError(name)

    def queues_of(self, kind: Kind) -> tuple[QueueSpec, ...]:
        return tuple(q for q in self.queues if q.kind is kind)


def redis_priority(urgency: int) -> int:
    """Map Celeriac urgency (9 = most urgent) to kombu's Redis priority (0 = consumed first)."""
    return 9 - urgency


def amqp_priority(urgency: int) -> int:
    """AMQP priorities already grow with urgency."""
    return urgency


def broker_priority(urgency: int, broker_url: str) -> int:
    """The priority value to put on a message for this broker."""
    scheme = broker_url.split(":", 1)[0]
    return redis_priority(urgency) if scheme in {"redis", "rediss", "valkey", "sentinel"} else urgency


def compile_topology(workloads: Mapping[str, Workload]) -> Topology:
    """Group declarations by queue; a queue carries one kind, because a worker has one pool."""
    by_queue: dict[str, list[Workload]] = {}
    for wl in workloads.values():
        by_queue.setdefault(wl.queue, []).append(wl)
    queues = []
    for name, members in by_queue.items():
        kinds = {wl.kind for wl in members}
        if len(kinds) > 1:
            detail = ", ".join(f"{wl.name} ({wl.kind.value})" for wl in members)
            raise TopologyError(
                f"queue {name!r} mixes kinds: {detail}. A queue is served by one pool; give each kind its "
                "own queue"
            )
        if name == DEFAULT_QUEUE:
            raise TopologyError(f"queue {DEFAULT_QUEUE!r} is reserved for undeclared tasks; name the queue")
        queues.append(
            QueueSpec(
                name=name,
                kind=members[0].kind,
                tasks=tuple(sorted(wl.name for wl in members)),
                top_priority=max(wl.priority for wl in members),
            )
        )
    # Most urgent queues first: a worker consuming several queues lists them in this order.
    queues.sort(key=lambda q: (-q.top_priority, q.name))
    beat = {
        wl.name: BeatEntry(
            task=wl.name,
            queue=wl.queue,
            priority=wl.priority,
            seconds=float(wl.schedule) if isinstance(wl.schedule, int | float) else None,
            crontab=wl.schedule if isinstance(wl.schedule, str) else None,
        )
        for wl in workloads.values()
        if wl.schedule is not None
    }
    return Topology(workloads=dict(workloads), queues=tuple(queues), beat=beat)
