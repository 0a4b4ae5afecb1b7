"""Query budgets of the bridge's tasks, counted on PostgreSQL (seed 000's discipline)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.integration.bridge.helpers import AC

pytestmark = pytest.mark.integration


@pytest.fixture
def purge(celery_app: Any) -> Iterator[None]:
    yield
    celery_app.control.purge()  # the Celery messages these jobs sent have no worker here


def test_evaluate_and_collect_stay_within_their_budgets(queue: Any, problem: Any, purge: None) -> None:
    from celeriac.contrib.django.queries import count_queries
    from celeriac_site.bridge import workloads as wl
    from celeriac_site.bridge.models import Comparison, Evaluation
    from celeriac_site.bridge.services import gateway, results, runner
    from celeriac_site.bridge.services.routing import Mode, PathName, Switches

    p = problem(tests=2)
    tests = gateway.problem_tests(p.pk)
    mirror = Switches(Mode.MIRROR, PathName.LEGACY, 100)
    ev = gateway.submit(p, "python", AC["python"], "budget", tests=tests, switches=mirror)
    legacy = runner.run(gateway.spec_for(ev.job_id, "python", AC["python"], p, tests))
    queue.complete("budget", ev.job_id, legacy, started_at=time.time(), finished_at=time.time())
    with count_queries() as q:  # the longest way: the legacy result is in, so it compares too
        out = results.run_celery(ev.job_id)
    assert out["verdict"] == "AC" and Comparison.objects.get(evaluation=ev).outcome == "match"
    assert q.count <= (wl.EVALUATE.query_budget or 0), q.count

    jobs = [
        gateway.submit(p, "python", AC["python"], "budget", tests=tests, switches=mirror) for _ in range(250)
    ]
    Evaluation.objects.filter(pk__in=[j.pk for j in jobs]).update(
        celery_result=legacy, celery_finished_at=ev.submitted_at
    )
    for j in jobs:
        queue.complete("budget", j.job_id, legacy, started_at=time.time(), finished_at=time.time())
    with count_queries() as q:
        swept = results.collect(only=[j.pk for j in jobs])
    assert swept == {"collected": 250, "compared": 250, "missing": 0}
    assert q.count <= (wl.COLLECT.query_budget or 0), q.count
