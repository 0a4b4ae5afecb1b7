"""Take a plain snapshot of a loaded Celery app: effective config, tasks with their queues, beat, workers."""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from typing import Any

from celery import Celery
from kombu import Queue

from celeriac.app import configuration_findings, fleet_of, project_config_keys, topology_of
from celeriac.errors import CeleriacError
from celeriac.ops.doctor.snapshot import DEFAULT_POOL, Snapshot, TaskInfo, WorkerGroup
from celeriac.workloads import Workload

#: Celery's built-in tasks (chords, backend cleanup): not the project's to lint.
BUILTIN_PREFIX = "celery."
CONFIG_GROUP = "worker (from config)"


def snapshot(app: Celery) -> Snapshot:
    """Read ``app`` once; the rules never touch Celery themselves."""
    conf = _settings(app)
    declared = _declared_queues(conf.get("task_queues"))
    tasks = {
        name: _task_info(app, name, task)
        for name, task in sorted(app.tasks.items())
        if not name.startswith(BUILTIN_PREFIX)
    }
    beat = {
        str(entry): str((spec or {}).get("task", ""))
        for entry, spec in (conf.get("beat_schedule") or {}).items()
    }
    celeriac = topology_of(app) is not None
    return Snapshot(
        conf=conf,
        user_keys=frozenset(project_config_keys(app)),
        tasks=tasks,
        registered=frozenset(app.tasks),
        declared_queues=declared,
        beat=beat,
        groups=_groups(app, conf, declared, tasks),
        celeriac=celeriac,
        celeriac_findings=tuple(configuration_findings(app)),
        monitoring_expected=_monitoring(conf, celeriac),
    )


def resolve_queue(app: Celery, name: str) -> str:
    """The queue a message of ``name`` lands on: task_routes, else the task's own queue, else the default.

    Mirrors ``celery.app.routes.Router.route`` without creating missing queues on the app.
    """
    router: Any = app.amqp.router
    for entry in router.routes:
        try:
            route = router.query_router(entry, name, (), {}, {}, None)
        except Exception:  # a router needing real arguments cannot be asked statically
            continue
        if route is None:
            continue
        queue = route if isinstance(route, str) else route.get("queue")
        if isinstance(queue, Queue):
            return str(queue.name)
        if queue:
            return str(queue)
        break
    own = getattr(app.tasks.get(name), "queue", None)
    return str(own) if own else str(app.conf.task_default_queue)


def _route_priority(app: Celery, name: str) -> int | None:
    router: Any = app.amqp.router
    for entry in router.routes:
        try:
            route = router.query_router(entry, name, (), {}, {}, None)
        except Exception:
            continue
        if isinstance(route, Mapping):
            value = route.get("priority")
            return int(value) if isinstance(value, int) else None
        if route is not None:
            return None
    return None


def _task_info(app: Celery, name: str, task: Any) -> TaskInfo:
    conf = app.conf
    wl = getattr(task, "workload", None)
    priorities = [
        p for p in (_maybe_int(getattr(task, "priority", None)), _route_priority(app, name)) if p is not None
    ]
    hard = getattr(task, "time_limit", None) or conf.task_time_limit
    soft = getattr(task, "soft_time_limit", None) or conf.task_soft_time_limit
    return TaskInfo(
        name=name,
        queue=resolve_queue(app, name),
        module=str(getattr(task, "__module__", "") or ""),
        acks_late=bool(task.acks_late),
        reject_on_worker_lost=bool(task.reject_on_worker_lost),
        time_limit_s=float(hard) if hard else None,
        soft_time_limit_s=float(soft) if soft else None,
        priorities=tuple(priorities),
        autoretry_for=tuple(getattr(e, "__name__", str(e)) for e in getattr(task, "autoretry_for", ()) or ()),
        max_retries=getattr(task, "max_retries", None),
        retry_backoff=float(getattr(task, "retry_backoff", 0) or 0),
        retry_backoff_max_s=float(getattr(task, "retry_backoff_max", 600) or 600),
        default_retry_delay_s=float(getattr(task, "default_retry_delay", 180) or 0),
        declared_wait_s=wl.longest_wait_s if isinstance(wl, Workload) else None,
        kind=wl.kind.value if isinstance(wl, Workload) else None,
        celeriac=isinstance(wl, Workload),
    )


def _maybe_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _declared_queues(raw: Any) -> frozenset[str] | None:
    if not raw:
        return None
    if isinstance(raw, Mapping):
        return frozenset(str(k) for k in raw)
    return frozenset(str(q.name if isinstance(q, Queue) else q) for q in raw)


def _groups(
    app: Celery, conf: Mapping[str, Any], declared: frozenset[str] | None, tasks: Mapping[str, TaskInfo]
) -> tuple[WorkerGroup, ...]:
    if topology_of(app) is not None:
        try:
            return tuple(
                WorkerGroup(
                    name=spec.family,
                    queues=spec.queues,
                    pool=spec.pool,
                    concurrency=spec.concurrency,
                    prefetch_multiplier=spec.prefetch_multiplier,
                    max_tasks_per_child=spec.max_tasks_per_child,
                    declared=True,
                )
                for spec in fleet_of(app)
            )
        except (LookupError, CeleriacError):
            pass
    queues = sorted(declared or {t.queue for t in tasks.values()} or {str(conf.get("task_default_queue"))})
    return (
        WorkerGroup(
            name=CONFIG_GROUP,
            queues=tuple(queues),
            pool=str(conf.get("worker_pool") or DEFAULT_POOL),
            concurrency=conf.get("worker_concurrency"),
            prefetch_multiplier=int(conf.get("worker_prefetch_multiplier") or 4),
            max_tasks_per_child=conf.get("worker_max_tasks_per_child"),
        ),
    )


def _monitoring(conf: Mapping[str, Any], celeriac: bool) -> tuple[str, ...]:
    reasons = []
    if celeriac:
        reasons.append("Celeriac's load and chaos commands follow tasks by their events")
    if importlib.util.find_spec("flower") is not None:
        reasons.append("Flower is installed")
    if conf.get("task_send_sent_event"):
        reasons.append("task_send_sent_event is on, so someone reads events")
    return tuple(reasons)


def _settings(app: Celery) -> dict[str, Any]:
    """The effective lower-case settings. Keys are listed first and read one by one: a Django settings
    layer lists private attributes (``_explicit_settings``, more under ``override_settings``) that Celery's
    namespaced lookup then cannot find, and one such key must not sink the whole snapshot."""
    out: dict[str, Any] = {}
    for key in list(app.conf.keys()):
        if not isinstance(key, str) or not key.islower() or key.startswith("_"):
            continue
        try:
            out[key] = app.conf[key]
        except KeyError:
            continue
    return out
