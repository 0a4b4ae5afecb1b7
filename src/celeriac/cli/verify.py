"""``celeriac verify``: run every task's smoke example on the live deployment and check its output."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from celeriac.cli.common import REFERENCE_APP
from celeriac.cli.doctor import progress_bar
from celeriac.cli.render import emit


def verify(
    app: Annotated[str, typer.Option("-A", "--app", help="Celery app, as for celery -A")] = REFERENCE_APP,
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
    junit: Annotated[Path | None, typer.Option("--junit", help="also write the report as JUnit XML")] = None,
    timeout: Annotated[float, typer.Option(help="seconds each task may take to return")] = 60.0,
    suite: Annotated[
        str | None,
        typer.Option(help="module with SUITE = Suite(...) (default: the celeriac_verify_suite setting)"),
    ] = None,
) -> None:
    """Smoke-run declared examples through broker and workers (V0xx), then the project's checklist suite."""
    from celeriac.ops.verify import run_verify

    with progress_bar("verify") as progress:
        report = run_verify(app, timeout_s=timeout, suite=suite, progress=progress)
    emit(report, as_json=as_json, junit=junit)
