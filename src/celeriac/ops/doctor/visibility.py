"""Rules on the Redis visibility timeout: longer than any wait, and the same in all three places."""

from __future__ import annotations

from celeriac.ops.doctor.rule import Verdict, clean, fired, names, not_applicable, rule
from celeriac.ops.doctor.snapshot import Snapshot
from celeriac.ops.report import Severity

#: kombu's Redis transport default (``Channel.visibility_timeout``).
KOMBU_DEFAULT_VT_S = 3600
NOT_REDIS = "the broker ({scheme}) has no visibility timeout"
PLACES = ("broker_transport_options", "result_backend_transport_options", "visibility_timeout")


def _vt(snap: Snapshot) -> float:
    return float(snap.transport.get("visibility_timeout", KOMBU_DEFAULT_VT_S))


@rule(
    "C020",
    "visibility timeout outlasts every task",
    Severity.ERROR,
    reason=(
        "Redis hands a message that stays unacked longer than the visibility timeout to another worker: "
        "a task still running, or waiting for its ETA or retry countdown, then runs twice"
    ),
    fix=(
        "set broker_transport_options['visibility_timeout'] above the longest hard limit, retry delay and "
        "ETA (Celeriac derives it: longest + 300 s), and the same value in the other two places"
    ),
)
def visibility_too_short(snap: Snapshot) -> Verdict:
    if not snap.broker_is_redis:
        return not_applicable(NOT_REDIS.format(scheme=snap.broker_scheme or "unset"))
    vt = _vt(snap)
    waits = {t.name: t.longest_wait_s for t in snap.tasks.values()}
    known = {n: w for n, w in waits.items() if w is not None}
    unbounded = sorted(n for n, w in waits.items() if w is None)
    too_long = {n: w for n, w in known.items() if w >= vt}
    if too_long:
        worst = max(too_long, key=lambda n: too_long[n])
        return fired(
            f"visibility timeout {vt:g} s <= the longest wait of {names(too_long)} "
            f"(longest: {worst}, {too_long[worst]:g} s)",
            visibility_timeout_s=vt,
            tasks=too_long,
        )
    tail = f"; {len(unbounded)} task(s) have no hard limit (C030)" if unbounded else ""
    if not known:
        return clean(f"visibility timeout {vt:g} s; no task has a known longest wait{tail}")
    worst = max(known, key=lambda n: known[n])
    return clean(f"visibility timeout {vt:g} s > longest wait {known[worst]:g} s ({worst}){tail}")


@rule(
    "C021",
    "one visibility timeout in all three places",
    Severity.WARNING,
    reason=(
        "Celery's Redis caveats: the broker, the result backend's transport options and visibility_timeout "
        "must agree, or one side redelivers or expires what the other still holds"
    ),
    fix="set the same visibility_timeout in broker_transport_options, result_backend_transport_options "
    "and visibility_timeout",
)
def visibility_differs(snap: Snapshot) -> Verdict:
    if not snap.broker_is_redis:
        return not_applicable(NOT_REDIS.format(scheme=snap.broker_scheme or "unset"))
    values = {
        PLACES[0]: snap.transport.get("visibility_timeout"),
        PLACES[1]: (snap.get("result_backend_transport_options") or {}).get("visibility_timeout"),
        PLACES[2]: snap.get("visibility_timeout"),
    }
    if not str(snap.get("result_backend") or "").startswith(("redis", "rediss", "valkey")):
        del values[PLACES[1]]  # only a Redis result backend reads it
    present = {k: v for k, v in values.items() if v is not None}
    if not present:
        return clean(f"not set anywhere: kombu's default {KOMBU_DEFAULT_VT_S} s applies everywhere")
    missing = [k for k, v in values.items() if v is None]
    if len({float(v) for v in present.values()}) > 1 or missing:
        shown = ", ".join(f"{k}={v}" for k, v in values.items())
        return fired(f"{shown}" + (f" (missing in {names(missing)})" if missing else ""), places=values)
    return clean(f"{next(iter(present.values()))} s in {names(present)}")


RULES = (visibility_too_short, visibility_differs)
