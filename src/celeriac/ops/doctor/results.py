"""Rules on the result backend: results expire, and a database backend has beat to delete them."""

from __future__ import annotations

from datetime import timedelta

from celeriac.ops.doctor.rule import Verdict, clean, fired, not_applicable, rule
from celeriac.ops.doctor.snapshot import Snapshot
from celeriac.ops.report import Severity

NO_BACKEND = "no result backend is configured"
#: Result backends that keep results in a SQL database; only ``celery.backend_cleanup`` deletes them.
DATABASE_BACKENDS = ("db+", "django-db", "database")
DB_SCHEDULER = "django_celery_beat"


def _backend(snap: Snapshot) -> str:
    return str(snap.get("result_backend") or "")


def _expires_s(snap: Snapshot) -> float | None:
    value = snap.get("result_expires")
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value) if value else None


@rule(
    "C040",
    "results expire",
    Severity.WARNING,
    reason="results that never expire grow the backend without bound (Redis memory, database table)",
    fix="set result_expires (Celeriac: 86400 s, seed 001) or ignore_result=True on tasks nobody reads",
)
def results_never_expire(snap: Snapshot) -> Verdict:
    if not _backend(snap) or _backend(snap) == "disabled":
        return not_applicable(NO_BACKEND)
    expires = _expires_s(snap)
    if expires is None:
        return fired(f"result_expires is {snap.get('result_expires')!r} on {_backend(snap).split(':')[0]}")
    return clean(f"results expire after {expires:g} s")


@rule(
    "C041",
    "database result backend has beat",
    Severity.WARNING,
    reason=(
        "a database result backend has no TTL: expired rows are deleted only by celery.backend_cleanup, "
        "which beat runs daily at 04:00"
    ),
    fix="run exactly one beat for this app (celeriac up does), or switch results to Redis",
)
def database_backend_without_beat(snap: Snapshot) -> Verdict:
    backend = _backend(snap)
    if not backend or backend == "disabled":
        return not_applicable(NO_BACKEND)
    if not backend.startswith(DATABASE_BACKENDS):
        return not_applicable(f"the result backend ({backend.split(':')[0]}) expires results itself")
    if snap.beat or DB_SCHEDULER in str(snap.get("beat_scheduler") or ""):
        return clean("beat is configured (probe P010 checks that it runs)")
    return fired(f"results go to {backend.split(':')[0]} and nothing configures beat")


RULES = (results_never_expire, database_backend_without_beat)
