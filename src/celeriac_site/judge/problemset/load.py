"""Put the shipped problem set into the database (idempotent: existing problems are left alone)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from celeriac_site.judge.models import Problem, TestCase
from celeriac_site.judge.problemset.problems import PROBLEMS, ProblemSpec

PLATFORM = "local"


def load(problems: Iterable[ProblemSpec] = PROBLEMS, *, with_outputs: bool = True) -> list[Problem]:
    """Create missing problems; ``with_outputs=False`` leaves outputs for ``generate_outputs_task``."""
    out = []
    for spec in problems:
        with transaction.atomic():
            problem, created = Problem.objects.get_or_create(
                platform=PLATFORM,
                problem_id=spec.problem_id,
                defaults={
                    "title": spec.title,
                    "statement": spec.statement,
                    "checker": spec.checker,
                    "time_limit_ms": spec.time_limit_ms,
                    "memory_limit_mb": spec.memory_limit_mb,
                    "reference_language": "python",
                    "reference_solution": spec.reference,
                },
            )
            if created:
                TestCase.objects.bulk_create(
                    TestCase(
                        problem=problem,
                        position=i,
                        input=inp,
                        expected_output=exp if with_outputs else "",
                        source=TestCase.Source.MANUAL,
                    )
                    for i, (inp, exp) in enumerate(spec.tests)
                )
        out.append(problem)
    return out
