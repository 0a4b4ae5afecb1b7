"""Rules on Redis priorities: the priority strategy is on, and every priority used is a step."""

from __future__ import annotations

from celeriac.ops.doctor.rule import Verdict, clean, fired, names, not_applicable, rule
from celeriac.ops.doctor.snapshot import Snapshot
from celeriac.ops.report import Severity

#: kombu's Redis default (``PRIORITY_STEPS``).
KOMBU_DEFAULT_STEPS = (0, 3, 6, 9)
NOT_REDIS = "priorities on {scheme} are the broker's business (AMQP: x-max-priority on the queue)"
NONE_USED = "no task, route or default sets a priority"


def _used(snap: Snapshot) -> dict[int, list[str]]:
    used: dict[int, list[str]] = {}
    for task in snap.tasks.values():
        for p in task.priorities:
            used.setdefault(p, []).append(task.name)
    default = snap.get("task_default_priority")
    if isinstance(default, int):
        used.setdefault(default, []).append("task_default_priority")
    return used


@rule(
    "C050",
    "Redis priorities have the priority strategy",
    Severity.WARNING,
    reason="without queue_order_strategy='priority' kombu keeps one list per queue and ignores priorities",
    fix="broker_transport_options = {'queue_order_strategy': 'priority', 'priority_steps': list(range(10))}",
)
def priorities_without_strategy(snap: Snapshot) -> Verdict:
    if not snap.broker_is_redis:
        return not_applicable(NOT_REDIS.format(scheme=snap.broker_scheme or "unset"))
    used = {p: who for p, who in _used(snap).items() if p != 0 or who != ["task_default_priority"]}
    if not used:
        return clean(NONE_USED)
    strategy = snap.transport.get("queue_order_strategy", "round_robin")
    if strategy != "priority":
        return fired(f"priorities {sorted(used)} are set but queue_order_strategy is {strategy!r}")
    return clean(f"priorities {sorted(used)} with queue_order_strategy 'priority'")


@rule(
    "C051",
    "priorities are priority steps",
    Severity.WARNING,
    reason="kombu rounds a priority down to the nearest step, so priorities between steps share a list",
    fix="use only values in priority_steps, or set priority_steps = list(range(10))",
)
def priorities_outside_steps(snap: Snapshot) -> Verdict:
    if not snap.broker_is_redis:
        return not_applicable(NOT_REDIS.format(scheme=snap.broker_scheme or "unset"))
    used = _used(snap)
    if not used:
        return clean(NONE_USED)
    steps = tuple(snap.transport.get("priority_steps", KOMBU_DEFAULT_STEPS))
    outside = {p: who for p, who in used.items() if p not in steps}
    if outside:
        shown = "; ".join(f"{p} ({names(who, 3)})" for p, who in sorted(outside.items()))
        return fired(f"priorities outside the steps {list(steps)}: {shown}", steps=list(steps))
    return clean(f"priorities {sorted(used)} are all steps of {list(steps)}")


RULES = (priorities_without_strategy, priorities_outside_steps)
