"""Rules on time limits and recycling: every task bounded, soft before hard, on pools that enforce them."""

from __future__ import annotations

from celeriac.ops.doctor.rule import Verdict, clean, fired, names, rule
from celeriac.ops.doctor.snapshot import Snapshot
from celeriac.ops.report import Severity

#: Pools that never deliver SoftTimeLimitExceeded (only prefork's supervisor sends it).
IGNORE_SOFT = frozenset({"gevent", "eventlet", "threads", "solo"})
#: Pools that never enforce a hard limit (gevent does, with a Timeout, at the task's next yield).
IGNORE_HARD = frozenset({"eventlet", "threads", "solo"})
#: Only prefork replaces its children, so only prefork honours max-tasks/memory-per-child.
RECYCLING = frozenset({"prefork"})
NO_TASKS = "no tasks registered"


@rule(
    "C030",
    "every task has a hard time limit",
    Severity.WARNING,
    reason=(
        "a task without a hard limit can hang forever, holding a worker slot and, with late acks, its "
        "message (seed 000: every task has time limits)"
    ),
    fix="set task_time_limit (and task_soft_time_limit) globally, or time_limit per task / declare it",
)
def no_hard_limit(snap: Snapshot) -> Verdict:
    bad = [t.name for t in snap.tasks.values() if t.time_limit_s is None]
    if bad:
        return fired(
            f"{len(bad)} of {len(snap.tasks)} tasks have no hard time limit: {names(bad)}", tasks=bad
        )
    return clean("every task has a hard time limit" if snap.tasks else NO_TASKS)


@rule(
    "C031",
    "soft limit below the hard limit",
    Severity.ERROR,
    reason="a soft limit at or above the hard limit never fires: the task is killed before it can clean up",
    fix="make soft_time_limit smaller than time_limit (Celeriac uses 90 % of it)",
)
def soft_not_below_hard(snap: Snapshot) -> Verdict:
    bad = {
        t.name: (t.soft_time_limit_s, t.time_limit_s)
        for t in snap.tasks.values()
        if t.soft_time_limit_s is not None
        and t.time_limit_s is not None
        and t.soft_time_limit_s >= t.time_limit_s
    }
    if bad:
        shown = ", ".join(f"{n} (soft {s:g} s, hard {h:g} s)" for n, (s, h) in list(bad.items())[:4])
        return fired(f"soft >= hard for {len(bad)} task(s): {shown}", tasks=list(bad))
    return clean("every soft limit fires before its hard limit" if snap.tasks else NO_TASKS)


@rule(
    "C032",
    "limits and recycling on pools that honour them",
    Severity.WARNING,
    reason=(
        "only prefork delivers soft limits and recycles children; gevent enforces a hard limit only when "
        "the task yields, and eventlet, threads and solo ignore limits altogether"
    ),
    fix="run tasks that rely on soft limits or recycling on prefork workers, or bound them inside the task "
    "(timeouts on every network call)",
)
def limits_on_ignoring_pools(snap: Snapshot) -> Verdict:
    problems: dict[str, str] = {}
    for group in snap.groups:
        if group.pool in RECYCLING:
            continue
        tasks = snap.tasks_on(group.queues)
        parts = []
        soft = [t.name for t in tasks if t.soft_time_limit_s is not None]
        hard = [t.name for t in tasks if t.time_limit_s is not None]
        if soft and group.pool in IGNORE_SOFT:
            parts.append(f"soft limits of {len(soft)} task(s) ignored")
        if hard and group.pool in IGNORE_HARD:
            parts.append(f"hard limits of {len(hard)} task(s) ignored")
        per_child = group.max_tasks_per_child or snap.get("worker_max_tasks_per_child")
        if per_child:
            parts.append(f"max-tasks-per-child {per_child} ignored")
        if snap.get("worker_max_memory_per_child"):
            parts.append("max-memory-per-child ignored")
        if parts:
            problems[group.name] = f"{group.pool} ({', '.join(group.queues)}): {'; '.join(parts)}"
    if problems:
        return fired("; ".join(problems.values()), groups=problems)
    return clean("every limit and recycling option runs on a pool that enforces it")


RULES = (no_hard_limit, soft_not_below_hard, limits_on_ignoring_pools)
