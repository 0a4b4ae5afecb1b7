"""Rules on the worker pool: it belongs on each worker's command line, never in the configuration."""

from __future__ import annotations

from celeriac.ops.doctor.rule import Verdict, clean, fired, rule
from celeriac.ops.doctor.snapshot import Snapshot
from celeriac.ops.report import Severity

GREEN_POOLS = frozenset({"gevent", "eventlet"})


@rule(
    "C001",
    "worker_pool not set in config",
    Severity.ERROR,
    reason=(
        "Celery uses a configured pool whenever -P is omitted or is 'prefork' "
        "(celery/bin/worker.py WorkersPool.convert), so code, not each worker's command line, picks the "
        "pool: seed 004 ran 19 I/O tasks on prefork with 8 slots"
    ),
    fix="delete worker_pool / CELERY_WORKER_POOL from the settings; pass -P per worker (as Celeriac's fleet)",
)
def pool_in_config(snap: Snapshot) -> Verdict:
    if snap.celeriac_findings:
        first = snap.celeriac_findings[0].split(". ")[0]
        return fired(f"{first}; Celeriac reset it to Celery's default when the config loaded")
    if "worker_pool" in snap.user_keys and not snap.celeriac:
        return fired(f"worker_pool = {snap.get('worker_pool')!r} is set in the project's configuration")
    if "worker_pool" in snap.user_keys and snap.get("worker_pool") != "prefork":
        return fired(f"worker_pool = {snap.get('worker_pool')!r} was set after celeriac.configure() ran")
    return clean("the pool is left to each worker's -P")


@rule(
    "C002",
    "gevent/eventlet not chosen in config",
    Severity.ERROR,
    reason=(
        "gevent and eventlet patch the standard library only when chosen on the command line (Celery reads "
        "-P before importing anything); chosen in config, greenlets run on blocking sockets and one slow "
        "call stalls the whole worker"
    ),
    fix="remove worker_pool from the settings and start I/O workers with -P gevent -c 100",
)
def green_pool_in_config(snap: Snapshot) -> Verdict:
    pool = str(snap.get("worker_pool") or "")
    if "worker_pool" in snap.user_keys and pool in GREEN_POOLS and not snap.celeriac_findings:
        return fired(f"worker_pool = {pool!r} is set in the configuration")
    return clean("no green pool is chosen in the configuration")


RULES = (pool_in_config, green_pool_in_config)
