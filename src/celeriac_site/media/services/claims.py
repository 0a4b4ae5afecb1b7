"""Atomic status transitions: one guarded UPDATE each, so no item is ever processed twice at once."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from celeriac_site.media.limits import MAX_ATTEMPTS
from celeriac_site.media.models import ProcessingStatus as S
from celeriac_site.media.services.kinds import KindSpec

GAVE_UP = "gave up after {n} attempts: the worker stopped (killed or timed out) during each one"


class Claim(StrEnum):
    """The result of trying to claim one item."""

    CLAIMED = "claimed"  #: the caller owns the item and must complete or fail it
    BUSY = "busy"  #: another live worker is processing it
    DONE = "done"  #: completed, or failed for good: nothing to do
    GAVE_UP = "gave_up"  #: claimed too often without finishing: now failed
    MISSING = "missing"  #: no such item


def claimable(now: datetime, stale_after: timedelta, token: str | None = None, failed_too: bool = False) -> Q:
    """Items an automatic run may take: pending, failed-retryable, or processing by a dead claim.

    ``token``: a redelivered task (same task id) takes back its own claim at once. ``failed_too``:
    an operator's explicit retry also takes items that failed for good.
    """
    stale = Q(processing_status=S.PROCESSING, claimed_at__lt=now - stale_after)
    if token:
        stale |= Q(processing_status=S.PROCESSING, claim_token=token)
    retryable = Q(processing_status=S.FAILED, failure_retryable=True)
    automatic = (Q(processing_status=S.PENDING) | retryable | stale) & Q(attempts__lt=MAX_ATTEMPTS)
    return automatic | Q(processing_status=S.FAILED) if failed_too else automatic


def _claimed(token: str, now: datetime) -> dict[str, Any]:
    """The columns a claim sets."""
    return {
        "processing_status": S.PROCESSING,
        "claim_token": token,
        "claimed_at": now,
        "attempts": F("attempts") + 1,
        "failure_reason": "",
        "failure_retryable": False,
    }


def claim(spec: KindSpec, pk: int, token: str, stale_after: timedelta) -> Claim:
    """Claim item ``pk`` for ``token`` with one guarded UPDATE (PostgreSQL re-checks it under lock)."""
    now = timezone.now()
    if spec.model.objects.filter(claimable(now, stale_after, token), pk=pk).update(**_claimed(token, now)):
        return Claim.CLAIMED
    dead = Q(claim_token=token) | Q(claimed_at__lt=now - stale_after)
    gave_up = spec.model.objects.filter(
        dead, pk=pk, processing_status=S.PROCESSING, attempts__gte=MAX_ATTEMPTS
    ).update(
        processing_status=S.FAILED,
        failure_reason=GAVE_UP.format(n=MAX_ATTEMPTS),
        failure_retryable=False,
        claim_token="",
        processed_at=now,
    )
    if gave_up:
        return Claim.GAVE_UP
    status = spec.model.objects.filter(pk=pk).values_list("processing_status", flat=True).first()
    if status is None:
        return Claim.MISSING
    return Claim.BUSY if status == S.PROCESSING else Claim.DONE


def claim_next(
    spec: KindSpec,
    token: str,
    stale_after: timedelta,
    *,
    skip: Collection[int] = (),
    failed_too: bool = False,
) -> int | None:
    """Claim the oldest claimable item no other transaction holds (``SKIP LOCKED``); its id or None."""
    now = timezone.now()
    condition = claimable(now, stale_after, failed_too=failed_too)
    with transaction.atomic():
        pk = (
            spec.model.objects.select_for_update(skip_locked=True)
            .filter(condition)
            .exclude(pk__in=list(skip))
            .order_by("uploaded_at", "pk")
            .values_list("pk", flat=True)
            .first()
        )
        if pk is None:
            return None
        spec.model.objects.filter(pk=pk).update(**_claimed(token, now))
    return int(pk)


def fail(spec: KindSpec, pk: int, token: str, reason: str, *, retryable: bool) -> bool:
    """Mark the item failed with ``reason`` if ``token`` still owns it; False if it lost the claim."""
    return bool(
        spec.model.objects.filter(pk=pk, processing_status=S.PROCESSING, claim_token=token).update(
            processing_status=S.FAILED,
            failure_reason=reason[:2000],
            failure_retryable=retryable,
            claim_token="",
            processed_at=timezone.now(),
        )
    )


def sweep(spec: KindSpec, stale_after: timedelta) -> int:
    """Release claims of dead workers: back to pending, or failed for good after too many attempts."""
    now = timezone.now()
    dead = spec.model.objects.filter(processing_status=S.PROCESSING, claimed_at__lt=now - stale_after)
    gave_up = dead.filter(attempts__gte=MAX_ATTEMPTS).update(
        processing_status=S.FAILED,
        failure_reason=GAVE_UP.format(n=MAX_ATTEMPTS),
        failure_retryable=False,
        claim_token="",
        processed_at=now,
    )
    released = dead.filter(attempts__lt=MAX_ATTEMPTS).update(processing_status=S.PENDING, claim_token="")
    return int(gave_up + released)


def reset(spec: KindSpec, pks: Collection[int]) -> int:
    """Put items back to pending for reprocessing (admin action), unless one is being processed."""
    return int(
        spec.model.objects.filter(pk__in=list(pks))
        .exclude(processing_status=S.PROCESSING)
        .update(
            processing_status=S.PENDING,
            attempts=0,
            failure_reason="",
            failure_retryable=False,
            claim_token="",
        )
    )
