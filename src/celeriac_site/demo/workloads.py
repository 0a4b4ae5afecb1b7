"""Declarations of the demonstration tasks: what each one is, next to nothing else."""

from django.db.utils import InterfaceError, OperationalError

from celeriac import BreakerPolicy, Example, RetryPolicy, declare
from celeriac_site.demo.errors import ServiceUnavailable

CHECKSUM = declare(
    "demo.checksum",
    kind="cpu",
    queue="compute",
    priority=6,
    time_limit_s=60,
    example=Example(
        args=("celeriac", 1), expect="14b4bd196927880da257f3a9149add1354a1404d794b5f4fa76f9009718d57e8"
    ),
    description="CPU: an iterated SHA-256",
)
SLOW_EFFECT = declare(
    "demo.slow_effect",
    kind="cpu",
    queue="compute",
    priority=3,
    time_limit_s=120,
    idempotency_key="slow:{key}",
    query_budget=4,
    # A database outage mid-task (celeriac chaos: stop-database) is transient: try again shortly.
    retry=RetryPolicy(
        on=(OperationalError, InterfaceError), max_retries=5, backoff_base_s=0.5, backoff_cap_s=4
    ),
    description="CPU-queue task with a database side effect that must happen exactly once",
)
WAIT_IO = declare(
    "demo.wait_io",
    kind="io",
    queue="io",
    priority=5,
    time_limit_s=30,
    example=Example(args=(10,), expect={"waited_ms": 10}),
    description="I/O: waits on a socket-free timer (stands in for a network call)",
)
CREDIT = declare(
    "demo.credit",
    kind="io",
    queue="io",
    priority=7,
    time_limit_s=30,
    idempotency_key="credit:{request_id}",
    query_budget=4,
    description="I/O: credit an account once per request id, however often it is sent",
)
FLAKY = declare(
    "demo.flaky",
    kind="io",
    queue="io",
    priority=5,
    time_limit_s=30,
    retry=RetryPolicy(on=(ConnectionError,), max_retries=3, backoff_base_s=0.4, backoff_cap_s=2.0),
    description="fails with a transient error a given number of times, then succeeds",
)
CALL_SERVICE = declare(
    "demo.call_service",
    kind="ai",
    queue="ai",
    priority=5,
    time_limit_s=30,
    retry=RetryPolicy(on=(ServiceUnavailable,), max_retries=0),
    breaker=BreakerPolicy(name="demo-service", failures=4, window_s=60, cooldown_s=3),
    description="external HTTP call behind a circuit breaker shared by every worker",
)
CANCELLABLE = declare(
    "demo.cancellable",
    kind="io",
    queue="io",
    time_limit_s=60,
    description="long-running loop that stops at its next check when cancelled",
)
LOOKUP = declare(
    "demo.lookup",
    kind="io",
    queue="io",
    time_limit_s=30,
    example=Example(args=(12,), expect={"n": 12, "square": 144}),
    description="cache-aside read through a cached function",
)
WARM = declare(
    "demo.warm_squares",
    kind="maintenance",
    queue="maintenance",
    priority=2,
    time_limit_s=120,
    schedule=300,
    ignore_result=True,
    description="warms the squares cache every 5 minutes",
)
INVALIDATE = declare(
    "demo.invalidate",
    kind="maintenance",
    queue="maintenance",
    priority=3,
    time_limit_s=60,
    description="deletes cache keys by glob pattern (SCAN, never KEYS)",
)

ALL = (CHECKSUM, SLOW_EFFECT, WAIT_IO, CREDIT, FLAKY, CALL_SERVICE, CANCELLABLE, LOOKUP, WARM, INVALIDATE)
