"""Reliable Celery defaults, each with its reason, derived from the declared workloads."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kombu import Exchange, Queue

from celeriac import defaults
from celeriac.errors import ConfigurationError
from celeriac.topology import DEFAULT_QUEUE, PRIORITY_STEPS, Topology, broker_priority, redis_priority


@dataclass(frozen=True)
class Setting:
    """One Celery setting Celeriac chooses, and why."""

    value: Any
    reason: str


def derive_visibility_timeout_s(topology: Topology, margin_s: float = defaults.VISIBILITY_MARGIN_S) -> int:
    """Longest of (hard limit, retry delay, declared ETA) over all workloads, plus a margin.

    A Redis message not acked within the visibility timeout is handed to another worker. A task still
    running (hard limit), or waiting in a worker for its ETA or retry countdown, must never reach it,
    or it runs twice.
    """
    longest = max(
        (wl.longest_wait_s for wl in topology.workloads.values()),
        default=float(max(defaults.HARD_TIME_LIMIT_S.values())),
    )
    return int(longest + margin_s)


def reliable_settings(topology: Topology, broker_url: str) -> dict[str, Setting]:
    """The settings Celeriac applies, keyed by Celery's lower-case setting name."""
    vt = derive_visibility_timeout_s(topology)
    transport = {
        "visibility_timeout": vt,
        # Redis has no native priorities: kombu keeps one list per step and drains in order.
        "queue_order_strategy": "priority",
        "priority_steps": list(PRIORITY_STEPS),
        # Sweep for messages of dead workers every 10 s instead of kombu's ~100 s.
        "unacked_restore_interval": defaults.UNACKED_RESTORE_INTERVAL_S,
        "unacked_restore_throttle": 1,
        # The sweep holds a Redis mutex; a worker killed while holding it blocks every sweep until it
        # expires (kombu: 300 s). Thirty seconds is ample for a sweep and short for a recovery.
        "unacked_mutex_expire": defaults.UNACKED_MUTEX_EXPIRE_S,
    }
    queues = [
        Queue(q.name, Exchange(q.name), routing_key=q.name, queue_arguments={"x-max-priority": 9})
        for q in topology.queues
    ] + [Queue(DEFAULT_QUEUE, Exchange(DEFAULT_QUEUE), routing_key=DEFAULT_QUEUE)]
    s = {
        "task_acks_late": Setting(True, "ack after the task ran, so a crash mid-task redelivers it"),
        "task_reject_on_worker_lost": Setting(
            True, "a pool child killed by SIGKILL/OOM requeues its task instead of acking it (seed 001)"
        ),
        "worker_prefetch_multiplier": Setting(
            1, "fallback for workers started by hand; Celeriac's fleet sets it per family on the command line"
        ),
        "task_time_limit": Setting(
            int(defaults.HARD_TIME_LIMIT_S["cpu"]), "undeclared tasks still get a hard limit (seed 000)"
        ),
        "task_soft_time_limit": Setting(
            int(defaults.HARD_TIME_LIMIT_S["cpu"] * defaults.SOFT_TIME_LIMIT_FRACTION),
            "undeclared tasks still get a chance to clean up before the hard limit",
        ),
        "broker_transport_options": Setting(
            transport, "visibility timeout covers the longest task, retry and ETA; Redis priorities"
        ),
        "result_backend_transport_options": Setting(
            {"visibility_timeout": vt}, "same visibility timeout in all three places (Celery's Redis caveats)"
        ),
        "visibility_timeout": Setting(vt, "same visibility timeout in all three places"),
        "result_expires": Setting(
            defaults.RESULT_EXPIRES_S, "results are kept a day, then cleaned (seed 001)"
        ),
        "result_compression": Setting(
            "gzip", "large results (per-test verdicts) shrink 60-70 % (seed 001); only with a result backend"
        ),
        "result_extended": Setting(True, "results carry task name, args and queue for debugging (seed 001)"),
        "task_track_started": Setting(
            True, "STARTED is visible, so a stuck task can be told from a queued one"
        ),
        "worker_send_task_events": Setting(True, "Flower and `celeriac load` follow tasks by their events"),
        "task_send_sent_event": Setting(True, "queue wait is measurable from the task-sent event"),
        "broker_connection_retry": Setting(True, "a broker blip reconnects instead of killing the worker"),
        "broker_connection_retry_on_startup": Setting(
            True, "explicit: Celery 6 stops inheriting it from broker_connection_retry"
        ),
        "broker_connection_max_retries": Setting(
            defaults.BROKER_CONNECTION_MAX_RETRIES, "a broker gone for good ends the worker, visibly"
        ),
        "broker_connection_timeout": Setting(defaults.BROKER_CONNECTION_TIMEOUT_S, "fail fast per attempt"),
        "worker_cancel_long_running_tasks_on_connection_loss": Setting(
            False,
            "explicit (Celery 6 changes the default). Cancelled tasks are marked REVOKED and never run "
            "again: a broker restart would lose them. Left running, they finish and ack; on Redis a "
            "message is restored only after the visibility timeout, and idempotency covers that overlap "
            "(celeriac chaos: restart-broker loses 0 this way, 2-3 of 6 when cancelling)",
        ),
        "task_queues": Setting(
            queues, "one queue per declared queue name, plus 'default' for the undeclared"
        ),
        "task_default_queue": Setting(DEFAULT_QUEUE, "undeclared tasks land here, where doctor reports them"),
        "task_create_missing_queues": Setting(
            False, "a route to an undeclared queue is an error, not a new queue"
        ),
        "task_routes": Setting(
            {
                name: {"queue": wl.queue, "priority": broker_priority(wl.priority, broker_url)}
                for name, wl in topology.workloads.items()
            },
            "every declared task to its queue, with its priority even when sent by name",
        ),
        "task_default_priority": Setting(
            broker_priority(defaults.PRIORITY, broker_url), "undeclared tasks get the middle priority"
        ),
        "task_serializer": Setting("json", "portable and safe: never pickle untrusted payloads"),
        "result_serializer": Setting("json", "portable and safe"),
        "accept_content": Setting(["json"], "refuse pickled messages"),
        "beat_schedule": Setting(
            _beat_schedule(topology, broker_url), "warmers and batches from declarations"
        ),
    }
    return s


