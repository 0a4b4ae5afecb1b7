"""``celeriac demo``: start the reference deployment, run its main job, print the report, stop."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from celeriac.cli.common import REFERENCE_APP, console, fail
from celeriac.cli.exit import ExitStatus
from celeriac.cli.fleet import render_table
from celeriac.cli.updown import build_plan, down, start

if TYPE_CHECKING:
    from celeriac_site.mainjob import Section


def demo(
    web_port: Annotated[int, typer.Option(help="port of the web process")] = 8000,
    keep: Annotated[bool, typer.Option(help="leave the deployment running afterwards")] = False,
) -> None:
    """The main job of ``make demo``: every queue exercised, every output checked."""
    plan = build_plan(REFERENCE_APP, web_port, beat=True, web=True, prefer_local=False)
    render_table(plan.fleet, REFERENCE_APP, commands=False)
    running = start(plan)
    # The main job runs task bodies in this process too (verify measures query budgets here): keep their
    # one-line JSON logs, which the workers write to var/log, out of the report.
    logging.getLogger("celeriac.task").setLevel(logging.WARNING)
    try:
        from celeriac_site import mainjob

        with console.status("running the main job"):
            sections = mainjob.run(web_url=running.web_url)
    finally:
        if not keep:
            down()
    for section in sections:
        render_section(section)
    failures = [f for s in sections for f in s.failures]
    total = sum(s.checks for s in sections)
    for line in failures:
        console.print(f"[red]FAIL[/] {line}", soft_wrap=True)
    if failures:
        fail(f"{len(failures)} of {total} checks failed", ExitStatus.CHECKS_FAILED)
    console.print(f"[bold green]all {total} checks passed[/]")


def render_section(section: Section) -> None:
    if section.matrix is not None:
        m = section.matrix
        grid = Table(title=section.title, title_justify="left")
        grid.add_column(m.corner)
        for col in m.columns:
            grid.add_column(col, justify="center")
        for row, cells in m.rows:
            grid.add_row(row, *(f"[green]{t}[/]" if ok else f"[red]{t}[/]" for t, ok in cells))
        console.print(grid)
    if section.outcomes:
        table = Table(title=section.title if section.matrix is None else None, title_justify="left")
        for col in ("check", "queue", "ran on", "got", "s", "result"):
            table.add_column(col)
        for o in section.outcomes:
            got = o.actual if len(o.actual) <= 24 else o.actual[:21] + "..."
            verdict = "[green]PASS[/]" if o.ok else "[red]FAIL[/]"
            table.add_row(o.check, o.queue, o.worker.split("@")[0], got, f"{o.seconds:.2f}", verdict)
        console.print(table)
