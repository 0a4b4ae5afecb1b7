"""``manage.py load_problemset``: the judge's shipped problems, ready to submit to."""

from typing import Any

from django.core.management.base import BaseCommand

from celeriac_site.judge.problemset.load import load


class Command(BaseCommand):
    help = "Load the shipped problem set (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        problems = load()
        self.stdout.write(f"{len(problems)} problems: " + ", ".join(p.problem_id for p in problems))
