"""The dual-write gateway: route each job by the switches read now, send it, survive a path that is down."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import redis
from django.conf import settings

from celeriac_site.bridge.models import BridgeSettings, Evaluation
from celeriac_site.bridge.services.jobspec import JobSpec
from celeriac_site.bridge.services.legacy_queue import LegacyQueue
from celeriac_site.bridge.services.routing import PathName, Route, Switches, after_send_failure, route
from celeriac_site.judge.models import Problem

log = logging.getLogger("celeriac.bridge")


class NoPathError(RuntimeError):
    """Neither path accepted the job (both queues unreachable); the message has both errors."""


@lru_cache(maxsize=4)
def legacy_queue(url: str | None = None) -> LegacyQueue:
    """The API's client of the queue Redis (one connection pool per process and URL)."""
    return LegacyQueue.from_url(url or settings.BRIDGE_REDIS_URL)


def spec_for(job_id: str, language: str, code: str, problem: Problem, tests: Sequence[Any]) -> JobSpec:
    """The job as both paths run it, from the judge's problem and its tests."""
    return JobSpec(
        job_id=job_id,
        language=language,
        code=code,
        tests=tuple((t[0], t[1]) for t in tests),
        time_limit_ms=problem.time_limit_ms,
        memory_limit_mb=problem.memory_limit_mb,
        checker=problem.checker,
    )


def problem_tests(problem_id: int) -> list[tuple[str, str]]:
    from celeriac_site.judge.models import TestCase

    rows = TestCase.objects.filter(problem_id=problem_id).order_by("position", "id")
    return list(rows.values_list("input", "expected_output"))


def submit(
    problem: Problem,
    language: str,
    code: str,
    user_identifier: str,
    *,
    tests: Sequence[tuple[str, str]],
    switches: Switches | None = None,
) -> Evaluation:
    """Record the job, then send it where the switches say. The row exists before any send, so a job the
    gateway accepted is never lost; a path that refuses the send hands the answer to the other one."""
    sw = switches or BridgeSettings.load().switches()
    job_id = uuid.uuid4().hex
    planned = route(sw, job_id)
    ev = Evaluation.objects.create(
        job_id=job_id,
        problem=problem,
        language=language,
        code=code,
        user_identifier=user_identifier,
        mode=sw.mode.value,
        answer_path=planned.answer.value,
        mirrored=planned.both,
        sent_legacy=PathName.LEGACY in planned.paths,
        sent_celery=PathName.CELERY in planned.paths,
    )
    errors = _send(ev, planned, spec_for(job_id, language, code, problem, tests))
    if errors:
        final = after_send_failure(planned, frozenset(errors))
        ev.send_error = "; ".join(f"{path} send failed: {msg}" for path, msg in sorted(errors.items()))
        ev.sent_legacy = final is not None and PathName.LEGACY in final.paths
        ev.sent_celery = final is not None and PathName.CELERY in final.paths
        if final is not None:
            ev.answer_path = final.answer.value
        ev.save(update_fields=["send_error", "sent_legacy", "sent_celery", "answer_path"])
        if final is None:
            raise NoPathError(ev.send_error)
        log.warning("bridge job %s: %s; answered by %s", job_id, ev.send_error, ev.answer_path)
    return ev


def _send(ev: Evaluation, planned: Route, spec: JobSpec) -> dict[PathName, str]:
    from celeriac_site.bridge.tasks import evaluate_task

    errors: dict[PathName, str] = {}
    if PathName.LEGACY in planned.paths:
        try:
            legacy_queue().enqueue(spec)
        except redis.RedisError as exc:
            errors[PathName.LEGACY] = _one_line(exc)
    if PathName.CELERY in planned.paths:
        try:
            # The job id is the task id: Flower, the result backend and the logs all name the job.
            evaluate_task.apply_async((ev.job_id,), task_id=ev.job_id)
        except Exception as exc:  # kombu/redis raise many types when the broker is down
            errors[PathName.CELERY] = _one_line(exc)
    return errors


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:300]
