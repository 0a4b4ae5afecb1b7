"""Declarations of the judge's tasks: seed 001's queues and priorities, seed 000's query budgets."""

import httpx

from celeriac import BreakerPolicy, Example, RetryPolicy, declare
from celeriac_site.judge import examples as ex
from celeriac_site.judge.llm import LLMUnavailable

#: Every LLM call shares one breaker: when the provider is down, all workers stop calling it at once.
LLM_BREAKER = BreakerPolicy(name="llm", failures=5, window_s=60, cooldown_s=30)
LLM_RETRY = RetryPolicy(on=(LLMUnavailable,), max_retries=4, backoff_base_s=2, backoff_cap_s=60)

EXECUTE_CODE = declare(
    "judge.execute_code_task",
    kind="cpu",
    queue="execution",
    priority=8,  # user-facing: highest (seed 001: 8/10)
    time_limit_s=180,
    query_budget=5,
    example=Example(args=(ex.APLUSB_AC, "python"), setup=ex.execute_setup, check=ex.execute_check),
    description="judge a submission: compile once, run every test in the sandbox",
)
GENERATE_SCRIPT = declare(
    "judge.generate_script_task",
    kind="cpu",
    queue="generation",
    priority=5,
    time_limit_s=300,
    query_budget=5,
    idempotency_key="script:{job_id}",
    retry=LLM_RETRY,
    breaker=LLM_BREAKER,
    example=Example(setup=ex.script_setup, check=ex.script_check),
    description="generator code (LLM or input spec) run in the sandbox; test cases bulk-created",
)
GENERATE_OUTPUTS = declare(
    "judge.generate_outputs_task",
    kind="cpu",
    queue="generation",
    priority=5,
    time_limit_s=300,
    query_budget=5,
    example=Example(setup=ex.outputs_setup, expect={"ok": True, "updated": 3}),
    description="reference solution over every input, outputs bulk-updated",
)
GENERATE_HINTS = declare(
    "judge.generate_hints_task",
    kind="ai",
    queue="ai",
    priority=6,
    time_limit_s=120,
    query_budget=3,
    idempotency_key="hints:{history_id}",
    retry=LLM_RETRY,
    breaker=LLM_BREAKER,
    example=Example(setup=ex.hints_setup, check=ex.hints_check),
    description="hints for a failed submission (LLM, else the rule-based analyzer)",
)
EXTRACT_PROBLEM = declare(
    "judge.extract_problem_info_task",
    kind="ai",
    queue="ai",
    priority=4,
    time_limit_s=60,
    query_budget=3,
    retry=RetryPolicy(on=(httpx.TransportError,), max_retries=2, backoff_base_s=1, backoff_cap_s=10),
    description="fetch and parse a Baekjoon/Codeforces problem page, cached for an hour",
)
NOTIFY_CALLBACK = declare(
    "judge.notify_callback_task",
    kind="io",
    queue="io",
    priority=5,
    time_limit_s=30,
    query_budget=1,
    retry=RetryPolicy(
        on=(httpx.TransportError, ConnectionError), max_retries=5, backoff_base_s=1, backoff_cap_s=60
    ),
    description="POST a finished submission to its callback URL",
)
DELETE_JOB = declare(
    "judge.delete_job_task",
    kind="maintenance",
    queue="maintenance",
    priority=2,
    time_limit_s=60,
    ignore_result=True,
    query_budget=2,
    description="delete a generation job",
)
WARM_PROBLEMS = declare(
    "judge.warm_problem_cache_task",
    kind="maintenance",
    queue="maintenance",
    priority=3,
    time_limit_s=120,
    schedule=300,
    example=Example(setup=ex.warm_setup, check=ex.at_least_one),
    description="warm the problem list and details every 5 minutes",
)
WARM_USER_STATS = declare(
    "judge.warm_user_stats_cache_task",
    kind="maintenance",
    queue="maintenance",
    priority=3,
    time_limit_s=300,
    schedule=900,
    example=Example(setup=ex.warm_setup, check=lambda out: None if isinstance(out, int) else repr(out)),
    description="warm active users' statistics every 15 minutes",
)
INVALIDATE_CACHE = declare(
    "judge.invalidate_cache_task",
    kind="maintenance",
    queue="maintenance",
    priority=3,
    time_limit_s=60,
    example=Example(setup=ex.invalidate_setup, expect=3),
    description="delete cache keys matching a pattern (SCAN)",
)

ALL = (
    EXECUTE_CODE,
    GENERATE_SCRIPT,
    GENERATE_OUTPUTS,
    GENERATE_HINTS,
    EXTRACT_PROBLEM,
    NOTIFY_CALLBACK,
    DELETE_JOB,
    WARM_PROBLEMS,
    WARM_USER_STATS,
    INVALIDATE_CACHE,
)
