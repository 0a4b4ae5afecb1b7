"""Celeriac: declare what each Celery task is; get the queues, fleet and reliability that follow."""

from celeriac.app import configure, fleet_of, topology_of
from celeriac.cancellation import cancel
from celeriac.errors import (
    CeleriacError,
    CircuitOpenError,
    ConfigurationError,
    DeclarationError,
    QueryBudgetExceededError,
    ServiceError,
    TaskCancelledError,
    TopologyError,
)
from celeriac.retry import compute_backoff
from celeriac.tasks import ReliableTask, task
from celeriac.workloads import (
    BreakerPolicy,
    Declarations,
    Example,
    Kind,
    RetryPolicy,
    Workload,
    declare,
)

__all__ = [
    # Declaring workloads
    "BreakerPolicy",
    # Errors
    "CeleriacError",
    "CircuitOpenError",
    "ConfigurationError",
    "DeclarationError",
    "Declarations",
    "Example",
    "Kind",
    "QueryBudgetExceededError",
    # Wiring into Celery
    "ReliableTask",
    "RetryPolicy",
    "ServiceError",
    "TaskCancelledError",
    "TopologyError",
    "Workload",
    # Running
    "cancel",
    "compute_backoff",
    "configure",
    "declare",
    "fleet_of",
    "task",
    "topology_of",
]
