"""Count the SQL a task runs on every Django database connection, with ``execute_wrapper``."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

from django.db import connections

from celeriac.observe.queries import QueryCount, new_count


@contextlib.contextmanager
def count_queries() -> Iterator[QueryCount]:
    """Every statement executed inside the block on any configured database adds one to ``count``.

    Works with ``DEBUG = False`` (unlike ``connection.queries``), so budgets hold in production too.
    """
    counter = new_count()

    def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        counter.count += 1
        return execute(sql, params, many, context)

    with contextlib.ExitStack() as stack:
        for alias in connections:
            stack.enter_context(connections[alias].execute_wrapper(wrapper))
        yield counter
