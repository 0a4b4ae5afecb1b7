"""Batches of pending items: queued for the workers (nightly task) or processed here (commands)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.utils import timezone

from celeriac_site.media.models import BatchRun
from celeriac_site.media.services import claims, config, dispatch, processing
from celeriac_site.media.services.kinds import spec
from celeriac_site.media.validation import MediaKind

DISABLED = "scheduled processing is disabled in the AI settings"


@dataclass(frozen=True)
class Queued:
    """What one run of the nightly batch task did."""

    kind: str
    enabled: bool
    selected: int = 0
    queued: int = 0
    swept: int = 0
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def queue_pending(kind: MediaKind, *, limit: int | None = None, force: bool = False) -> Queued:
    """Release dead claims, then queue one task per claimable item (oldest first, up to ``limit``).

    Returns early, recording why, when scheduled processing is disabled (unless ``force``).
    """
    s = spec(kind)
    ai = config.current()
    if not (ai.scheduled_processing_enabled or force):
        BatchRun.objects.create(kind=s.kind, trigger="task", enabled=False, note=DISABLED)
        return Queued(s.kind, enabled=False, note=DISABLED)
    limit = ai.batch_size if limit is None else max(0, limit)
    stale_after = config.stale_after(ai)
    swept = claims.sweep(s, stale_after)
    ids = list(
        s.model.objects.filter(claims.claimable(timezone.now(), stale_after))
        .order_by("uploaded_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    queued = 0
    for pk in ids:
        dispatch.send(s.kind, pk, backlog=True)
        queued += 1
    note = "forced" if force and not ai.scheduled_processing_enabled else ""
    BatchRun.objects.create(
        kind=s.kind, trigger="task", selected=len(ids), queued=queued, swept=swept, note=note
    )
    return Queued(s.kind, enabled=True, selected=len(ids), queued=queued, swept=swept, note=note)


@dataclass
class Processed:
    """What one run of a command did, item by item."""

    kind: str
    outcomes: list[processing.Outcome] = field(default_factory=list)
    swept: int = 0

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)


def process_pending(
    kind: MediaKind,
    *,
    limit: int | None = None,
    failed_too: bool = False,
    on_item: Callable[[processing.Outcome], None] | None = None,
) -> Processed:
    """Process up to ``limit`` claimable items in this process, without Celery (the commands).

    Claims take items one at a time with ``SKIP LOCKED``, so workers and other commands running at
    the same time never get the same item.
    """
    s = spec(kind)
    ai = config.current()
    limit = ai.batch_size if limit is None else max(0, limit)
    stale_after = config.stale_after(ai)
    done = Processed(s.kind, swept=claims.sweep(s, stale_after))
    token = processing.new_token("command")
    seen: set[int] = set()
    while len(done.outcomes) < limit:
        pk = claims.claim_next(s, token, stale_after, skip=seen, failed_too=failed_too)
        if pk is None:
            break
        seen.add(pk)
        outcome = processing.process_claimed(s, pk, token, ai)
        done.outcomes.append(outcome)
        if on_item is not None:
            on_item(outcome)
    BatchRun.objects.create(
        kind=s.kind,
        trigger="command",
        selected=len(done.outcomes),
        swept=done.swept,
        note="processed in place",
    )
    return done


def count_claimable(kind: MediaKind, *, failed_too: bool = False) -> int:
    """How many items a command would take now (for its progress bar)."""
    s = spec(kind)
    stale_after = config.stale_after(config.current())
    return s.model.objects.filter(
        claims.claimable(timezone.now(), stale_after, failed_too=failed_too)
    ).count()
