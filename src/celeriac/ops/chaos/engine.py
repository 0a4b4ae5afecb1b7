"""Run chaos scenarios on a fleet: send probe tasks, inject the fault mid-task, wait, count effects."""

from __future__ import annotations

import contextlib
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from celeriac.errors import CeleriacError
from celeriac.ops.chaos import broker, scenarios
from celeriac.ops.chaos.fleet import ChaosFleet
from celeriac.ops.chaos.probe import Probe, ProbeError, choose
from celeriac.ops.chaos.scenarios import Outcome, Scenario
from celeriac.ops.events import EventTracker
from celeriac.ops.load import preflight
from celeriac.ops.load.accounting import BACKEND_TERMINAL, exception_name
from celeriac.ops.load.engine import backend_states
from celeriac.ops.report import Finding, Report, Severity, Status

Progress = Callable[[str], None]
ACTIVE_TIMEOUT_S = 30.0  #: how long a probe task may take to start running before the fault is abandoned


@dataclass(frozen=True)
class Options:
    scenarios: tuple[Scenario, ...] = tuple(Scenario)
    tasks: int = 6  #: probe tasks per scenario: some running, some queued behind them
    task_seconds: float = 2.0  #: how long each probe sleeps: the window the fault lands in
    outage_s: float = 3.0  #: how long the broker or database stays down
    max_wait_s: float = 120.0  #: longest wait for recovery after a fault


@dataclass
class _Context:
    app: Any
    fleet: ChaosFleet
    probe: Probe
    tracker: EventTracker
    options: Options
    progress: Progress


def point_app_at(app: Any, fleet: ChaosFleet) -> None:
    """Make this process talk to the fleet's broker, even if the app read another URL at import."""
    before = str(app.conf.broker_url or "")
    if before != fleet.redis_url:
        app.conf.broker_url = fleet.redis_url
        if str(app.conf.result_backend or "") == before:
            app.conf.result_backend = fleet.redis_url


def run_chaos(
    app: Any,
    fleet: ChaosFleet,
    options: Options,
    *,
    target: str,
    task: str | None = None,
    progress: Progress = lambda _: None,
) -> Report:
    report = Report(command="chaos", target=target)
    point_app_at(app, fleet)
    if report.add(preflight.check_broker(app)).failed:
        return report
    try:
        probe = choose(app, task, redis_url=fleet.redis_url, database_url=fleet.database_url)
    except ProbeError as exc:
        report.add(Finding("C000", "probe task", Status.FAIL, message=str(exc)))
        return report
    report.add(
        Finding(
            "C000",
            "probe task",
            Status.PASS,
            Severity.INFO,
            message=f"{probe.task}(key, {options.task_seconds:g} s) on queue {probe.queue}, "
            f"{options.tasks} per scenario; effects counted in {probe.counter.what}",
        )
    )
    workers = preflight.find_workers(app)
    report.extend(preflight.check_workers(workers, [probe.queue]))
    if not report.ok:
        return report
    tracker = EventTracker(app)
    tracker.start()
    enabled: list[str] = []
    try:
        finding, enabled = preflight.ensure_events(app, workers.hosts)
        if report.add(finding).failed:
            return report
        ctx = _Context(app, fleet, probe, tracker, options, progress)
        outcomes: list[Outcome] = []
        broken = ""
        for scenario in options.scenarios:
            if broken:
                report.add(scenarios.skipped(scenario, broken))
                continue
            progress(scenario.value)
            host = (workers.consumers.get(probe.queue) or [""])[0]
            skip = _skip_reason(ctx, scenario, host)
            if skip:
                report.add(scenarios.skipped(scenario, skip))
                continue
            outcome = _run(ctx, scenario, host)
            outcomes.append(outcome)
            report.add(scenarios.judge(outcome, effect_is_idempotent=probe.idempotent))
            fleet.reap_orphans()
            if not fleet.wait_answering(app, host):
                broken = f"the worker {host} did not answer after the previous scenario"
        report.summary = scenarios.summary(outcomes)
        report.summary["visibility_timeout_s"] = broker.visibility_timeout_s(app)
    finally:
        if enabled:
            app.control.disable_events(destination=enabled)
        tracker.stop()
    return report