def _beat_schedule(topology: Topology, broker_url: str) -> dict[str, dict[str, Any]]:
    from celery.schedules import crontab

    out: dict[str, dict[str, Any]] = {}
    for name, entry in topology.beat.items():
        if entry.crontab is not None:
            minute, hour, dom, month, dow = entry.crontab.split()
            schedule: Any = crontab(
                minute=minute, hour=hour, day_of_month=dom, month_of_year=month, day_of_week=dow
            )
            expires = 3600.0
        else:
            assert entry.seconds is not None
            schedule = entry.seconds
            # A periodic send that waited longer than its own period is stale: the next one is coming.
            expires = entry.seconds
        out[name] = {
            "task": entry.task,
            "schedule": schedule,
            "options": {
                "queue": entry.queue,
                "priority": broker_priority(entry.priority, broker_url),
                "expires": expires,
            },
        }
    return out


def settings_values(settings: Mapping[str, Setting]) -> dict[str, Any]:
    return {k: v.value for k, v in settings.items()}


FORBIDDEN_IN_CONFIG = ("worker_pool",)


def check_no_pool_in_config(user_keys: Iterable[str]) -> None:
    """Refuse ``worker_pool`` in config: it silently beats ``-P prefork`` on the command line (seed 004)."""
    for key in user_keys:
        if key.lower() in FORBIDDEN_IN_CONFIG or key.upper() == "CELERY_WORKER_POOL":
            raise ConfigurationError(
                f"{key} is set in the Celery configuration. It overrides the pool an operator passes with -P "
                "(seed 004: every worker forced onto prefork). "
                "Remove it; Celeriac's fleet passes -P per family."
            )


__all__ = [
    "Setting",
    "check_no_pool_in_config",
    "derive_visibility_timeout_s",
    "redis_priority",
    "reliable_settings",
    "settings_values",
]
