"""The judge's JSON HTTP API (django-ninja: validation, pagination and the OpenAPI schema)."""

from __future__ import annotations

import uuid
from typing import Any

from celery.result import AsyncResult
from django.db import transaction
from django.http import HttpRequest
from ninja import Field, NinjaAPI, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import LimitOffsetPagination, paginate

from celeriac_site.judge.models import (
    Checker,
    JobStatus,
    Problem,
    ScriptGenerationJob,
    SearchHistory,
    SubmissionStatus,
    TestCase,
)
from celeriac_site.judge.services.specgen import SpecError, normalise
from celeriac_site.judge.services.validation import MAX_CODE_BYTES, SubmissionError, check_submission

api = NinjaAPI(title="Celeriac judge", version="1", urls_namespace="judge-api")

MAX_TEST_BYTES = 8 * 1024 * 1024


class Error(Schema):
    error: str


class TestIn(Schema):
    input: str = Field(max_length=MAX_TEST_BYTES)
    expected_output: str = Field("", max_length=MAX_TEST_BYTES)
    source: TestCase.Source = TestCase.Source.MANUAL


class ProblemIn(Schema):
    platform: str = Field("local", min_length=1, max_length=32, pattern=r"^[a-z0-9_-]+$")
    problem_id: str = Field(min_length=1, max_length=64)
    title: str = Field(min_length=1, max_length=300)
    statement: str = ""
    constraints: str = ""
    time_limit_ms: int = Field(2000, ge=100, le=20_000)
    memory_limit_mb: int = Field(256, ge=16, le=2048)
    checker: Checker = Checker.WHITESPACE
    float_tolerance: float = Field(1e-6, gt=0, le=1)
    reference_language: str = ""
    reference_solution: str = Field("", max_length=MAX_CODE_BYTES)
    tests: list[TestIn] = Field(default_factory=list, max_length=500)


class ProblemOut(Schema):
    id: int
    platform: str
    problem_id: str
    title: str
    time_limit_ms: int
    memory_limit_mb: int
    checker: str
    submission_count: int
    accepted_count: int
    test_count: int = 0


class SubmissionIn(Schema):
    problem: int
    language: str
    code: str
    user_identifier: str = Field(min_length=1, max_length=254)
    is_code_public: bool = False
    callback_url: str = Field("", max_length=500, pattern=r"^(https?://.+)?$")


class SubmissionOut(Schema):
    id: str
    status: str
    verdict: str = ""
    passed: int = 0
    failed: int = 0
    total: int = 0
    error: str = ""
    compile_output: str = ""
    tests: list[dict[str, Any]] = []
    hints: list[str] | None = None
    hints_source: str = ""


class JobIn(Schema):
    platform: str = Field("local", min_length=1, max_length=32)
    problem_id: str = Field(min_length=1, max_length=64)
    title: str = Field(min_length=1, max_length=300)
    language: str = "python"
    constraints: str = ""
    input_spec: dict[str, Any] | None = None
    num_cases: int = Field(10, ge=1, le=100)  # one INSERT batch: keeps the task within its query budget


class JobOut(Schema):
    id: int
    status: str
    generator_source: str
    cases_created: int
    error: str


class ExtractIn(Schema):
    url: str = Field(pattern=r"^https?://", max_length=500)


class Accepted(Schema):
    id: str
    status_url: str


@api.exception_handler(NinjaValidationError)
def _validation(request: HttpRequest, exc: NinjaValidationError) -> Any:
    first = exc.errors[0] if exc.errors else {}
    where = ".".join(str(p) for p in first.get("loc", []) if p not in ("body", "payload"))
    return api.create_response(request, {"error": f"{where}: {first.get('msg', 'invalid')}"}, status=422)


def _problem_out(p: Problem, test_count: int = 0) -> ProblemOut:
    return ProblemOut(
        id=p.pk,
        platform=p.platform,
        problem_id=p.problem_id,
        title=p.title,
        time_limit_ms=p.time_limit_ms,
        memory_limit_mb=p.memory_limit_mb,
        checker=p.checker,
        submission_count=p.submission_count,
        accepted_count=p.accepted_count,
        test_count=test_count,
    )


