"""The demonstration logic, plain Python: tasks.py only wires it to Celery."""

from __future__ import annotations

import hashlib
import time

import httpx
from django.db.models import F

from celeriac.contrib.django.caching import cached
from celeriac.contrib.django.effects import once
from celeriac_site.demo.errors import ServiceUnavailable
from celeriac_site.demo.models import Account, EffectLog


def checksum(data: str, rounds: int) -> str:
    digest = data.encode()
    for _ in range(rounds):
        digest = hashlib.sha256(digest).digest()
    return digest.hex()


def record_effect(key: str, task_id: str) -> bool:
    """Log one side effect for ``key`` unless it already happened; True if it happened now."""
    with once(f"effect:{key}") as first:
        if first:
            EffectLog.objects.create(key=key, task_id=task_id)
    return first


def credit(account: str, amount: int, request_id: str) -> int:
    """Credit ``amount`` once per ``request_id``; returns the balance. Three queries."""
    with once(f"credit:{request_id}") as first:
        if first and not Account.objects.filter(name=account).update(balance=F("balance") + amount):
            raise Account.DoesNotExist(f"no account named {account!r}")
    return int(Account.objects.values_list("balance", flat=True).get(name=account))


def call_service(url: str) -> dict[str, object]:
    try:
        resp = httpx.get(url, timeout=5)
    except httpx.TransportError as exc:
        raise ServiceUnavailable(f"{url}: {exc}") from exc
    if resp.status_code >= 500:
        raise ServiceUnavailable(f"{url} answered {resp.status_code}")
    resp.raise_for_status()
    return {"status": resp.status_code, "body": resp.text[:200]}


@cached("demo:square", ttl_s=600, key=lambda n: str(n))
def square(n: int) -> int:
    time.sleep(0.05)  # stands in for an expensive query
    return n * n
