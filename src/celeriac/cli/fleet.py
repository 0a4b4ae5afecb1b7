"""``celeriac fleet``: print the worker fleet derived from declarations, or export it."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from celeriac.cli.common import REFERENCE_APP, console, fail, load_app
from celeriac.cli.exit import ExitStatus
from celeriac.fleet import export
from celeriac.fleet.spec import FamilyOverride, WorkerSpec


class Format(StrEnum):
    table = "table"
    procfile = "procfile"
    systemd = "systemd"
    kubernetes = "kubernetes"


def _overrides(pools: list[str]) -> dict[str, FamilyOverride]:
    out = {}
    for item in pools:
        family, sep, pool = item.partition("=")
        if not sep:
            fail(f"--pool takes FAMILY=POOL (e.g. io=threads), not {item!r}", ExitStatus.USAGE)
        out[family] = FamilyOverride(pool=pool)
    return out


def render_table(specs: tuple[WorkerSpec, ...], app: str, *, commands: bool = True) -> None:
    """The fleet as a table, then each worker's exact command line (too long for a column)."""
    rows = export.cli_table_rows(specs, app=app)
    table = Table(title=f"fleet of {app}", title_justify="left")
    for col in export.TABLE_COLUMNS[:-1]:
        table.add_column(col)
    for row in rows:
        table.add_row(*row[:-1])
    console.print(table)
    if commands:
        for row in rows:
            console.print(f"[bold]{row[0]}[/]: {row[-1]}", soft_wrap=True, highlight=False)


def fleet(
    app: Annotated[str, typer.Option("-A", "--app", help="Celery app, as for celery -A")] = REFERENCE_APP,
    fmt: Annotated[Format, typer.Option("--format", "-f")] = Format.table,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="directory for systemd units")] = None,
    image: Annotated[str, typer.Option(help="container image (kubernetes)")] = "celeriac:latest",
    pool: Annotated[list[str], typer.Option(help="override a family's pool: io=threads")] = [],  # noqa: B006
    cores: Annotated[int | None, typer.Option(help="cores per CPU worker (default: this machine's)")] = None,
) -> None:
    """Show the fleet (one worker per queue family, pool on the command line) or export it."""
    from celeriac.app import fleet_of
    from celeriac.errors import CeleriacError

    celery_app = load_app(app)
    try:
        specs = fleet_of(celery_app, cores=cores, overrides=_overrides(pool))
    except (LookupError, CeleriacError) as exc:
        fail(str(exc), ExitStatus.USAGE)
    if fmt is Format.table:
        render_table(specs, app)
    elif fmt is Format.procfile:
        print(export.procfile(specs, app), end="")
    elif fmt is Format.kubernetes:
        print(export.to_yaml(export.kubernetes(specs, app, image=image)), end="")
    else:
        units = export.systemd_units(
            specs, app, workdir=str(Path.cwd().resolve()), venv=str(Path(".venv").resolve())
        )
        if out is None:
            for name, text in units.items():
                print(f"# --- {name}\n{text}")
        else:
            out.mkdir(parents=True, exist_ok=True)
            for name, text in units.items():
                (out / name).write_text(text)
            console.print(f"wrote {len(units)} units to {out}")
