"""``celeriac doctor``: lint the effective Celery configuration and probe the live deployment."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from celeriac.cli.common import REFERENCE_APP, err_console
from celeriac.cli.render import emit

ProgressFn = Callable[[str, int, int], None]


@contextlib.contextmanager
def progress_bar(what: str) -> Iterator[ProgressFn]:
    """A transient bar on stderr (stdout stays clean for ``--json``); the engine reports each step."""
    columns = (
        TextColumn(f"[bold]{what}[/]"),
        BarColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task("", total=None)

        def update(label: str, done: int, total: int) -> None:
            bar.update(task, description=label, completed=done, total=total)

        yield update


def doctor(
    app: Annotated[str, typer.Option("-A", "--app", help="Celery app, as for celery -A")] = REFERENCE_APP,
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
    junit: Annotated[Path | None, typer.Option("--junit", help="also write the report as JUnit XML")] = None,
    static: Annotated[
        bool, typer.Option("--static", help="lint the config only; skip the live probes")
    ] = False,
    timeout: Annotated[float, typer.Option(help="seconds each live probe may take")] = 5.0,
) -> None:
    """Lint the effective config (rules C0xx) and probe broker, backend, DB, cache, workers, beat (P0xx)."""
    from celeriac.ops.doctor import run_doctor

    with progress_bar("doctor") as progress:
        report = run_doctor(app, live=not static, timeout_s=timeout, progress=progress)
    emit(report, as_json=as_json, junit=junit)
