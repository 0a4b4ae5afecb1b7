"""Send per-item tasks: urgent for fresh uploads, lower priority for the nightly backlog."""

from __future__ import annotations

import logging
from typing import Any

from celeriac.topology import broker_priority
from celeriac_site.media.validation import MediaKind

log = logging.getLogger("celeriac_site.media")

#: Urgency (0-9, 9 most urgent) of items queued by a batch: fresh uploads (declared 6) go first.
BACKLOG_URGENCY = 3


def send(kind: MediaKind, pk: int, *, backlog: bool = False) -> str:
    """Queue ``process_photo_ai`` / ``process_video_ai`` for item ``pk``; returns the task id."""
    from celeriac_site.media import tasks

    task = tasks.process_photo_ai if kind is MediaKind.PHOTO else tasks.process_video_ai
    options: dict[str, Any] = {}
    if backlog:
        options["priority"] = broker_priority(BACKLOG_URGENCY, task.app.conf.broker_url or "")
    return str(task.apply_async((pk,), **options).id)


def try_send(kind: MediaKind, pk: int) -> bool:
    """Queue the item now if the broker answers; if not it stays pending for the nightly batch."""
    try:
        send(kind, pk)
    except Exception:  # an upload must not fail because the broker is down: the batch catches up
        log.exception("media: could not queue %s %s; it stays pending for the next batch", kind, pk)
        return False
    return True
