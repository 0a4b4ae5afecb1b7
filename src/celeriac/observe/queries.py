"""Per-task database query counting, pluggable so the task base does not import Django."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Protocol


class QueryCount(Protocol):
    """Filled in while the task runs; read when it ends."""

    count: int


class _Count:
    def __init__(self) -> None:
        self.count = 0


CounterFactory = Callable[[], contextlib.AbstractContextManager[QueryCount]]
_factory: CounterFactory | None = None


def install(factory: CounterFactory | None) -> None:
    """Set how queries are counted (``celeriac.contrib.django`` installs Django's execute_wrapper)."""
    global _factory
    _factory = factory


def installed() -> bool:
    return _factory is not None


@contextlib.contextmanager
def counting() -> Iterator[QueryCount | None]:
    """Count queries run inside the block, or yield ``None`` when no counter is installed."""
    if _factory is None:
        yield None
        return
    with _factory() as counter:
        yield counter


def new_count() -> QueryCount:
    return _Count()
