"""``celeriac up`` and ``celeriac down``: the whole deployment as one unit."""

from __future__ import annotations

import os
import secrets
import signal
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from celeriac.cli.common import (
    REFERENCE_APP,
    REFERENCE_MANAGE,
    REFERENCE_WSGI,
    console,
    fail,
    load_app,
    var_root,
)
from celeriac.cli.exit import ExitStatus
from celeriac.embedded.ports import free_port
from celeriac.errors import CeleriacError
from celeriac.supervise import deployment
from celeriac.supervise.deployment import Plan, Running


def build_plan(app: str, web_port: int, beat: bool, web: bool, prefer_local: bool) -> Plan:
    from celeriac.app import fleet_of

    celery_app = load_app(app)
    try:
        fleet = fleet_of(celery_app)
    except LookupError as exc:
        fail(str(exc), ExitStatus.USAGE)
    reference = app == REFERENCE_APP
    env: dict[str, str] = {}
    extra: tuple[tuple[str, tuple[str, ...]], ...] = ()
    if reference:
        env, extra = reference_extra(app)
    return Plan(
        app=app,
        fleet=fleet,
        manage=REFERENCE_MANAGE if reference else None,
        wsgi=REFERENCE_WSGI if reference and web else None,
        web_port=web_port,
        beat=beat,
        prefer_local=prefer_local,
        env=env,
        extra=extra,
        redis_instances=(("bridge", "BRIDGE_REDIS_URL"),) if reference else (),
    )


def reference_extra(app: str) -> tuple[dict[str, str], tuple[tuple[str, tuple[str, ...]], ...]]:
    """The reference deployment's other processes: legacy executors 1 and 2 (seed 003) and Flower.

    Flower listens on 127.0.0.1 only, behind a password the site's staff-only /flower/ proxy sends.
    """
    port = free_port()
    auth = os.environ.get("FLOWER_BASIC_AUTH") or f"celeriac:{secrets.token_urlsafe(18)}"
    env = {"FLOWER_URL": f"http://127.0.0.1:{port}", "FLOWER_BASIC_AUTH": auth}
    executors = tuple(
        (name, (sys.executable, "-m", "celeriac_site.bridge.executor", "--name", name))
        for name in ("executor-1", "executor-2")
    )
    celery = str(Path(sys.executable).with_name("celery"))
    flower = (celery, "-A", app, "flower", "--url_prefix=flower", "--address=127.0.0.1", f"--port={port}")
    return env, (*executors, ("flower", flower))


def start(plan: Plan) -> Running:
    root = var_root()
    try:
        with console.status("starting") as status:
            running = deployment.up(plan, root, progress=lambda step: status.update(f"starting: {step}"))
    except CeleriacError as exc:
        fail(str(exc), ExitStatus.SERVICE)
    except KeyboardInterrupt:
        fail("interrupted; everything started was stopped", ExitStatus.INTERRUPTED)
    render_running(running, plan)
    return running


def render_running(running: Running, plan: Plan) -> None:
    table = Table(title="celeriac up: what runs where", title_justify="left")
    for col in ("role", "pid", "pool", "queues", "log"):
        table.add_column(col)
    specs = {f"worker-{s.name}": s for s in plan.fleet}
    for m in running.processes:
        spec = specs.get(m.role)
        table.add_row(
            m.role,
            str(m.pid),
            f"{spec.pool} c={spec.concurrency}" if spec else "-",
            ",".join(spec.queues) if spec else "-",
            m.log,
        )
    console.print(table)
    embedded = ", ".join(running.embedded) or "none"
    console.print(f"broker/cache  {running.redis_url}\ndatabase      {running.database_url}")
    console.print(f"embedded      {embedded}")
    if running.web_url:
        console.print(f"web           {running.web_url}")
        if any(m.role == "flower" for m in running.processes):
            console.print(f"flower        {running.web_url}/flower/ (staff login)")


def up(
    app: Annotated[str, typer.Option("-A", "--app", help="Celery app, as for celery -A")] = REFERENCE_APP,
    web_port: Annotated[int, typer.Option(help="port of the web process")] = 8000,
    beat: Annotated[bool, typer.Option(help="run celery beat")] = True,
    web: Annotated[bool, typer.Option(help="run the web process (reference deployment)")] = True,
    detach: Annotated[bool, typer.Option("--detach", "-d", help="return once everything is up")] = False,
    prefer_local: Annotated[
        bool, typer.Option(help="use Redis/PostgreSQL on their standard local ports when they answer")
    ] = False,
) -> None:
    """Start services (embedded unless REDIS_URL/DATABASE_URL are set), migrations, fleet, beat and web."""
    plan = build_plan(app, web_port, beat, web, prefer_local)
    start(plan)
    if detach:
        console.print("running in the background; stop with [bold]celeriac down[/]")
        return
    console.print("press Ctrl-C to stop")
    stopping = False

    def _stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, _stop)
    try:
        while not stopping:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    down()


def down() -> None:
    """Stop what ``celeriac up`` started: workers, beat, web, then embedded services."""
    with console.status("stopping") as status:
        stopped = deployment.down(var_root(), progress=lambda step: status.update(f"stopping: {step}"))
    console.print(f"stopped: {', '.join(stopped) if stopped else 'nothing was running'}")
