"""Rules on routing: routes lead to declared queues, and the default queue is not where everything goes."""

from __future__ import annotations

from celeriac.ops.doctor.rule import Verdict, clean, fired, names, not_applicable, rule
from celeriac.ops.doctor.snapshot import Snapshot
from celeriac.ops.report import Severity

#: More than this share of the tasks on the default queue means nobody decided where work goes.
DEFAULT_SHARE = 0.5


@rule(
    "C060",
    "routes lead to declared queues",
    Severity.ERROR,
    reason=(
        "a message routed to a queue missing from task_queues is refused at send time "
        "(task_create_missing_queues off) or lands in a queue no worker started with -Q for task_queues reads"
    ),
    fix="add the queue to task_queues, or route the task to a declared queue",
)
def routes_to_undeclared(snap: Snapshot) -> Verdict:
    if snap.declared_queues is None:
        return not_applicable("task_queues is not set: Celery creates routed queues on demand (probe P007)")
    bad: dict[str, list[str]] = {}
    for task in snap.tasks.values():
        if task.queue not in snap.declared_queues:
            bad.setdefault(task.queue, []).append(task.name)
    if bad:
        shown = "; ".join(f"{q} <- {names(t, 3)}" for q, t in sorted(bad.items()))
        return fired(f"routes to undeclared queues: {shown}", queues={q: sorted(t) for q, t in bad.items()})
    return clean(f"every task routes to one of {len(snap.declared_queues)} declared queues")


@rule(
    "C061",
    "work is not all on the default queue",
    Severity.WARNING,
    reason=(
        "one queue mixing CPU and I/O tasks is served by one pool, so one of them always runs on the wrong "
        "one, and nothing can be scaled apart (seed 004: 21 of 25 tasks on 'default')"
    ),
    fix="declare each task's kind and queue (celeriac.declare) so queues carry one kind of work each",
)
def everything_on_default(snap: Snapshot) -> Verdict:
    if not snap.tasks:
        return clean("no tasks registered")
    default = snap.default_queue
    on_default = sorted(t.name for t in snap.tasks.values() if t.queue == default)
    share = len(on_default) / len(snap.tasks)
    if snap.celeriac and on_default:
        return fired(
            f"{len(on_default)} undeclared task(s) land on {default!r}, which no Celeriac worker consumes: "
            f"{names(on_default)}",
            tasks=on_default,
        )
    if share > DEFAULT_SHARE:
        return fired(
            f"{len(on_default)} of {len(snap.tasks)} tasks ({share:.0%}) on {default!r}: {names(on_default)}",
            tasks=on_default,
        )
    return clean(f"{len(on_default)} of {len(snap.tasks)} tasks on {default!r}")


RULES = (routes_to_undeclared, everything_on_default)
