"""``celeriac chaos``: kill -9 workers, restart the broker, stop the database; count what was lost."""

from __future__ import annotations

import os
import signal
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from celeriac.cli.common import REFERENCE_APP, REFERENCE_MANAGE, err_console, fail, load_app, var_root
from celeriac.cli.exit import ExitStatus
from celeriac.cli.render import emit
from celeriac.errors import CeleriacError
from celeriac.fleet.spec import WorkerSpec
from celeriac.ops.chaos import ChaosFleet, Options, Scenario, run_chaos
from celeriac.ops.chaos.fleet import CHAOS_VISIBILITY_TIMEOUT_S
from celeriac.ops.chaos.probe import ProbeError, probe_task
from celeriac.ops.report import Finding, Report, Status
from celeriac.supervise.deployment import Plan
from celeriac.workloads import Kind


class FleetChoice(StrEnum):
    own = "own"
    running = "running"


def stock_worker(app: Any) -> WorkerSpec:
    """One worker on Celery's own defaults for an app without declarations (prefork, c = cores)."""
    return WorkerSpec(
        family="worker",
        kind=Kind.CPU,
        queues=(str(app.conf.task_default_queue),),
        pool="prefork",
        concurrency=os.cpu_count() or 1,
        prefetch_multiplier=4,
        max_tasks_per_child=None,
    )


def own_plan(spec: str, celery_app: Any) -> Plan:
    from celeriac.app import fleet_of

    try:
        fleet = fleet_of(celery_app)
    except LookupError:
        fleet = (stock_worker(celery_app),)
    # Workers import the app from the current directory, as `celery -A` run here would.
    path = os.pathsep.join(p for p in (os.getcwd(), os.environ.get("PYTHONPATH", "")) if p)
    return Plan(
        app=spec,
        fleet=fleet,
        manage=REFERENCE_MANAGE if spec == REFERENCE_APP else None,
        wsgi=None,
        beat=False,
        env={"PYTHONPATH": path},
    )


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def chaos(
    app: Annotated[str, typer.Option("-A", "--app", help="Celery app, as for celery -A")] = REFERENCE_APP,
    scenario: Annotated[
        list[Scenario], typer.Option("--scenario", "-s", help="scenario to run (repeatable) [all]")
    ] = [],  # noqa: B006
    fleet: Annotated[
        FleetChoice,
        typer.Option(help="own: start services and workers in a temp dir; running: celeriac up's"),
    ] = FleetChoice.own,
    task: Annotated[
        str | None, typer.Option(help="probe task (key, seconds) [chaos.effect, else demo.slow_effect]")
    ] = None,
    tasks: Annotated[int, typer.Option(help="probe tasks per scenario")] = 6,
    task_seconds: Annotated[float, typer.Option(help="how long each probe task runs")] = 2.0,
    outage: Annotated[float, typer.Option(help="seconds the broker or database stays down")] = 3.0,
    max_wait: Annotated[float, typer.Option(help="longest wait for recovery after a fault, seconds")] = 120.0,
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
    junit: Annotated[Path | None, typer.Option(help="write the report as JUnit XML")] = None,
) -> None:
    """Inject faults mid-task on a fleet and count lost tasks, duplicates and time to recovery."""
    if tasks < 1 or task_seconds <= 0 or outage <= 0 or max_wait <= 0:
        fail("--tasks, --task-seconds, --outage and --max-wait must be positive", ExitStatus.USAGE)
    if fleet is FleetChoice.own:
        # The app in this process must read the same settings as the workers chaos starts.
        os.environ["CELERIAC_VISIBILITY_TIMEOUT_S"] = str(CHAOS_VISIBILITY_TIMEOUT_S)
    celery_app = load_app(app)
    try:
        probe_task(celery_app, task)  # before starting anything: a missing probe is a usage error
    except ProbeError as exc:
        fail(str(exc), ExitStatus.USAGE)
    except Exception as exc:  # autodiscovery imports the app's task modules: their errors, in one line
        fail(
            f"the Celery app {app!r} failed to load its tasks: {type(exc).__name__}: {exc}", ExitStatus.USAGE
        )
    options = Options(
        scenarios=tuple(dict.fromkeys(scenario)) or tuple(Scenario),
        tasks=tasks,
        task_seconds=task_seconds,
        outage_s=outage,
        max_wait_s=max_wait,
    )
    target: ChaosFleet | None = None
    # A CI runner's SIGTERM must stop the fleet chaos started, as Ctrl-C does.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        with err_console.status("chaos: starting") as status:

            def say(step: str) -> None:
                status.update(f"chaos: {step}")

            try:
                if fleet is FleetChoice.own:
                    target = ChaosFleet.start(own_plan(app, celery_app), progress=say)
                else:
                    target = ChaosFleet.attach(var_root())
            except CeleriacError as exc:
                report = Report(command="chaos", target=app)
                report.add(Finding("F001", "fleet running", Status.FAIL, message=str(exc)))
            else:
                report = run_chaos(celery_app, target, options, target=app, task=task, progress=say)
            if target is not None:
                say("stopping")
                target.close()
    except KeyboardInterrupt:
        if target is not None:
            target.close()
        fail("interrupted; what chaos started was stopped", ExitStatus.INTERRUPTED)
    except Exception as exc:  # a service or app error mid-run: one line, not a traceback
        if target is not None:
            target.close()
        fail(f"chaos stopped: {type(exc).__name__}: {exc}", ExitStatus.SERVICE)
    emit(report, as_json=as_json, junit=junit)


if __name__ == "__main__":  # `python -m celeriac.cli.chaos`, before the command is registered in main
    typer.run(chaos)
