"""Health figures of the media pipeline, for the site (``/media-ai/api/health``) and for doctor."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from celeriac_site.media import limits
from celeriac_site.media.models import ProcessingStatus as S
from celeriac_site.media.services import config
from celeriac_site.media.services.kinds import PHOTOS, VIDEOS, KindSpec


def _figures(s: KindSpec, now: datetime, stale_after: timedelta) -> dict[str, int]:
    counts = s.model.objects.aggregate(
        pending=Count("pk", filter=Q(processing_status=S.PENDING)),
        processing=Count("pk", filter=Q(processing_status=S.PROCESSING)),
        failed_last_24h=Count(
            "pk",
            filter=Q(
                processing_status=S.FAILED, processed_at__gte=now - timedelta(seconds=limits.FAILED_WINDOW_S)
            ),
        ),
        completed_last_24h=Count(
            "pk",
            filter=Q(
                processing_status=S.COMPLETED,
                processed_at__gte=now - timedelta(seconds=limits.FAILED_WINDOW_S),
            ),
        ),
        stuck_pending_over_7d=Count(
            "pk",
            filter=Q(
                processing_status=S.PENDING, uploaded_at__lte=now - timedelta(seconds=limits.STUCK_PENDING_S)
            ),
        ),
        stuck_processing=Count(
            "pk", filter=Q(processing_status=S.PROCESSING, claimed_at__lt=now - stale_after)
        ),
    )
    return {k: int(v) for k, v in counts.items()}


def health_figures(now: datetime | None = None) -> dict[str, Any]:
    """Backlog and failure figures per kind, totals, and the problems they show (three queries).

    ``photos`` / ``videos`` / ``totals``: ``pending`` (the backlog), ``processing``,
    ``failed_last_24h``, ``completed_last_24h``, ``stuck_pending_over_7d`` and ``stuck_processing``
    (claimed longer ago than the per-item timeout plus grace: its worker died). ``problems`` lists
    what an operator should look at; empty means healthy.
    """
    now = now or timezone.now()
    stale_after = config.stale_after(config.current())
    photos = _figures(PHOTOS, now, stale_after)
    videos = _figures(VIDEOS, now, stale_after)
    totals = {k: photos[k] + videos[k] for k in photos}
    problems = []
    if totals["failed_last_24h"]:
        problems.append(f"{totals['failed_last_24h']} item(s) failed in the last 24 h")
    if totals["stuck_pending_over_7d"]:
        problems.append(f"{totals['stuck_pending_over_7d']} item(s) pending for more than 7 days")
    if totals["stuck_processing"]:
        problems.append(f"{totals['stuck_processing']} item(s) stuck in processing (worker died)")
    return {
        "generated_at": now.isoformat(),
        "photos": photos,
        "videos": videos,
        "totals": totals,
        "problems": problems,
        "ok": not problems,
    }
