"""Exactly-once database side effects: the marker commits in the same transaction as the effect."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from django.db import connections, transaction


@contextlib.contextmanager
def once(key: str, using: str = "default") -> Iterator[bool]:
    """Yield ``True`` the first time ``key`` is seen, ``False`` ever after; apply the effect inside.

    The marker row and the effect share one transaction, so a worker killed before the commit leaves
    neither, and a redelivery after the commit finds the marker: the effect happens exactly once,
    which a Redis lock alone cannot promise. Concurrent callers serialise on the unique index.
    """
    from celeriac.contrib.django.models import AppliedEffect

    table = connections[using].ops.quote_name(AppliedEffect._meta.db_table)
    with transaction.atomic(using=using), connections[using].cursor() as cur:
        # One statement, race-free: the unique index decides who is first (PostgreSQL/SQLite).
        cur.execute(
            f"INSERT INTO {table} (key, applied_at) VALUES (%s, CURRENT_TIMESTAMP) "
            "ON CONFLICT (key) DO NOTHING RETURNING id",
            [key],
        )
        created = cur.fetchone() is not None
        yield created