@api.post("/problems", response={201: ProblemOut, 409: Error, 422: Error})
def create_problem(request: HttpRequest, body: ProblemIn) -> Any:
    if body.reference_solution and body.reference_language:
        try:
            check_submission(body.reference_solution, body.reference_language)
        except SubmissionError as exc:
            return Status(422, {"error": f"reference_solution: {exc}"})
    if Problem.objects.filter(platform=body.platform, problem_id=body.problem_id).exists():
        return Status(409, {"error": f"problem {body.platform}/{body.problem_id} exists"})
    with transaction.atomic():
        data = body.dict(exclude={"tests"})
        problem = Problem.objects.create(**data)
        TestCase.objects.bulk_create(
            [TestCase(problem=problem, position=i, **t.dict()) for i, t in enumerate(body.tests)],
            batch_size=100,
        )
    return Status(201, _problem_out(problem, len(body.tests)))


@api.get("/problems", response=list[ProblemOut])
@paginate(LimitOffsetPagination)
def list_problems(request: HttpRequest, platform: str | None = None) -> Any:
    qs = Problem.objects.order_by("-created")
    if platform:
        qs = qs.filter(platform=platform)
    return [_problem_out(p) for p in qs]


@api.get("/problems/{pk}", response={200: ProblemOut, 404: Error})
def get_problem(request: HttpRequest, pk: int) -> Any:
    p = Problem.objects.filter(pk=pk).first()
    if p is None:
        return Status(404, {"error": f"no problem {pk}"})
    return Status(200, _problem_out(p, p.test_cases.count()))


@api.post("/problems/{pk}/tests", response={201: dict[str, int], 404: Error, 422: Error})
def add_tests(request: HttpRequest, pk: int, tests: list[TestIn]) -> Any:
    if not Problem.objects.filter(pk=pk).exists():
        return Status(404, {"error": f"no problem {pk}"})
    if not tests or len(tests) > 500:
        return Status(422, {"error": "send 1 to 500 tests"})
    start = TestCase.objects.filter(problem_id=pk).count()
    TestCase.objects.bulk_create(
        [TestCase(problem_id=pk, position=start + i, **t.dict()) for i, t in enumerate(tests)], batch_size=100
    )
    return Status(201, {"added": len(tests), "total": start + len(tests)})


@api.post("/problems/{pk}/outputs", response={202: Accepted, 404: Error, 422: Error})
def generate_outputs(request: HttpRequest, pk: int) -> Any:
    from celeriac_site.judge.tasks import generate_outputs_task

    p = Problem.objects.filter(pk=pk).only("platform", "problem_id", "reference_solution").first()
    if p is None:
        return Status(404, {"error": f"no problem {pk}"})
    if not p.reference_solution:
        return Status(422, {"error": "the problem has no reference solution"})
    r = generate_outputs_task.delay(p.platform, p.problem_id)
    return Status(202, {"id": r.id, "status_url": f"/api/judge/tasks/{r.id}"})


@api.post("/submissions", response={202: Accepted, 404: Error, 422: Error})
def submit(request: HttpRequest, body: SubmissionIn) -> Any:
    from celeriac_site.judge.tasks import execute_code_task, notify_callback_task

    try:
        check_submission(body.code, body.language)
    except SubmissionError as exc:
        return Status(422, {"error": str(exc)})
    if not Problem.objects.filter(pk=body.problem).exists():
        return Status(404, {"error": f"no problem {body.problem}"})
    task_id = str(uuid.uuid4())
    # The row exists before the message is sent: a submission the API accepted is never lost.
    SearchHistory.objects.create(
        task_id=task_id,
        user_identifier=body.user_identifier,
        problem_id=body.problem,
        code=body.code,
        language=body.language,
        is_code_public=body.is_code_public,
        callback_url=body.callback_url,
    )
    link = notify_callback_task.si(task_id) if body.callback_url else None
    execute_code_task.apply_async(
        (body.code, body.language, body.problem, None, body.user_identifier, body.is_code_public),
        task_id=task_id,
        link=link,
    )
    return Status(202, {"id": task_id, "status_url": f"/api/judge/submissions/{task_id}"})


