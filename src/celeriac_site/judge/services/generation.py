"""Test generation: generator code (LLM or input spec) run in the sandbox; reference outputs (≤ 5 queries)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction

from celeriac_site.judge import llm
from celeriac_site.judge.models import JobStatus, Problem, ScriptGenerationJob, TestCase
from celeriac_site.judge.services.specgen import SpecError, compile_generator

#: Rows per INSERT / UPDATE statement (seed 001: batches of 100).
BATCH_SIZE = 100
#: Generators and reference solutions get the problem's limits, but never less than this.
GENERATOR_TIME_MS = 5000
SPEC_SOURCE = "spec:v1"

GENERATOR_PROMPT = (
    "Write a Python 3 program that prints ONE random valid test input for this problem. It reads an integer "
    "seed from stdin and must use random.Random(seed). Print only the input. Answer with one ```python code "
    "block.\nTitle: {title}\nConstraints:\n{constraints}"
)


class GenerationError(RuntimeError):
    """A generator or reference solution did not produce usable output; the message says which run."""


def run_all(language: str, source: str, stdins: Sequence[str], *, time_ms: int, memory_mb: int) -> list[str]:
    """Compile once, run once per stdin in the sandbox; the stdout of each run, or GenerationError."""
    from celeriac_site.judge.sandbox import SandboxError, SandboxUnavailable, UnknownLanguage

    try:
        return _run_all(language, source, stdins, time_ms=time_ms, memory_mb=memory_mb)
    except (SandboxError, SandboxUnavailable, UnknownLanguage) as exc:
        raise GenerationError(f"the sandbox refused or failed: {exc}") from None


def _run_all(language: str, source: str, stdins: Sequence[str], *, time_ms: int, memory_mb: int) -> list[str]:
    from celeriac_site.judge.sandbox import Limits, Verdict, default_sandbox, get_language, judge_run

    lang = get_language(language)
    limits = Limits(time_ms=max(time_ms, GENERATOR_TIME_MS), memory_mb=memory_mb, output_kb=16 * 1024)
    outputs = []
    with default_sandbox().box(lang.key, limits) as box:
        compiled = box.compile(source)
        if compiled.internal_error is not None:
            raise GenerationError(f"the sandbox failed: {compiled.internal_error}")
        if not compiled.ok:
            raise GenerationError(f"does not compile: {compiled.output[:300]}")
        for i, stdin in enumerate(stdins):
            outcome = box.run(stdin)
            # No expected output: only the resource and exit verdicts matter (WA means "ran fine").
            judged = judge_run(
                i,
                outcome,
                b"",
                time_limit_ms=limits.time_ms,
                memory_mb=limits.memory_mb,
                oom_markers=lang.oom_markers,
            )
            if judged.verdict not in (Verdict.AC, Verdict.WA):
                raise GenerationError(f"run {i} ended {judged.verdict.value}: {judged.detail}")
            outputs.append(outcome.stdout.decode("utf-8", "replace"))
    return outputs


def _generator_code(job: ScriptGenerationJob) -> tuple[str, str]:
    """``(source code, recorded source)``: the LLM when configured and no spec is given, else the spec."""
    if job.input_spec is not None:
        return compile_generator(job.input_spec, job.constraints), SPEC_SOURCE
    provider = llm.provider()
    if provider is None:
        raise SpecError("no input spec and no LLM provider configured")
    answer = provider.chat(
        [
            {
                "role": "user",
                "content": GENERATOR_PROMPT.format(
                    title=job.title, constraints=job.constraints or "(none given)"
                ),
            }
        ]
    )
    return llm.code_block(answer), provider.name


def generate_script(job_id: int) -> dict[str, Any]:
    """Lock the job (skip if another worker holds it or it is done), generate, bulk-create, complete.

    The row lock is held for the whole generation: a duplicate message finds it locked and skips it;
    a worker killed mid-way releases it, and the redelivered message starts over.
    """
    with transaction.atomic():
        job = (
            ScriptGenerationJob.objects.select_for_update(skip_locked=True)
            .filter(pk=job_id, status__in=[JobStatus.PENDING, JobStatus.PROCESSING])
            .first()
        )
        if job is None:
            return {"job": job_id, "skipped": True, "reason": "already processed or being processed"}
        try:
            code, source = _generator_code(job)
            inputs = run_all(
                "python",
                code,
                [f"{seed}\n" for seed in range(job.num_cases)],
                time_ms=GENERATOR_TIME_MS,
                memory_mb=256,
            )
        except (SpecError, GenerationError, llm.LLMError) as exc:
            ScriptGenerationJob.objects.filter(pk=job.pk).update(
                status=JobStatus.FAILED, error=str(exc)[:2000]
            )
            return {"job": job.pk, "status": JobStatus.FAILED.value, "error": str(exc)}
        problem_pk = job.target_id or (  # set by the API; a job created by hand is looked up
            Problem.objects.filter(platform=job.platform, problem_id=job.problem_id)
            .values_list("pk", flat=True)
            .first()
        )
        if problem_pk is None:
            problem_pk = Problem.objects.create(
                platform=job.platform, problem_id=job.problem_id, title=job.title, constraints=job.constraints
            ).pk
        TestCase.objects.bulk_create(
            [
                TestCase(
                    problem_id=problem_pk, position=1000 + i, input=text, source=TestCase.Source.GENERATED
                )
                for i, text in enumerate(inputs)
            ],
            batch_size=BATCH_SIZE,
        )
        ScriptGenerationJob.objects.filter(pk=job.pk).update(
            status=JobStatus.COMPLETED,
            generator_code=code,
            generator_source=source[:32],
            cases_created=len(inputs),
        )
    return {"job": job.pk, "status": JobStatus.COMPLETED.value, "cases": len(inputs), "source": source}


def generate_outputs(platform: str, problem_id: str) -> dict[str, Any]:
    """Run the reference solution over every input and store the outputs in one bulk update."""
    problem = (
        Problem.objects.only(
            "id", "reference_language", "reference_solution", "time_limit_ms", "memory_limit_mb"
        )
        .filter(platform=platform, problem_id=problem_id)
        .first()
    )
    if problem is None:
        return {"ok": False, "error": f"no problem {platform}/{problem_id}"}
    if not problem.reference_solution:
        return {"ok": False, "error": "the problem has no reference solution"}
    tests = list(TestCase.objects.filter(problem_id=problem.pk).only("id", "input"))
    try:
        outputs = run_all(
            problem.reference_language,
            problem.reference_solution,
            [t.input for t in tests],
            time_ms=problem.time_limit_ms * 2,
            memory_mb=problem.memory_limit_mb,
        )
    except GenerationError as exc:
        return {"ok": False, "error": f"reference solution: {exc}"}
    for t, out in zip(tests, outputs, strict=True):
        t.expected_output = out
    TestCase.objects.bulk_update(tests, ["expected_output"], batch_size=BATCH_SIZE)
    return {"ok": True, "updated": len(tests)}


def delete_job(job_id: int) -> int:
    deleted, _ = ScriptGenerationJob.objects.filter(pk=job_id).delete()
    return deleted
