"""``manage.py check_ai_models``: load every model, report versions, self-test on bundled images."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from dataclasses import asdict
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.table import Table

from celeriac_site.media.pipeline import selftest


class Command(BaseCommand):
    help = "Load every model from its package, print versions and self-test them; exit 1 on any failure."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        report = selftest.run()
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "ok": report.ok,
                        "checks": [asdict(c) for c in report.checks],
                        "versions": report.versions,
                    }
                )
            )
        else:
            console = Console(file=cast(IO[str], self.stdout), force_terminal=False, width=120)
            checks = Table("check", "result", "ms", "detail", title="AI models self-test")
            for c in report.checks:
                checks.add_row(c.name, "ok" if c.ok else "FAILED", f"{c.ms:.0f}", c.detail)
            console.print(checks)
            versions = Table("component", "version", title="Versions (all from installed packages)")
            for name, value in report.versions.items():
                versions.add_row(name, value)
            console.print(versions)
        if not report.ok:
            raise CommandError(
                "AI model self-test failed: " + "; ".join(c.name for c in report.checks if not c.ok)
            )
