"""Declarations of the bridge's tasks: the Celery path's evaluation, the collector and the summary."""

from celeriac import declare

EVALUATE = declare(
    "bridge.evaluate_task",
    kind="cpu",
    queue="execution",  # the judge's sandbox queue: the same workers, the same runner as the judge
    priority=8,  # user-facing, like judge.execute_code_task
    time_limit_s=180,
    query_budget=6,  # row, tests, result; with the legacy result in: its copy and the comparison
    description="the Celery path of a bridge job: evaluate it with the shared runner, store, compare",
)
COLLECT = declare(
    "bridge.collect_task",
    kind="maintenance",
    queue="maintenance",
    priority=4,
    time_limit_s=60,
    schedule=10,
    ignore_result=True,
    # Each step is one SELECT and one write per 200 rows: a sweep that settles 400 jobs stays within it.
    query_budget=12,
    description="copy legacy results in from the queue Redis, compare, report overdue results missing",
)
SUMMARY = declare(
    "bridge.summary_task",
    kind="maintenance",
    queue="maintenance",
    priority=3,
    time_limit_s=120,
    schedule=300,
    query_budget=8,
    description="store the comparison summary of the last window: counts, mismatch rate, p50/p99 per path",
)

ALL = (EVALUATE, COLLECT, SUMMARY)