def _skip_reason(ctx: _Context, scenario: Scenario, host: str) -> str:
    fleet = ctx.fleet
    if scenario is Scenario.RESTART_BROKER and "redis" not in fleet.embedded:
        return f"the broker {fleet.redis_url} is not an embedded one chaos may restart (it may serve others)"
    if scenario is Scenario.STOP_DATABASE:
        if not ctx.probe.uses_database:
            return f"the probe task {ctx.probe.task} does not use the database"
        if "postgres" not in fleet.embedded:
            return "the database is not an embedded one chaos may stop (it may serve others)"
    if scenario in (Scenario.KILL_CHILD, Scenario.KILL_MAIN):
        pid = _main_pid(ctx.app, host)
        if pid is None or fleet.managed(pid) is None:
            return f"the worker {host} was not started by celeriac: chaos only kills workers it can restart"
        if scenario is Scenario.KILL_CHILD and not fleet.pool_children(pid):
            return f"the worker {host} has no pool processes (not prefork)"
    return ""


def _inspect(app: Any, host: str, method: str, attempts: int = 3) -> dict[str, Any]:
    """``inspect().<method>()`` of one worker, retried: a broker restart leaves dead pooled connections."""
    for attempt in range(attempts):
        try:
            replies = getattr(app.control.inspect(destination=[host], timeout=1.0, limit=1), method)()
            return dict(replies or {})
        except Exception:
            if attempt == attempts - 1:
                raise
            time.sleep(0.5)
    return {}


def _main_pid(app: Any, host: str) -> int | None:
    stats = _inspect(app, host, "stats")
    pid = (stats.get(host) or {}).get("pid")
    return int(pid) if pid else None


def _run(ctx: _Context, scenario: Scenario, host: str) -> Outcome:
    started = time.monotonic()
    tag = f"{scenario.value}-{uuid.uuid4().hex[:8]}"
    keys = [f"{tag}-{i}" for i in range(ctx.options.tasks)]
    ids = [str(uuid.uuid4()) for _ in keys]
    for key, task_id in zip(keys, ids, strict=True):
        ctx.app.send_task(
            ctx.probe.task,
            args=ctx.probe.args(key, ctx.options.task_seconds),
            task_id=task_id,
            queue=ctx.probe.queue,
        )
    outcome = Outcome(scenario=scenario, keys=keys, effects={})
    try:
        _inject(ctx, scenario, host, ids, outcome)
    except CeleriacError as exc:
        outcome.notes.append(f"fault not injected: {exc}.")
    _settle(ctx, keys, ids, outcome)
    traces = ctx.tracker.traces(ids)
    # A retry is a new delivery of the same id by design; only the others are redeliveries.
    outcome.starts = {i: len(t.started_at) - t.retries for i, t in traces.items()}
    outcome.retries = sum(t.retries for t in traces.values())
    outcome.seconds = time.monotonic() - started
    return outcome


def _inject(ctx: _Context, scenario: Scenario, host: str, ids: Sequence[str], outcome: Outcome) -> None:
    fleet, opts = ctx.fleet, ctx.options
    running = _wait_active(ctx.app, host, ids)
    if running is None:
        raise CeleriacError(f"no probe task started on {host} within {ACTIVE_TIMEOUT_S:.0f} s")
    main = _main_pid(ctx.app, host)
    outcome.fault_at = time.time()
    if scenario is Scenario.KILL_CHILD:
        if main is None or running not in fleet.pool_children(main):
            raise CeleriacError(f"pool process {running} is not a child of {host}")
        fleet.kill(running)
        outcome.fault = f"kill -9 pool process {running} of {host}"
    elif scenario is Scenario.KILL_MAIN:
        old = fleet.managed(main) if main is not None else None
        if old is None:
            raise CeleriacError(f"{host} is not a worker chaos can restart")
        fleet.kill(old.pid)
        outcome.fault = f"kill -9 main process {old.pid} of {host}, new worker started"
        fleet.restart_worker(old)
        if not fleet.wait_answering(ctx.app, host):
            outcome.notes.append(f"the new {host} did not answer within a minute.")
    elif scenario is Scenario.RESTART_BROKER:
        fleet.restart_broker(opts.outage_s)
        outcome.fault = f"broker down {opts.outage_s:g} s (SHUTDOWN SAVE, restart on the same port)"
    else:
        fleet.stop_database(opts.outage_s)
        outcome.fault = f"database down {opts.outage_s:g} s (pg_ctl stop -m fast, start on the same port)"


