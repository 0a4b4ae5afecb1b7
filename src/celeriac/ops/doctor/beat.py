"""Beat: its entries name registered tasks (static), it is alive and alone (live, from real evidence)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import psutil
from celery import Celery

from celeriac.ops import probes
from celeriac.ops.doctor.findings import failed, one_line, passed, skipped
from celeriac.ops.doctor.rule import Verdict, clean, fired, names, rule
from celeriac.ops.doctor.snapshot import Snapshot
from celeriac.ops.report import Finding, Severity

DB_SCHEDULER = "django_celery_beat"
#: Beat wakes at least every max interval (300 s) and saves to the database every 180 s; an entry
#: later than both plus a minute is overdue, which only a stopped or stuck beat explains.
SYNC_S = 180.0
SLACK_S = 60.0
NOT_NEEDED = "no periodic tasks: beat is not needed"
BEAT_FIX = "start exactly one beat: celery -A {app} beat (celeriac up does)"
MIGRATE_FIX = "run the project's migrations (django_celery_beat's tables) and check the database (P003)"
ALIVE, ALONE, DB_TASKS = "beat alive", "beat alone", "database schedule names registered tasks"


@rule(
    "C070",
    "beat entries name registered tasks",
    Severity.ERROR,
    reason="beat sends them anyway; workers reject an unregistered task, so the job silently never runs",
    fix="fix the task name in beat_schedule, or make sure its module is imported (imports/autodiscovery)",
)
def beat_names_unknown(snap: Snapshot) -> Verdict:
    if not snap.beat:
        return clean("no beat_schedule entries")
    bad = {entry: task for entry, task in snap.beat.items() if task not in snap.registered}
    if bad:
        return fired(
            f"entries naming unknown tasks: {names(f'{e} -> {t}' for e, t in bad.items())}", entries=bad
        )
    return clean(f"{len(snap.beat)} entries, all naming registered tasks")


RULES = (beat_names_unknown,)


@dataclass(frozen=True)
class BeatProcess:
    pid: int
    cmdline: str


def local_beats(app_spec: str, broker_url: str) -> list[BeatProcess]:
    """Beat processes on this host for the same app and broker (embedded ``worker -B`` beats included).

    A process whose environment names another broker (REDIS_URL / CELERY_BROKER_URL) belongs to another
    deployment of the same code and is not counted.
    """
    root = _root(app_spec)
    found: dict[int, BeatProcess] = {}
    parents: dict[int, int] = {}
    for proc in psutil.process_iter(["pid", "ppid", "cmdline"]):
        cmd = proc.info["cmdline"] or []
        if not _is_beat(cmd) or _root(_app_arg(cmd)) != root:
            continue
        try:
            env = proc.environ()
        except (psutil.AccessDenied, psutil.NoSuchProcess, psutil.ZombieProcess):
            env = {}
        other = env.get("CELERY_BROKER_URL") or env.get("REDIS_URL")
        if other and not _same_redis(other, broker_url):
            continue
        found[proc.info["pid"]] = BeatProcess(proc.info["pid"], " ".join(cmd))
        parents[proc.info["pid"]] = proc.info["ppid"]
    # Forked children (a -B worker's pool) share the parent's command line: count the parent only.
    return [b for pid, b in sorted(found.items()) if parents[pid] not in found]


def probe_beat(app: Celery, spec: str, snap: Snapshot, timeout_s: float, django: bool) -> list[Finding]:
    """P010 alive, P011 alone, P012 database entries registered (django-celery-beat only)."""
    beats = local_beats(spec, str(app.conf.broker_url or ""))
    uses_db = DB_SCHEDULER in str(app.conf.beat_scheduler or "") and django
    rows: list[dict[str, Any]] | None = None
    out: list[Finding] = []
    if uses_db:
        try:
            rows = probes.bounded(_db_rows, timeout_s)
        except Exception as exc:
            out.append(
                failed(
                    "P010",
                    ALIVE,
                    f"reading django-celery-beat's schedule failed: {one_line(exc)}",
                    MIGRATE_FIX,
                )
            )
    if not out:
        out.append(beat_alive(spec, snap, beats, rows, _now() if rows else datetime.now()))
    out.append(beat_alone(beats))
    if rows is not None:
        bad = sorted({r["task"] for r in rows if r["task"] not in snap.registered})
        out.append(
            failed(
                "P012",
                DB_TASKS,
                f"enabled database entries name unknown tasks: {names(bad)}",
                "fix or disable those PeriodicTask rows (Django admin)",
            )
            if bad
            else passed("P012", DB_TASKS, f"{len(rows)} enabled entries, all registered")
        )
    return out


def beat_alive(
    spec: str, snap: Snapshot, beats: list[BeatProcess], rows: list[dict[str, Any]] | None, now: datetime
) -> Finding:
    """P010 from the evidence: local beat processes and, with django-celery-beat, its schedule rows."""
    fix = BEAT_FIX.format(app=spec)
    here = f"beat pid {names(b.pid for b in beats)} runs on this host" if beats else ""
    if rows is None:
        if not snap.beat:
            return skipped("P010", ALIVE, NOT_NEEDED)
        if here:
            return passed("P010", ALIVE, here)
        return skipped(
            "P010",
            ALIVE,
            "no beat process for this app on this host, and a file-scheduler beat "
            "elsewhere leaves no trace that can be read from here",
        )
    if not rows:
        if not snap.beat:
            return skipped("P010", ALIVE, NOT_NEEDED)
        return failed(
            "P010",
            ALIVE,
            f"{len(snap.beat)} periodic task(s) configured, but beat has never "
            "synced them into the database: it has not run against this database",
            fix,
        )
    grace = timedelta(seconds=float(snap.get("beat_max_loop_interval") or 300) + SYNC_S + SLACK_S)
    overdue = [r for r in rows if r["last_run_at"] and r["remaining"] < -grace]
    if overdue:
        worst = min(overdue, key=lambda r: r["remaining"])
        late = -worst["remaining"].total_seconds()
        return failed(
            "P010",
            ALIVE,
            f"{worst['name']} is {late:.0f} s overdue (last run "
            f"{worst['last_run_at']:%Y-%m-%d %H:%M:%S}): beat is stopped or stuck",
            fix,
        )
    ran = [
        r for r in rows if r["runs"] and r["last_run_at"] and now - r["last_run_at"] <= r["period"] + grace
    ]
    if here or ran:
        recent = max(ran, key=lambda r: r["last_run_at"]) if ran else None
        sent = (
            f"it sent {recent['name']} {(now - recent['last_run_at']).total_seconds():.0f} s ago"
            if recent
            else ""
        )
        return passed("P010", ALIVE, "; ".join(x for x in (here, sent, "no entry is overdue") if x))
    return skipped(
        "P010",
        ALIVE,
        "no beat process on this host and no entry has run recently, though none is "
        "overdue yet: a beat elsewhere may be alive",
    )


def beat_alone(beats: list[BeatProcess]) -> Finding:
    if len(beats) > 1:
        shown = "; ".join(f"pid {b.pid}: {b.cmdline[:80]}" for b in beats)
        return failed(
            "P011",
            ALONE,
            f"{len(beats)} beats for this app and broker on this host ({shown}): "
            "every periodic task is sent once per beat",
            "stop all but one beat",
        )
    if beats:
        return passed(
            "P011",
            ALONE,
            f"one beat on this host (pid {beats[0].pid}); other hosts are not visible from here",
        )
    return skipped(
        "P011", ALONE, "no beat process on this host; beats on other hosts cannot be counted from here"
    )


def _db_rows() -> list[dict[str, Any]]:
    from django.db import connection
    from django_celery_beat.models import PeriodicTask

    try:
        rows = []
        for row in PeriodicTask.objects.filter(enabled=True).exclude(one_off=True, total_run_count__gt=0):
            last = row.last_run_at
            try:
                schedule = row.schedule
                remaining = schedule.remaining_estimate(last) if last else timedelta(0)
            except Exception:  # an odd schedule (e.g. a clocked one in the past) says nothing about beat
                last, remaining, schedule = None, timedelta(0), None
            period = getattr(schedule, "run_every", None) or timedelta(days=1)
            rows.append(
                {
                    "name": row.name,
                    "task": row.task,
                    "last_run_at": last,
                    "runs": row.total_run_count,
                    "remaining": remaining,
                    "period": period,
                }
            )
        return rows
    finally:
        connection.close()  # this probe thread's connection


def _now() -> datetime:
    from django.utils import timezone

    return timezone.now()


def _is_beat(cmd: list[str]) -> bool:
    if not any(os.path.basename(a) == "celery" for a in cmd[:3]) and "celery" not in cmd[:3]:
        return False
    return "beat" in cmd or ("worker" in cmd and ("-B" in cmd or "--beat" in cmd))


def _app_arg(cmd: Iterable[str]) -> str:
    args = list(cmd)
    for i, arg in enumerate(args):
        if arg in ("-A", "--app") and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--app="):
            return arg.split("=", 1)[1]
        if arg.startswith("-A") and len(arg) > 2:
            return arg[2:]
    return ""


def _root(spec: str) -> str:
    return spec.split(":", 1)[0].split(".", 1)[0]


def _same_redis(a: str, b: str) -> bool:
    pa, pb = urlsplit(a), urlsplit(b)
    return (pa.hostname, pa.port or 6379, pa.path.strip("/") or "0") == (
        pb.hostname,
        pb.port or 6379,
        pb.path.strip("/") or "0",
    )
