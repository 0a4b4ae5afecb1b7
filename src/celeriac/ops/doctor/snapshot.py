"""The plain snapshot doctor's rules read: effective config, tasks, routes, beat, the planned workers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: Celery's own pool when neither config nor -P names one.
DEFAULT_POOL = "prefork"


@dataclass(frozen=True, kw_only=True)
class TaskInfo:
    """One registered task as a worker would run it: its queue, acks, limits and retry policy."""

    name: str
    queue: str
    module: str = ""
    acks_late: bool = False
    reject_on_worker_lost: bool = False
    time_limit_s: float | None = None
    soft_time_limit_s: float | None = None
    priorities: tuple[int, ...] = ()
    autoretry_for: tuple[str, ...] = ()
    max_retries: int | None = 3
    retry_backoff: float = 0.0
    retry_backoff_max_s: float = 600.0
    default_retry_delay_s: float = 180.0
    #: The longest a message of this task can sit unacked in a worker, when Celeriac knows it.
    declared_wait_s: float | None = None
    kind: str | None = None
    celeriac: bool = False

    @property
    def longest_wait_s(self) -> float | None:
        """Run, retry wait or ETA, whichever is longest; ``None`` when the task has no hard limit."""
        if self.declared_wait_s is not None:
            return self.declared_wait_s
        if self.time_limit_s is None:
            return None
        retry = 0.0
        if self.max_retries != 0:
            retry = self.default_retry_delay_s
            if self.autoretry_for and self.retry_backoff:
                retry = max(retry, self.retry_backoff_max_s)
        return max(self.time_limit_s, retry)


@dataclass(frozen=True, kw_only=True)
class WorkerGroup:
    """Workers that share queues and options: a Celeriac fleet family, or a worker started from config."""

    name: str
    queues: tuple[str, ...]
    pool: str
    concurrency: int | None
    prefetch_multiplier: int
    max_tasks_per_child: int | None
    #: True when the group is Celeriac's declared fleet, False when it is what the config alone gives.
    declared: bool = False


@dataclass(frozen=True, kw_only=True)
class Snapshot:
    """Everything static the rules need, as plain data (unit tests build one by hand)."""

    conf: Mapping[str, Any]
    user_keys: frozenset[str] = frozenset()
    tasks: Mapping[str, TaskInfo] = field(default_factory=dict)
    #: every registered task name, Celery's built-ins included
    registered: frozenset[str] = frozenset()
    #: queue names from ``task_queues``; ``None`` when the project declares none (created on demand)
    declared_queues: frozenset[str] | None = None
    beat: Mapping[str, str] = field(default_factory=dict)
    groups: tuple[WorkerGroup, ...] = ()
    celeriac: bool = False
    celeriac_findings: tuple[str, ...] = ()
    monitoring_expected: tuple[str, ...] = ()

    def get(self, key: str, default: Any = None) -> Any:
        return self.conf.get(key, default)

    @property
    def broker_scheme(self) -> str:
        return str(self.get("broker_url") or "").split(":", 1)[0]

    @property
    def broker_is_redis(self) -> bool:
        return self.broker_scheme in {"redis", "rediss", "valkey", "valkeys", "sentinel"}

    @property
    def transport(self) -> Mapping[str, Any]:
        return self.get("broker_transport_options") or {}

    @property
    def default_queue(self) -> str:
        return str(self.get("task_default_queue") or "celery")

    def tasks_on(self, queues: tuple[str, ...]) -> list[TaskInfo]:
        return [t for t in self.tasks.values() if t.queue in queues]

    def group_of(self, queue: str) -> WorkerGroup | None:
        for group in self.groups:
            if queue in group.queues:
                return group
        return None
