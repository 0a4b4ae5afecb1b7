"""Every default Celeriac applies, as a documented constant with its unit in the name."""

from __future__ import annotations

# --- Workload declarations -------------------------------------------------------------------------

#: Priority when a workload declares none. Celeriac priorities are urgency 0-9, 9 the most urgent
#: (the seeds' convention and AMQP's); the compiler maps them to the broker's own encoding.
PRIORITY = 5

#: Hard time limit per kind when a workload declares none. Seed 000: "All tasks have time limits".
HARD_TIME_LIMIT_S = {"cpu": 300.0, "io": 120.0, "ai": 180.0, "maintenance": 900.0}

#: The soft limit fires this fraction of the hard limit in, so the task can clean up before SIGKILL.
SOFT_TIME_LIMIT_FRACTION = 0.9

#: Retry policy defaults: exponential backoff starting at BASE, capped at CAP, "equal jitter".
RETRY_MAX_RETRIES = 3
RETRY_BACKOFF_BASE_S = 1.0
RETRY_BACKOFF_CAP_S = 300.0

#: How long an idempotency record outlives its task, so a late duplicate is still recognised.
IDEMPOTENCY_TTL_S = 24 * 3600

# --- Fleet -----------------------------------------------------------------------------------------

#: Pool per kind. CPU work needs processes (the GIL); I/O and external API calls wait on sockets, so
#: greenlets give hundreds of concurrent calls per process (seed 004's 25x). Maintenance runs one at a
#: time but still in a prefork child: only prefork enforces hard time limits and contains leaks.
POOL = {"cpu": "prefork", "io": "gevent", "ai": "gevent", "maintenance": "prefork"}

#: Concurrency per kind; ``None`` for cpu means "one process per core".
CONCURRENCY = {"cpu": None, "io": 100, "ai": 50, "maintenance": 1}

#: Worker processes per family on one host; ``None`` means one per core. A gevent or threads worker
#: runs on one core (the GIL), and at ~2.5 ms of Celery CPU per task a single I/O process saturates near
#: 400 tasks/s whatever its concurrency: the I/O family scales out by processes, like prefork does.
PROCESSES = {"cpu": 1, "io": None, "ai": 1, "maintenance": 1}

#: Prefetch multiplier per kind. Long or CPU tasks: 1, so a busy child never hoards messages that an
#: idle worker could run. Short I/O tasks: 4, to keep the greenlets fed.
PREFETCH_MULTIPLIER = {"cpu": 1, "io": 4, "ai": 1, "maintenance": 1}

#: Recycle prefork children after this many tasks (memory leaks in user code, seed 001).
MAX_TASKS_PER_CHILD = 1000

# --- Reliability -----------------------------------------------------------------------------------

#: Added to the longest of (hard limit, retry delay, ETA) to get the broker's visibility timeout.
VISIBILITY_MARGIN_S = 300.0

#: Results live a day (seed 001: ``CELERY_RESULT_EXPIRES = 86400``).
RESULT_EXPIRES_S = 86400

#: Seconds between kombu's sweeps that put unacked messages of dead workers back on their queue.
UNACKED_RESTORE_INTERVAL_S = 10

#: Longest a dead worker's restore-sweep lock can block the others.
UNACKED_MUTEX_EXPIRE_S = 30

#: Broker connection: how many attempts, and the longest single wait, before a worker gives up.
BROKER_CONNECTION_MAX_RETRIES = 100
BROKER_CONNECTION_TIMEOUT_S = 4.0
