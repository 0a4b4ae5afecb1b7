"""Turn a load run's accounting into findings and the report summary (pure)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from celeriac.ops.load import stats
from celeriac.ops.load.accounting import Accounting, Outcome, exception_name
from celeriac.ops.load.plan import Plan
from celeriac.ops.report import Finding, Severity, Status

SHOW_IDS = 5  #: ids quoted in a message; the JSON report lists them all


def findings(acc: Accounting, plan: Plan, send_span_s: float, *, still_running: int = 0) -> list[Finding]:
    c = acc.counts()
    out = [_lost(acc, c, still_running), _duplicates(acc, c), _failures(acc, c)]
    lat = stats.Latencies.of(acc)
    for fid, title, spread in (
        ("L004", "queue wait (sent → started)", lat.queue_wait),
        ("L005", "run time (started → succeeded)", lat.run_time),
    ):
        if spread is None:
            out.append(Finding(fid, title, Status.SKIP, Severity.INFO, message="no task has both timestamps"))
        else:
            out.append(
                Finding(
                    fid,
                    title,
                    Status.PASS,
                    Severity.INFO,
                    message=f"p50 {spread.p50_ms:.1f} ms, p95 {spread.p95_ms:.1f} ms, "
                    f"p99 {spread.p99_ms:.1f} ms, max {spread.max_ms:.1f} ms over {spread.n} tasks",
                )
            )
    rate = stats.throughput(acc)
    sent_rate = c["sent"] / send_span_s if send_span_s > 0 else 0.0
    out.append(
        Finding(
            "L006",
            "throughput",
            Status.PASS,
            Severity.INFO,
            message=f"{rate:.1f} tasks/s finished (first send → last finish); sent at {sent_rate:.1f}/s",
        )
    )
    if plan.rate_per_s and sent_rate < 0.9 * plan.rate_per_s:
        out.append(
            Finding(
                "L007",
                "producer kept the rate",
                Status.WARN,
                Severity.WARNING,
                message=f"asked {plan.rate_per_s:.1f}/s, sent {sent_rate:.1f}/s: the producer is the limit",
                fix="lower --rate or run several producers",
            )
        )
    return out


def _lost(acc: Accounting, c: dict[str, int], still_running: int) -> Finding:
    sources = f"decided by events: {c['decided_by_events']}, by the result backend: {c['decided_by_backend']}"
    tally = (
        f"{c['sent']} sent: {c['succeeded']} succeeded, {c['failed']} failed, {c['revoked']} revoked, "
        f"{c['lost']} lost ({sources})"
    )
    if not c["lost"]:
        return Finding("L001", "every task accounted for", Status.PASS, message=tally)
    lost = acc.ids(Outcome.LOST)
    states = Counter(acc.tasks[i].backend_state or "no backend" for i in lost)
    started = sum(1 for i in lost if acc.tasks[i].started_at)
    return Finding(
        "L001",
        "every task accounted for",
        Status.FAIL,
        message=f"{tally}; {started} of the lost had started; backend states "
        + ", ".join(f"{s} {n}" for s, n in states.most_common())
        + f"; e.g. {', '.join(lost[:SHOW_IDS])}",
        fix="look these ids up in the worker logs; raise --drain-timeout if they were only slow"
        if still_running
        else "look these ids up in the worker logs",
    )


def _duplicates(acc: Accounting, c: dict[str, int]) -> Finding:
    explained = c["duplicated"] - c["unexplained_duplicates"]
    if not c["unexplained_duplicates"]:
        why = Counter(t.explained_by for t in acc.duplicated())
        detail = "; ".join(f"{n} by {w}" for w, n in why.most_common())
        return Finding(
            "L002",
            "no unexplained duplicates",
            Status.PASS,
            message=f"{c['duplicated']} delivered more than once"
            + (f", explained: {detail}" if detail else ""),
        )
    ids = [t.id for t in acc.unexplained()]
    return Finding(
        "L002",
        "no unexplained duplicates",
        Status.FAIL,
        message=f"{c['unexplained_duplicates']} tasks started more than once with no retry, crash or restart "
        f"recorded ({explained} more were explained); e.g. {', '.join(ids[:SHOW_IDS])}",
        fix="a message redelivered while its task still ran: the visibility timeout is shorter than the "
        "task's run, retry wait or ETA (celeriac doctor checks it)",
    )


def _failures(acc: Accounting, c: dict[str, int]) -> Finding:
    if not c["failed"]:
        return Finding(
            "L003", "no task failed", Status.PASS, message=f"{c['retried']} retried, then finished"
        )
    errors = Counter(exception_name(t.exception) for t in acc.tasks.values() if t.failed_at)
    return Finding(
        "L003",
        "no task failed",
        Status.FAIL,
        message=f"{c['failed']} failed: " + ", ".join(f"{e} x{n}" for e, n in errors.most_common(3)),
        fix="the workers' logs have the tracebacks; failing tasks are the application's, not the load's",
    )


def summary(acc: Accounting, plan: Plan, send_span_s: float, *, reconnects: int = 0) -> dict[str, Any]:
    """Flat figures first (the terminal prints those), then per-task spreads, ids and the series."""
    c = acc.counts()
    lat = stats.Latencies.of(acc)
    out: dict[str, Any] = dict(c)
    for label, spread in (("queue_wait", lat.queue_wait), ("run_time", lat.run_time)):
        for q in ("p50_ms", "p95_ms", "p99_ms"):
            out[f"{label}_{q}"] = getattr(spread, q) if spread else None
    out["throughput_per_s"] = round(stats.throughput(acc), 2)
    out["send_span_s"] = round(send_span_s, 3)
    out["pacing"] = (
        f"open loop {plan.rate_per_s:g}/s (Poisson)"
        if plan.rate_per_s
        else (f"closed loop, {plan.concurrency} in flight")
    )
    out["clock"] = "producer and worker wall clocks (time.time()); same host assumed"
    out["event_reconnects"] = reconnects
    out["per_task"] = {
        name: {
            "sent": sum(1 for t in acc.tasks.values() if t.name == name),
            "queue_wait": vars(s.queue_wait)
            if (s := stats.Latencies.of(acc, name=name)).queue_wait
            else None,
            "run_time": vars(s.run_time) if s.run_time else None,
        }
        for name in stats.names(acc)
    }
    out["lost_ids"] = acc.ids(Outcome.LOST)
    out["failed_ids"] = acc.ids(Outcome.FAILED)
    out["duplicates"] = [
        {"id": t.id, "starts": len(t.started_at), "hosts": t.hosts, "explained_by": t.explained_by}
        for t in acc.duplicated()
    ]
    out["series"] = stats.series(acc)
    return out
