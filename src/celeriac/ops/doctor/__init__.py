"""``doctor``: lint a Celery app's effective configuration, then probe its live services and workers."""

from __future__ import annotations

from collections.abc import Callable

import celery

from celeriac.ops import appload, probes
from celeriac.ops.doctor import (
    acks,
    beat,
    connection,
    health,
    limits,
    pool,
    priority,
    results,
    retries,
    routing,
    visibility,
)
from celeriac.ops.doctor.collect import snapshot
from celeriac.ops.doctor.rule import Rule
from celeriac.ops.doctor.services import probe_services
from celeriac.ops.doctor.snapshot import Snapshot
from celeriac.ops.doctor.system_checks import django_findings
from celeriac.ops.doctor.workers import probe_workers
from celeriac.ops.report import Report

#: Every static rule, in report order: pool, acks/prefetch, visibility, limits, results, priorities,
#: routing, beat, retries, connection/events.
RULES: tuple[Rule, ...] = (
    pool.RULES
    + acks.RULES
    + visibility.RULES
    + limits.RULES
    + results.RULES
    + priority.RULES
    + routing.RULES
    + beat.RULES
    + retries.RULES
    + connection.RULES
)

#: ``progress(label, done, total)``: called before each step so a CLI can draw a bar.
Progress = Callable[[str, int, int], None]
#: Live steps after the static rules: services, workers, beat, the application's health figures.
LIVE_STEPS = 4


def _quiet(label: str, done: int, total: int) -> None:
    """The default progress callback: engines stay silent unless a CLI asks."""


def run_doctor(
    spec: str, *, live: bool = True, timeout_s: float = 5.0, progress: Progress = _quiet
) -> Report:
    """Lint ``spec`` (``module:app``); when ``live``, probe its services, workers, beat and health figures."""
    report = Report("doctor", spec)
    total = 2 + (LIVE_STEPS if live else 0)
    progress("loading the app", 0, total)
    app = appload.load_for_report(spec, report)
    if app is None:
        return report
    django = appload.django_configured()
    snap = snapshot(app)
    progress("static rules", 1, total)
    report.extend(r.run(snap) for r in RULES)
    if django:
        report.extend(django_findings())
    if live:
        progress("services", 2, total)
        found, broker_ok = probe_services(app, timeout_s, django)
        report.extend(found)
        progress("workers", 3, total)
        report.extend(probe_workers(app, snap, timeout_s, broker_ok))
        progress("beat", 4, total)
        report.extend(beat.probe_beat(app, spec, snap, timeout_s, django))
        progress("health figures", 5, total)
        report.extend(health.probe_health(app, timeout_s))
    progress("done", total, total)
    report.summary = _summary(app, snap, live)
    return report


def _summary(app: celery.Celery, snap: Snapshot, live: bool) -> dict[str, object]:
    return {
        "app": app.main or "",
        "celery": celery.__version__,
        "broker": probes.safe_url(app.conf.broker_url),
        "celeriac": "yes" if snap.celeriac else "no",
        "tasks": len(snap.tasks),
        "queues": ", ".join(sorted({t.queue for t in snap.tasks.values()})),
        "mode": "static rules and live probes" if live else "static rules only",
    }


__all__ = ["RULES", "Progress", "Rule", "Snapshot", "run_doctor", "snapshot"]