def _wait_active(app: Any, host: str, ids: Sequence[str]) -> int | None:
    """The pool process running one of ``ids`` on ``host`` once one runs; None if none starts in time."""
    wanted = set(ids)
    deadline = time.monotonic() + ACTIVE_TIMEOUT_S
    while time.monotonic() < deadline:
        active = _inspect(app, host, "active")
        for request in active.get(host) or []:
            if request.get("id") in wanted and request.get("worker_pid"):
                return int(request["worker_pid"])
        time.sleep(0.1)
    return None


def _settle(ctx: _Context, keys: Sequence[str], ids: Sequence[str], outcome: Outcome) -> None:
    """Wait until every task is done and no probe message is left in the broker, or the deadline."""
    vt = broker.visibility_timeout_s(ctx.app)
    bound = vt + broker.restore_period_s(ctx.app) + ctx.options.tasks * ctx.options.task_seconds + 30
    wait_s = min(ctx.options.max_wait_s, bound)
    deadline = time.monotonic() + wait_s
    held: list[str] = list(ids)
    while True:
        try:
            effects = ctx.probe.counter.count(keys)
            held = broker.probe_ids_held(ctx.fleet.redis_url, ctx.probe.queue, ids)
            finished = _finished(ctx, ids)
        except Exception:  # a service is down mid-fault: look again
            time.sleep(0.5)
            if time.monotonic() < deadline:
                continue
            break
        outcome.effects = effects
        if not held and len(finished) == len(ids):
            outcome.settled_at = time.time()
            break
        if time.monotonic() >= deadline:
            break
        time.sleep(0.5)
    if held:
        outcome.notes.append(
            f"{len(held)} probe message(s) still in the broker after {wait_s:.0f} s (visibility timeout "
            f"{vt:.0f} s): a message held by a dead worker comes back only after it."
        )
    if outcome.settled_at is None and wait_s < bound:
        outcome.notes.append(f"Waited {wait_s:.0f} s (--max-wait), less than the {bound:.0f} s bound.")
    errors = _failures(ctx, ids)
    if errors:
        outcome.notes.append("Failed: " + ", ".join(f"{n} with {e}" for e, n in errors.most_common()) + ".")


def _failures(ctx: _Context, ids: Sequence[str]) -> Counter[str]:
    """Exception class per failed probe task; the backend's ``exc_type`` when the event only names
    Celery's wrapper (a pool child's death reaches the event as ``ExceptionWithTraceback``)."""
    out: Counter[str] = Counter()
    for task_id, trace in ctx.tracker.traces(ids).items():
        if trace.failed_at is None:
            continue
        name = exception_name(trace.exception)
        if name in {"ExceptionWithTraceback", "unknown"}:
            with contextlib.suppress(Exception):
                result = ctx.app.backend.get_task_meta(task_id).get("result")
                name = (
                    str(result.get("exc_type") or name) if isinstance(result, dict) else type(result).__name__
                )
        out[name] += 1
    return out


def _finished(ctx: _Context, ids: Sequence[str]) -> set[str]:
    traces = ctx.tracker.traces(ids)
    done = {i for i, t in traces.items() if t.terminal}
    rest = [i for i in ids if i not in done]
    done |= {i for i, s in backend_states(ctx.app, rest).items() if s in BACKEND_TERMINAL}
    return done
