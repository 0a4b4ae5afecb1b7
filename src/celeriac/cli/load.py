"""``celeriac load``: N tasks at a rate or concurrency, every one accounted for by id."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from celeriac.cli.common import REFERENCE_APP, console, fail, load_app
from celeriac.cli.exit import ExitStatus
from celeriac.cli.render import emit, progress_bars
from celeriac.errors import CeleriacError
from celeriac.ops.load import Plan, PlanError, declared_mix, parse_rate, run_load, specs_from_options
from celeriac.ops.report import Report

DEFAULT_CONCURRENCY = 100


def build_plan(
    celery_app: Any,
    *,
    count: int,
    tasks: list[str],
    args: list[str],
    mix: bool,
    queues: list[str],
    rate: str | None,
    concurrency: int | None,
) -> Plan:
    from celeriac.app import topology_of

    topology = topology_of(celery_app)
    use_mix = mix or (not tasks and topology is not None)
    if use_mix and topology is None:
        fail(
            "--mix needs a Celeriac app (celeriac.configure); give --task NAME --args JSON", ExitStatus.USAGE
        )
    if use_mix and tasks:
        fail("give --task or --mix, not both", ExitStatus.USAGE)
    try:
        if use_mix and topology is not None:
            specs, excluded = declared_mix(topology.workloads, queues)
            if not specs:
                fail("the declared mix is empty: " + "; ".join(excluded or ["no workload"]), ExitStatus.USAGE)
        else:
            specs, excluded = specs_from_options(tasks, args), ()
        if rate is None and concurrency is None:
            concurrency = DEFAULT_CONCURRENCY
        return Plan(
            specs=specs,
            total=count,
            rate_per_s=parse_rate(rate) if rate else None,
            concurrency=concurrency,
            excluded=excluded,
        )
    except PlanError as exc:
        fail(str(exc), ExitStatus.USAGE)


def per_task_table(report: Report) -> Table:
    table = Table(title="latency per task (ms)", title_justify="left")
    for col in ("task", "sent", "wait p50", "wait p95", "wait p99", "run p50", "run p95", "run p99"):
        table.add_column(col, justify="left" if col == "task" else "right")
    for name, row in report.summary.get("per_task", {}).items():
        wait, run = row["queue_wait"] or {}, row["run_time"] or {}
        cells = [
            f"{d[k]:.1f}" if k in d else "-" for d in (wait, run) for k in ("p50_ms", "p95_ms", "p99_ms")
        ]
        table.add_row(name, str(row["sent"]), *cells)
    return table


def load(
    app: Annotated[str, typer.Option("-A", "--app", help="Celery app, as for celery -A")] = REFERENCE_APP,
    count: Annotated[int, typer.Option("--count", "-n", help="tasks to send")] = 1000,
    task: Annotated[list[str], typer.Option("--task", help="task name to send (repeatable)")] = [],  # noqa: B006
    args: Annotated[
        list[str],
        typer.Option("--args", help="JSON list/object of arguments for the --task at the same position"),
    ] = [],  # noqa: B006
    mix: Annotated[bool, typer.Option("--mix", help="send every declared cpu/io workload's example")] = False,
    queue: Annotated[list[str], typer.Option("--queue", "-Q", help="restrict --mix to these queues")] = [],  # noqa: B006
    rate: Annotated[str | None, typer.Option(help="open loop, Poisson arrivals: 200/s or 600/min")] = None,
    concurrency: Annotated[
        int | None,
        typer.Option("--concurrency", "-c", help=f"closed loop: tasks in flight [{DEFAULT_CONCURRENCY}]"),
    ] = None,
    drain_timeout: Annotated[
        float, typer.Option(help="give up after this many seconds without progress")
    ] = 30.0,
    seed: Annotated[int, typer.Option(help="seed of the random arrivals")] = 0,
    plot: Annotated[Path | None, typer.Option(help="write a PNG chart of the per-second series")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
    junit: Annotated[Path | None, typer.Option(help="write the report as JUnit XML")] = None,
) -> None:
    """Send N tasks (the declared mix, or --task/--args) and account for each: lost, duplicated, latency."""
    if rate is not None and concurrency is not None:
        fail("give --rate or --concurrency, not both", ExitStatus.USAGE)
    celery_app = load_app(app)
    plan = build_plan(
        celery_app,
        count=count,
        tasks=task,
        args=args,
        mix=mix,
        queues=queue,
        rate=rate,
        concurrency=concurrency,
    )
    try:
        with progress_bars() as update:
            report = run_load(
                celery_app, plan, target=app, drain_timeout_s=drain_timeout, seed=seed, progress=update
            )
        if plot is not None and report.summary.get("series"):
            from celeriac.ops.load.plot import write_png

            write_png(report.summary["series"], plot, title=f"celeriac load: {app}, {count} tasks")
            report.summary["plot"] = str(plot)
    except KeyboardInterrupt:
        fail("interrupted; tasks already sent keep running on the workers", ExitStatus.INTERRUPTED)
    except CeleriacError as exc:
        fail(str(exc), ExitStatus.SERVICE)
    except Exception as exc:  # a broker or app error mid-run: one line, not a traceback
        fail(f"load stopped: {type(exc).__name__}: {exc}", ExitStatus.SERVICE)
    if not as_json and report.summary.get("per_task"):
        console.print(per_task_table(report))
    emit(report, as_json=as_json, junit=junit)


if __name__ == "__main__":  # `python -m celeriac.cli.load`, before the command is registered in main
    typer.run(load)
