"""One exception hierarchy for everything Celeriac raises on purpose."""

from __future__ import annotations


class CeleriacError(Exception):
    """Base class of every error Celeriac raises deliberately."""


class DeclarationError(CeleriacError, TypeError):
    """A workload declaration is malformed; raised at import time with a hint."""


class TopologyError(CeleriacError):
    """Declarations cannot be compiled into one consistent topology (e.g. one queue, two kinds)."""


class ConfigurationError(CeleriacError):
    """The Celery configuration contradicts Celeriac's guarantees (e.g. ``worker_pool`` set in config)."""


class ServiceError(CeleriacError):
    """A backing service (broker, database) cannot be started or reached."""


class CircuitOpenError(CeleriacError):
    """The named circuit breaker is open; the call was not attempted.

    Treated as transient: a task retries it after the breaker's cool-down.
    """

    def __init__(self, breaker: str, retry_after_s: float = 0.0) -> None:
        # args keep the constructor's arguments so a result backend can rebuild the error.
        super().__init__(breaker, retry_after_s)
        self.breaker = breaker
        self.retry_after_s = float(retry_after_s)

    def __str__(self) -> str:
        return f"circuit {self.breaker!r} is open; retry after {self.retry_after_s:.1f}s"


class TaskCancelledError(CeleriacError):
    """The task was cancelled with ``celeriac.cancel()``; raised at the next cooperative check."""


class QueryBudgetExceededError(CeleriacError):
    """A task ran more database queries than its declared ``query_budget``."""

    def __init__(self, task: str, used: int = 0, budget: int = 0) -> None:
        super().__init__(task, used, budget)
        self.task = task
        self.used = used
        self.budget = budget

    def __str__(self) -> str:
        return f"{self.task} ran {self.used} database queries; its budget is {self.budget}"
