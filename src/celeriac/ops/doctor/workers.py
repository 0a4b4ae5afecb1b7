"""Live probes of the workers: they answer, every queue has a consumer with its pool, depth, registrations."""

from __future__ import annotations

from celery import Celery

from celeriac.ops import probes
from celeriac.ops.doctor.findings import failed, one_line, passed, skipped
from celeriac.ops.doctor.rule import names
from celeriac.ops.doctor.snapshot import Snapshot
from celeriac.ops.probes import WorkerView
from celeriac.ops.report import Finding, Severity

NO_WORKERS = "no worker answered a ping within {timeout:g} s"
WORKERS_FIX = "start the workers (celeriac up, or the commands of `celeriac fleet`) and check their logs"
NO_CONSUMER = "no worker consumes queue {queue!r} ({count} task(s) route there)"
CONSUMER_FIX = "start a worker with -Q {queue} (celeriac fleet shows the command)"
WRONG_POOL = "{workers} run {pools}; the fleet declares {expected} for {queue!r}"
POOL_FIX = "restart the worker with -P {expected} and check no worker_pool setting overrides it (C001)"
BROKER_SKIP = "the broker did not answer (P001)"
#: A queue with more ready messages than this is reported as a backlog.
BACKLOG_WARN = 1000


def queues_to_check(snap: Snapshot) -> list[str]:
    """The queues that must have consumers: the fleet's, the declared ones and every routed one."""
    queues = {t.queue for t in snap.tasks.values()}
    if snap.celeriac:
        queues |= {q for g in snap.groups if g.declared for q in g.queues}
    elif snap.declared_queues:
        queues |= snap.declared_queues
    return sorted(queues or {snap.default_queue})


def probe_workers(app: Celery, snap: Snapshot, timeout_s: float, broker_ok: bool) -> list[Finding]:
    """P006-P009 from one round of ping + inspect, and one pipelined read of every queue's depth."""
    queues = queues_to_check(snap)
    if not broker_ok:
        return [
            skipped("P006", "workers answer", BROKER_SKIP),
            skipped("P007", "queues consumed", BROKER_SKIP),
            skipped("P008", "queue depth", BROKER_SKIP),
            skipped("P009", "tasks registered", BROKER_SKIP),
        ]
    try:
        view = probes.bounded(lambda: probes.inspect_workers(app, timeout_s), 4 * timeout_s + 2)
    except Exception as exc:  # the broker answered a ping moments ago; report, don't raise
        return [failed("P006", "workers answer", f"inspecting workers failed: {one_line(exc)}", WORKERS_FIX)]
    out = [_ping(view, timeout_s)]
    out += [_consumed(snap, view, q) for q in queues]
    out += _depths(app, snap, view, queues, timeout_s)
    out.append(_registered(snap, view))
    return out


def _ping(view: WorkerView, timeout_s: float) -> Finding:
    if not view.workers:
        return failed("P006", "workers answer", NO_WORKERS.format(timeout=timeout_s), WORKERS_FIX)
    pools = ", ".join(f"{w.name} ({w.pool} c={w.concurrency})" for w in view.workers)
    if view.silent:
        return failed(
            "P006", "workers answer", f"{names(view.silent)} answered ping but not inspect", WORKERS_FIX
        )
    return passed(
        "P006",
        "workers answer",
        f"{len(view.workers)} in {view.ping_s:.1f} s: {pools}",
        workers=list(view.names),
    )


def _consumed(snap: Snapshot, view: WorkerView, queue: str) -> Finding:
    group = snap.group_of(queue)
    expected = group.pool if group is not None and group.declared else None
    title = f"queue {queue} consumed" + (f" by {expected}" if expected else "")
    consumers = view.consumers(queue)
    if not consumers:
        count = len([t for t in snap.tasks.values() if t.queue == queue])
        return failed(
            "P007", title, NO_CONSUMER.format(queue=queue, count=count), CONSUMER_FIX.format(queue=queue)
        )
    wrong = [w for w in consumers if expected and w.pool != expected]
    if wrong:
        message = WRONG_POOL.format(
            workers=names(w.name for w in wrong),
            pools=names({w.pool for w in wrong}),
            expected=expected,
            queue=queue,
        )
        return failed("P007", title, message, POOL_FIX.format(expected=expected))
    shown = ", ".join(f"{w.name} ({w.pool})" for w in consumers)
    return passed("P007", title, shown)


def _depths(
    app: Celery, snap: Snapshot, view: WorkerView, queues: list[str], timeout_s: float
) -> list[Finding]:
    broker = str(app.conf.broker_url or "")
    if not probes.is_redis(broker):
        return [skipped("P008", "queue depth", "depth is read from Redis lists; the broker is not Redis")]
    client = probes.redis_client(broker, timeout_s)
    try:
        depths = probes.bounded(lambda: probes.queue_depths(client, queues, snap.transport), timeout_s)
    except Exception as exc:
        return [
            failed(
                "P008",
                "queue depth",
                f"reading queue lengths failed: {one_line(exc)}",
                severity=Severity.WARNING,
            )
        ]
    finally:
        client.close()
    out = []
    for queue in queues:
        d = depths[queue]
        by_step = ", ".join(f"p{n}: {c}" for n, c in sorted(d.ready_by_step.items()))
        message = f"ready {d.ready}" + (f" ({by_step})" if by_step else "") + f", unacked {d.unacked}"
        details = {"ready": d.ready, "unacked": d.unacked, "by_priority": dict(d.ready_by_step)}
        title = f"queue {queue} depth"
        if d.ready > BACKLOG_WARN or (d.ready and not view.consumers(queue)):
            out.append(
                failed(
                    "P008",
                    title,
                    f"{message}: backlog",
                    CONSUMER_FIX.format(queue=queue),
                    Severity.WARNING,
                    **details,
                )
            )
        else:
            out.append(passed("P008", title, message, Severity.INFO, **details))
    return out


def _registered(snap: Snapshot, view: WorkerView) -> Finding:
    title = "tasks registered on their consumers"
    missing: dict[str, list[str]] = {}
    for task in snap.tasks.values():
        for worker in view.consumers(task.queue):
            if task.name not in worker.registered:
                missing.setdefault(worker.name, []).append(task.name)
    if missing:
        shown = "; ".join(f"{w} lacks {names(t, 3)}" for w, t in sorted(missing.items()))
        return failed(
            "P009",
            title,
            f"{shown}: such messages are rejected as unregistered and lost",
            "start workers from the same code and app (-A) as the producers; check `imports`/autodiscovery",
            missing=missing,
        )
    if not view.workers:
        return skipped("P009", title, "no worker answered (P006)")
    return passed(
        "P009", title, f"every consumer knows the tasks routed to its queues ({len(snap.tasks)} tasks)"
    )
