"""Entry point: registers the commands; each lives in its own module."""

from __future__ import annotations

import typer

from celeriac.cli import chaos, compare, demo, doctor, fleet, load, updown, verify

app = typer.Typer(
    name="celeriac",
    help="Celery, production-ready and proven: run, inspect and prove a Celery deployment.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("up")(updown.up)
app.command("down")(updown.down)
app.command("fleet")(fleet.fleet)
app.command("demo")(demo.demo)
app.command("doctor")(doctor.doctor)
app.command("verify")(verify.verify)
app.command("load")(load.load)
app.command("chaos")(chaos.chaos)
app.command("compare")(compare.compare)


def run() -> None:
    app()
