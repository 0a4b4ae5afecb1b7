"""Celery wiring of the bridge; the logic lives in services/."""

from __future__ import annotations

from typing import Any

from celeriac import task
from celeriac_site.bridge import workloads as wl
from celeriac_site.bridge.services import results, summary


@task(wl.EVALUATE)
def evaluate_task(job_id: str) -> dict[str, Any]:
    return results.run_celery(job_id)


@task(wl.COLLECT)
def collect_task() -> dict[str, int]:
    return results.collect()


@task(wl.SUMMARY)
def summary_task() -> dict[str, Any]:
    row = summary.summarize()
    if row is None:
        return {"stored": False}
    return {"stored": True, "jobs": row.jobs, "mismatched": row.mismatched, "missing": row.missing}
