"""Render a Report: a rich table on the terminal, ``--json`` on stdout, ``--junit FILE``."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from celeriac.cli.common import console, err_console
from celeriac.ops.report import Report, Status

_STYLE = {Status.PASS: "green", Status.FAIL: "red", Status.WARN: "yellow", Status.SKIP: "dim"}


def table(report: Report) -> Table:
    t = Table(title=f"celeriac {report.command}: {report.target}", title_justify="left")
    for col in ("id", "check", "result", "detail"):
        t.add_column(col, overflow="fold")
    for f in report.findings:
        style = _STYLE[f.status]
        label = f.status.value.upper() if f.status is not Status.FAIL or f.failed else "FAIL (warning)"
        detail = f.message + (f"\n[dim]fix: {f.fix}[/]" if f.fix and f.status is not Status.PASS else "")
        t.add_row(f.id, f.title, f"[{style}]{label}[/]", detail)
    return t


def emit(report: Report, *, as_json: bool, junit: Path | None) -> None:
    """Print the report and exit with its code (0 only when no required finding failed)."""
    if junit is not None:
        report.write_junit(junit)
    if as_json:
        print(report.to_json())
    else:
        console.print(table(report))
        counts = report.counts()
        line = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
        verdict = "[bold green]OK[/]" if report.ok else "[bold red]FAILED[/]"
        console.print(f"{verdict}  {line}")
        for key, value in report.summary.items():
            if isinstance(value, str | int | float):
                console.print(f"  {key}: {value}")
    raise typer.Exit(report.exit_code)


@contextlib.contextmanager
def progress_bars() -> Iterator[Any]:
    """Bars on stderr (stdout stays clean for --json); nothing when stderr is not a terminal."""
    bars = Progress(
        TextColumn("{task.description:<10}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        disable=not err_console.is_terminal,
        transient=True,
    )
    tasks: dict[str, Any] = {}

    def update(phase: str, done: int, total: int) -> None:
        if phase not in tasks:
            tasks[phase] = bars.add_task(phase, total=total)
        bars.update(tasks[phase], completed=done, total=total)

    with bars:
        yield update
