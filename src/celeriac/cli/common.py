"""Helpers every command shares: the console, the reference app's defaults, loading an app."""

from __future__ import annotations

import sys
from typing import Any, NoReturn

import typer
from rich.console import Console

from celeriac.cli.exit import ExitStatus
from celeriac.supervise.state import var_root as var_root

console = Console()
err_console = Console(stderr=True)

#: The reference deployment, used when no -A is given.
REFERENCE_APP = "celeriac_site"
REFERENCE_MANAGE = (sys.executable, "-m", "celeriac_site.manage")
REFERENCE_WSGI = "celeriac_site.wsgi:application"


def fail(message: str, status: ExitStatus) -> NoReturn:
    """One line on stderr, a named exit code, no traceback."""
    err_console.print(f"[bold red]celeriac:[/] {message}", soft_wrap=True, highlight=False)
    raise typer.Exit(int(status))


def load_app(spec: str) -> Any:
    """Import ``module:attr`` (or ``module``) like ``celery -A``; any failure is one line and exit 2."""
    from celeriac.ops.appload import AppLoadError
    from celeriac.ops.appload import load_app as load

    try:
        return load(spec)
    except AppLoadError as exc:
        fail(str(exc), ExitStatus.USAGE)
