"""Rules on acknowledgement and prefetch: when a message is acked, and how many a worker hoards."""

from __future__ import annotations

from celeriac.ops.doctor.rule import Verdict, clean, fired, names, rule
from celeriac.ops.doctor.snapshot import Snapshot
from celeriac.ops.report import Severity

#: A task whose hard limit exceeds this (or that has none) is "long": messages prefetched behind it wait.
LONG_TASK_S = 60.0
NO_TASKS = "no tasks registered"


@rule(
    "C010",
    "acks_late comes with reject_on_worker_lost",
    Severity.ERROR,
    reason=(
        "with acks_late alone, a pool child killed by SIGKILL or the OOM killer has its message acked "
        "and the task is lost without a trace (seed 001)"
    ),
    fix="set task_reject_on_worker_lost = True next to task_acks_late = True (and keep tasks idempotent)",
)
def acks_late_without_reject(snap: Snapshot) -> Verdict:
    bad = [t.name for t in snap.tasks.values() if t.acks_late and not t.reject_on_worker_lost]
    if bad:
        return fired(f"{len(bad)} task(s) ack late without reject_on_worker_lost: {names(bad)}", tasks=bad)
    return clean("every late-acking task is requeued when its worker dies" if snap.tasks else NO_TASKS)


@rule(
    "C011",
    "reject_on_worker_lost comes with acks_late",
    Severity.WARNING,
    reason="reject_on_worker_lost only acts on late acks; with early acks the message is long gone",
    fix="set task_acks_late = True as well, or drop reject_on_worker_lost",
)
def reject_without_acks_late(snap: Snapshot) -> Verdict:
    bad = [t.name for t in snap.tasks.values() if t.reject_on_worker_lost and not t.acks_late]
    if bad:
        return fired(f"reject_on_worker_lost has no effect on {names(bad)}", tasks=bad)
    return clean("no task sets reject_on_worker_lost without acks_late" if snap.tasks else NO_TASKS)


@rule(
    "C012",
    "prefetch 1 for long tasks",
    Severity.WARNING,
    reason=(
        "each worker reserves concurrency x prefetch messages; those queued behind a long task wait for "
        "it while other workers idle, and with acks_late a crashed worker's whole reserve returns only "
        "after the visibility timeout"
    ),
    fix="start workers of long or late-acking prefork tasks with --prefetch-multiplier 1 (and -O fair)",
)
def prefetch_with_long_tasks(snap: Snapshot) -> Verdict:
    problems: dict[str, str] = {}
    for group in snap.groups:
        if group.prefetch_multiplier <= 1:
            continue
        tasks = snap.tasks_on(group.queues)
        long = [t.name for t in tasks if t.time_limit_s is None or t.time_limit_s > LONG_TASK_S]
        late = [t.name for t in tasks if t.acks_late]
        if long:
            problems[group.name] = f"prefetch {group.prefetch_multiplier} with long tasks {names(long, 3)}"
        elif late and group.pool == "prefork":
            problems[group.name] = f"prefetch {group.prefetch_multiplier} on prefork with acks_late tasks"
    if problems:
        return fired("; ".join(f"{g}: {p}" for g, p in problems.items()), groups=problems)
    return clean("every worker with prefetch > 1 runs short tasks only")


@rule(
    "C013",
    "tasks ack late",
    Severity.WARNING,
    reason=(
        "an early-acked task is removed from the broker when it starts, so a crash, OOM kill or deploy "
        "mid-task loses it"
    ),
    fix="task_acks_late = True and task_reject_on_worker_lost = True, with idempotent tasks",
)
def early_acks(snap: Snapshot) -> Verdict:
    early = [t.name for t in snap.tasks.values() if not t.acks_late]
    if early:
        return fired(f"{len(early)} of {len(snap.tasks)} tasks ack early: {names(early)}", tasks=early)
    return clean("every task acks after it ran" if snap.tasks else NO_TASKS)


RULES = (acks_late_without_reject, reject_without_acks_late, prefetch_with_long_tasks, early_acks)