def _submission_out(h: SearchHistory) -> SubmissionOut:
    return SubmissionOut(
        id=h.task_id or str(h.pk),
        status=h.status,
        verdict=h.verdict,
        passed=h.passed_count,
        failed=h.failed_count,
        total=h.total_count,
        error=h.error,
        compile_output=h.compile_output,
        tests=h.test_results or [],
        hints=h.hints,
        hints_source=h.hints_source,
    )


@api.get("/submissions/{sid}", response={200: SubmissionOut, 404: Error})
def get_submission(request: HttpRequest, sid: str) -> Any:
    h = SearchHistory.objects.filter(task_id=sid).first()
    if h is None:
        return Status(404, {"error": f"no submission {sid}"})
    return Status(200, _submission_out(h))


@api.get("/submissions", response=list[SubmissionOut])
@paginate(LimitOffsetPagination)
def list_submissions(request: HttpRequest, user_identifier: str | None = None) -> Any:
    qs = SearchHistory.objects.order_by("-created")
    if user_identifier:
        qs = qs.filter(user_identifier=user_identifier)
    return [_submission_out(h) for h in qs]


@api.post("/submissions/{sid}/hints", response={202: Accepted, 404: Error, 409: Error})
def ask_hints(request: HttpRequest, sid: str) -> Any:
    from celeriac_site.judge.tasks import generate_hints_task

    h = SearchHistory.objects.filter(task_id=sid).only("id", "status").first()
    if h is None:
        return Status(404, {"error": f"no submission {sid}"})
    if h.status == SubmissionStatus.QUEUED:
        return Status(409, {"error": "the submission is not judged yet"})
    r = generate_hints_task.delay(h.pk)
    return Status(202, {"id": r.id, "status_url": f"/api/judge/submissions/{sid}"})


@api.post("/jobs", response={202: JobOut, 422: Error})
def create_job(request: HttpRequest, body: JobIn) -> Any:
    from celeriac_site.judge import llm
    from celeriac_site.judge.tasks import generate_script_task

    if body.input_spec is None and llm.configured() is None:
        return Status(422, {"error": "input_spec is required when no LLM provider is configured"})
    if body.input_spec is not None:
        try:
            normalise(body.input_spec, body.constraints)
        except SpecError as exc:
            return Status(422, {"error": f"input_spec: {exc}"})
    target, _ = Problem.objects.get_or_create(
        platform=body.platform,
        problem_id=body.problem_id,
        defaults={"title": body.title, "constraints": body.constraints},
    )
    job = ScriptGenerationJob.objects.create(target=target, **body.dict())
    generate_script_task.delay(job.pk)
    return Status(202, _job_out(job))


def _job_out(job: ScriptGenerationJob) -> JobOut:
    return JobOut(
        id=job.pk,
        status=job.status,
        generator_source=job.generator_source,
        cases_created=job.cases_created,
        error=job.error,
    )


@api.get("/jobs/{pk}", response={200: JobOut, 404: Error})
def get_job(request: HttpRequest, pk: int) -> Any:
    job = ScriptGenerationJob.objects.filter(pk=pk).first()
    if job is None:
        return Status(404, {"error": f"no job {pk}"})
    return Status(200, _job_out(job))


@api.post("/extract", response={202: Accepted})
def extract(request: HttpRequest, body: ExtractIn) -> Any:
    from celeriac_site.judge.tasks import extract_problem_info_task

    r = extract_problem_info_task.delay(body.url)
    return Status(202, {"id": r.id, "status_url": f"/api/judge/tasks/{r.id}"})


@api.get("/tasks/{task_id}", response={200: dict[str, Any]})
def task_status(request: HttpRequest, task_id: str) -> Any:
    """State of any judge task; the result when it succeeded, the error when it failed."""
    r = AsyncResult(task_id)
    out: dict[str, Any] = {"id": task_id, "state": r.state}
    if r.state == "SUCCESS":
        out["result"] = r.result
    elif r.state == "FAILURE":
        out["error"] = f"{type(r.result).__name__}: {r.result}"
    return Status(200, out)


__all__ = ["JobStatus", "api"]
