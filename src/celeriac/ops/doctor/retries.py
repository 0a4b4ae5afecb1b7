"""Rules on Celery's autoretry: capped, backed off, and only on errors worth retrying."""

from __future__ import annotations

from celeriac.ops.doctor.rule import Verdict, clean, fired, names, rule
from celeriac.ops.doctor.snapshot import Snapshot
from celeriac.ops.report import Severity

CATCH_ALL = frozenset({"Exception", "BaseException"})
NO_AUTORETRY = "no task uses autoretry_for"


@rule(
    "C080",
    "autoretry is capped and backs off",
    Severity.WARNING,
    reason=(
        "max_retries=None retries forever, and retries without backoff hit a failing service again "
        "immediately, all tasks together"
    ),
    fix="max_retries=N with retry_backoff=True, retry_backoff_max and retry_jitter=True "
    "(or declare a celeriac RetryPolicy)",
)
def autoretry_unbounded(snap: Snapshot) -> Verdict:
    users = [t for t in snap.tasks.values() if t.autoretry_for]
    if not users:
        return clean(NO_AUTORETRY)
    uncapped = [t.name for t in users if t.max_retries is None]
    flat = [t.name for t in users if not t.retry_backoff]
    if uncapped or flat:
        parts = []
        if uncapped:
            parts.append(f"no cap: {names(uncapped)}")
        if flat:
            parts.append(f"no backoff: {names(flat)}")
        return fired("; ".join(parts), uncapped=uncapped, no_backoff=flat)
    return clean(f"{len(users)} autoretrying task(s), all capped with backoff")


@rule(
    "C081",
    "autoretry only on transient errors",
    Severity.WARNING,
    reason="autoretry_for=(Exception,) retries programming errors too, delaying the failure it cannot fix",
    fix="list the transient errors (ConnectionError, TimeoutError, your client's transport errors)",
)
def autoretry_on_everything(snap: Snapshot) -> Verdict:
    users = [t for t in snap.tasks.values() if t.autoretry_for]
    if not users:
        return clean(NO_AUTORETRY)
    bad = [t.name for t in users if CATCH_ALL & set(t.autoretry_for)]
    if bad:
        return fired(f"autoretry on Exception: {names(bad)}", tasks=bad)
    return clean("every autoretry names specific errors")


RULES = (autoretry_unbounded, autoretry_on_everything)
