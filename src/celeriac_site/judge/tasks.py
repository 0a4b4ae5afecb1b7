"""Celery wiring of the judge; names and arguments are the seeds' own. Logic lives in services/."""

from __future__ import annotations

from typing import Any

from celeriac import ReliableTask, task
from celeriac.contrib.django.caching import invalidate
from celeriac_site.judge import workloads as wl
from celeriac_site.judge.services import caches, execution, extraction, generation, hinting, notify


@task(wl.EXECUTE_CODE, bind=True)
def execute_code_task(
    self: ReliableTask,
    code: str,
    language: str,
    problem_id: int,
    user_id: int | None,
    user_identifier: str,
    is_code_public: bool,
) -> dict[str, Any]:
    return execution.execute(
        code, language, problem_id, user_id, user_identifier, is_code_public, self.request.id
    )


@task(wl.GENERATE_SCRIPT)
def generate_script_task(job_id: int) -> dict[str, Any]:
    return generation.generate_script(job_id)


@task(wl.GENERATE_OUTPUTS)
def generate_outputs_task(platform: str, problem_id: str) -> dict[str, Any]:
    return generation.generate_outputs(platform, problem_id)


@task(wl.GENERATE_HINTS)
def generate_hints_task(history_id: int) -> dict[str, Any]:
    return hinting.generate_hints(history_id)


@task(wl.EXTRACT_PROBLEM)
def extract_problem_info_task(url: str) -> dict[str, Any]:
    return extraction.extract(url)


@task(wl.NOTIFY_CALLBACK)
def notify_callback_task(task_id: str) -> dict[str, Any]:
    return notify.notify(task_id)


@task(wl.DELETE_JOB)
def delete_job_task(job_id: int) -> int:
    return generation.delete_job(job_id)


@task(wl.WARM_PROBLEMS)
def warm_problem_cache_task() -> int:
    return caches.warm_problems()


@task(wl.WARM_USER_STATS)
def warm_user_stats_cache_task() -> int:
    return caches.warm_user_stats()


@task(wl.INVALIDATE_CACHE)
def invalidate_cache_task(pattern: str) -> int:
    return invalidate(pattern)
