"""``celeriac compare``: the legacy path and Celery on the same jobs, field by field, with p99 per path."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from celeriac.cli.common import REFERENCE_APP, console, fail, load_app
from celeriac.cli.exit import ExitStatus
from celeriac.cli.render import emit, progress_bars
from celeriac.errors import CeleriacError
from celeriac.ops.compare import PATHS, SourceError, load_source, run_compare
from celeriac.ops.report import Report


def examples_table(report: Report) -> Table:
    """Each quoted mismatch with both paths' values, whitespace made visible."""
    table = Table(title="differences (first examples)", title_justify="left")
    for col in ("job", "field", "legacy", "celery"):
        table.add_column(col, overflow="fold")
    for ex in report.summary.get("examples", []):
        if ex["outcome"] == "missing":
            table.add_row(ex["job"], "(result)", *("missing" if p in ex["missing"] else "in" for p in PATHS))
            continue
        for d in ex["differences"]:
            table.add_row(ex["job"], d["field"], repr(d["legacy"]), repr(d["celery"]))
    return table


def compare(
    app: Annotated[str, typer.Option("-A", "--app", help="Celery app, as for celery -A")] = REFERENCE_APP,
    jobs: Annotated[
        int | None, typer.Option("--jobs", "-n", help="run this many jobs through both paths now")
    ] = None,
    stored: Annotated[
        bool, typer.Option("--stored", help="report the results stored by live traffic (mirror mode)")
    ] = False,
    since: Annotated[
        float | None, typer.Option(help="with --stored: only the last SECONDS of traffic")
    ] = None,
    limit: Annotated[int, typer.Option(help="with --stored: at most this many jobs, newest first")] = 10_000,
    timeout: Annotated[
        float, typer.Option(help="with --jobs: seconds to wait for results; later ones are missing")
    ] = 300.0,
    source: Annotated[
        str | None, typer.Option(help="module:attr of the compare source (default: the app's setting)")
    ] = None,
    fail_on_mismatch: Annotated[
        bool, typer.Option("--fail-on-mismatch", help="exit 1 on any mismatch or missing result (CI)")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
    junit: Annotated[Path | None, typer.Option(help="write the report as JUnit XML")] = None,
) -> None:
    """Compare the legacy path with Celery: output, exit code, error and verdict; throughput and p99."""
    if (jobs is None) == (not stored):
        fail("give --jobs N (a fresh dual run) or --stored (live traffic), one of them", ExitStatus.USAGE)
    if jobs is not None and jobs < 1:
        fail("--jobs must be at least 1", ExitStatus.USAGE)
    celery_app = load_app(app)
    try:
        src = load_source(celery_app, source)
        with progress_bars() as update:
            report = run_compare(
                src,
                target=app,
                jobs=jobs,
                since_s=since,
                limit=limit,
                timeout_s=timeout,
                fail_on_mismatch=fail_on_mismatch,
                progress=update,
            )
    except SourceError as exc:
        fail(str(exc), ExitStatus.USAGE)
    except KeyboardInterrupt:
        fail("interrupted; jobs already sent keep running on both paths", ExitStatus.INTERRUPTED)
    except CeleriacError as exc:
        fail(str(exc), ExitStatus.SERVICE)
    except Exception as exc:  # a broker, queue or database error mid-run: one line, not a traceback
        fail(f"compare stopped: {type(exc).__name__}: {exc}", ExitStatus.SERVICE)
    if not as_json and report.summary.get("examples"):
        console.print(examples_table(report))
    emit(report, as_json=as_json, junit=junit)


if __name__ == "__main__":  # `python -m celeriac.cli.compare`, before the command is registered in main
    typer.run(compare)
