"""The bridge's JSON HTTP API (django-ninja): submit a job, poll its answer, read the comparisons."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, NinjaAPI, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import LimitOffsetPagination, paginate

from celeriac_site.bridge.models import BridgeSettings, Comparison, Evaluation, Outcome
from celeriac_site.bridge.services import answers, gateway, summary
from celeriac_site.judge.models import Problem
from celeriac_site.judge.services.validation import SubmissionError, check_submission

api = NinjaAPI(title="Celeriac legacy bridge", version="1", urls_namespace="bridge-api")

#: Window of the live report (GET /report): recent enough to follow a cut-over as it happens.
LIVE_WINDOW_S = 900


class Error(Schema):
    error: str


class EvaluationIn(Schema):
    problem: int
    language: str
    code: str
    user_identifier: str = Field(min_length=1, max_length=254)


class Accepted(Schema):
    id: str
    status_url: str
    answer_path: str
    paths: list[str]


class AnswerOut(Schema):
    id: str
    status: str
    mode: str
    answer_path: str
    answered_by: str | None
    fallback: bool
    result: dict[str, Any] | None
    error: str


class ComparisonOut(Schema):
    id: str
    outcome: str
    missing: str
    note: str
    late: bool
    differences: list[dict[str, Any]]
    legacy: dict[str, Any] | None
    celery: dict[str, Any] | None


@api.exception_handler(NinjaValidationError)
def _validation(request: HttpRequest, exc: NinjaValidationError) -> Any:
    first = exc.errors[0] if exc.errors else {}
    where = ".".join(str(p) for p in first.get("loc", []) if p not in ("body", "payload"))
    return api.create_response(request, {"error": f"{where}: {first.get('msg', 'invalid')}"}, status=422)


@api.post("/evaluations", response={202: Accepted, 404: Error, 422: Error, 503: Error})
def submit(request: HttpRequest, body: EvaluationIn) -> Any:
    """Send a job where the switches say (read now: a switch applies to the next request)."""
    try:
        check_submission(body.code, body.language)
    except SubmissionError as exc:
        return Status(422, {"error": str(exc)})
    problem = Problem.objects.filter(pk=body.problem).first()
    if problem is None:
        return Status(404, {"error": f"no problem {body.problem}"})
    tests = gateway.problem_tests(problem.pk)
    if not tests:
        return Status(
            422, {"error": f"problem {body.problem} has no test cases: nothing would prove an answer"}
        )
    try:
        ev = gateway.submit(problem, body.language, body.code, body.user_identifier, tests=tests)
    except gateway.NoPathError as exc:
        return Status(503, {"error": f"no path accepted the job: {exc}"})
    paths = [p for p, sent in (("legacy", ev.sent_legacy), ("celery", ev.sent_celery)) if sent]
    return Status(
        202,
        {
            "id": ev.job_id,
            "status_url": f"/api/bridge/evaluations/{ev.job_id}",
            "answer_path": ev.answer_path,
            "paths": paths,
        },
    )


@api.get("/evaluations/{job_id}", response={200: AnswerOut, 404: Error})
def poll(request: HttpRequest, job_id: str) -> Any:
    ev = Evaluation.objects.filter(job_id=job_id).first()
    if ev is None:
        return Status(404, {"error": f"no job {job_id}"})
    return Status(200, answers.answer(ev))


@api.get("/comparisons", response=list[ComparisonOut])
@paginate(LimitOffsetPagination)
def comparisons(request: HttpRequest, outcome: str | None = None) -> Any:
    """Stored comparisons, newest first, each with both payloads; ``?outcome=mismatch`` to filter."""
    qs = Comparison.objects.select_related("evaluation").order_by("-compared_at")
    if outcome is not None:
        # An unknown outcome filters everything out rather than being ignored.
        qs = qs.filter(outcome=outcome if outcome in Outcome.values else "")
    return [
        ComparisonOut(
            id=c.evaluation.job_id,
            outcome=c.outcome,
            missing=c.missing,
            note=c.note,
            late=c.late,
            differences=c.differences,
            legacy=c.evaluation.legacy_result,
            celery=c.evaluation.celery_result,
        )
        for c in qs
    ]


@api.get("/report", response={200: dict[str, Any]})
def report(request: HttpRequest) -> Any:
    """The switches, the live comparison of the last 15 minutes and the latest stored summary."""
    from celeriac_site.bridge.models import Summary

    sw = BridgeSettings.load()
    latest = Summary.objects.order_by("-period_end").first()
    return Status(
        200,
        {
            "switches": {
                "mode": sw.mode,
                "answer_path": sw.effective_answer,
                "shadow_percentage": sw.shadow_percentage,
                "fallback_after_s": sw.fallback_after_s,
                "result_timeout_s": sw.result_timeout_s,
            },
            "live": summary.live(LIVE_WINDOW_S),
            "latest_summary": None
            if latest is None
            else {
                "period_start": latest.period_start.isoformat(),
                "period_end": latest.period_end.isoformat(),
                **latest.data,
            },
        },
    )
