"""Judge one submission: compile once, run every test in the sandbox, record verdicts (3-4 queries).

Runs in autocommit, as Celery tasks do: the duplicate-row check relies on the INSERT failing alone.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError
from django.db.models import F
from django.utils import timezone

from celeriac_site.judge.models import Problem, SearchHistory, SubmissionStatus, TestCase
from celeriac_site.judge.services.validation import SubmissionError, check_submission


def limits_for(problem: Problem) -> Any:
    from celeriac_site.judge.sandbox import Limits

    return Limits(time_ms=problem.time_limit_ms, memory_mb=problem.memory_limit_mb)


def checker_for(problem: Problem) -> Any:
    from celeriac_site.judge.sandbox import Checker

    return Checker(problem.checker)


def _problem_and_tests(problem_id: int) -> tuple[Problem, list[TestCase]]:
    """One query for the tests with their problem; a second only when the problem has no tests."""
    fields = (
        "input",
        "expected_output",
        "position",
        "problem__id",
        "problem__time_limit_ms",
        "problem__memory_limit_mb",
        "problem__checker",
        "problem__float_tolerance",
    )
    tests = list(TestCase.objects.filter(problem_id=problem_id).select_related("problem").only(*fields))
    if tests:
        return tests[0].problem, tests
    return Problem.objects.only(*(f.split("__")[1] for f in fields[3:])).get(pk=problem_id), []


def evaluate_submission(code: str, language: str, problem: Problem, tests: list[TestCase]) -> dict[str, Any]:
    """The verdict fields to store. Any doubt is IE, never AC (the sandbox fails closed too)."""
    from celeriac_site.judge.sandbox import Evaluation, Verdict, evaluate

    if not tests:
        return {"verdict": Verdict.IE.value, "error": "the problem has no test cases", "test_results": []}
    ev: Evaluation = evaluate(
        language,
        code,
        [(t.input, t.expected_output) for t in tests],
        limits=limits_for(problem),
        checker=checker_for(problem),
        tolerance=problem.float_tolerance,
    )
    data = ev.to_dict()
    return {
        "verdict": ev.verdict.value,
        "compile_output": ev.compile_output[:10_000],
        "test_results": data["tests"],
        "passed_count": ev.passed,
        "failed_count": ev.failed,
        "total_count": len(tests),
    }


def execute(
    code: str,
    language: str,
    problem_id: int,
    user_id: int | None,
    user_identifier: str,
    is_code_public: bool,
    task_id: str | None,
) -> dict[str, Any]:
    """Judge and record. A submission made through the API already has its row (keyed by task id)."""
    problem, tests = _problem_and_tests(problem_id)
    try:
        check_submission(code, language)
        fields = evaluate_submission(code, language, problem, tests)
        status = SubmissionStatus.COMPLETED
    except SubmissionError as exc:
        fields, status = {"verdict": "", "error": str(exc)}, SubmissionStatus.FAILED
    fields.update(status=status, finished=timezone.now())
    updated = SearchHistory.objects.filter(task_id=task_id, status=SubmissionStatus.QUEUED).update(**fields)
    if not updated:
        # Called directly (the seeds' way), the row does not exist yet. The unique task id makes a
        # redelivery of an already judged message fail here instead of being counted twice.
        try:
            SearchHistory.objects.create(
                task_id=task_id,
                user_id=user_id,
                user_identifier=user_identifier,
                problem_id=problem.pk,
                code=code,
                language=language,
                is_code_public=is_code_public,
                **fields,
            )
        except IntegrityError:
            return _summary(fields)
    accepted = 1 if fields.get("verdict") == "AC" else 0
    Problem.objects.filter(pk=problem.pk).update(
        submission_count=F("submission_count") + 1, accepted_count=F("accepted_count") + accepted
    )
    return _summary(fields)


def _summary(fields: dict[str, Any]) -> dict[str, Any]:
    return {
        "status": str(fields["status"]),
        "verdict": fields.get("verdict", ""),
        "passed": fields.get("passed_count", 0),
        "failed": fields.get("failed_count", 0),
        "total": fields.get("total_count", 0),
        "error": fields.get("error", ""),
        "tests": [
            {k: t.get(k) for k in ("index", "verdict", "time_ms", "memory_kb")}
            for t in fields.get("test_results", [])
        ],
    }
