"""100 concurrent duplicate sends of an idempotent task produce one side effect."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

pytestmark = pytest.mark.integration


def test_hundred_duplicates_one_effect(workers: Any) -> None:
    from celeriac.contrib.django.models import AppliedEffect
    from celeriac_site.demo import tasks
    from celeriac_site.demo.models import Account

    workers(queues=["io"], pool="gevent", concurrency=100)
    workers(queues=["io"], pool="gevent", concurrency=100)  # a second process competes too
    name, request_id = f"dup-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    Account.objects.create(name=name, balance=0)
    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(lambda _: tasks.credit.delay(name, 7, request_id), range(100)))
    values = [r.get(timeout=60) for r in results]
    assert Account.objects.get(name=name).balance == 7
    assert AppliedEffect.objects.filter(key=f"credit:{request_id}").count() == 1
    # Duplicates that arrive while the first runs return None; later ones the first run's result.
    assert set(values) <= {None, 7} and 7 in values
