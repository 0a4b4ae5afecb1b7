"""Process one item: claim it, run the pipeline under the per-item timeout, store or fail it."""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from billiard.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage

from celeriac_site.media.limits import MAX_ATTEMPTS
from celeriac_site.media.models import AISettings, MediaItem
from celeriac_site.media.pipeline import analyse
from celeriac_site.media.pipeline.deadline import deadline
from celeriac_site.media.pipeline.errors import FileMissing, MediaError
from celeriac_site.media.services import claims, config, results
from celeriac_site.media.services.claims import Claim
from celeriac_site.media.services.kinds import KindSpec, spec
from celeriac_site.media.validation import MediaKind

log = logging.getLogger("celeriac_site.media")


@dataclass(frozen=True)
class Outcome:
    """What happened to one item in one run; the task returns it as a dict."""

    kind: str
    id: int
    status: str  # completed | failed | skipped
    claim: str
    reason: str = ""
    tags: tuple[str, ...] = ()
    description: str = ""
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["tags"] = list(self.tags)
        return out


def new_token(prefix: str) -> str:
    """A claim token for runs without a task id (commands, direct calls): unique and traceable."""
    return f"{prefix}:{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def _path(item: MediaItem) -> Path:
    name = item.file.name
    if not name:
        raise FileMissing("the item has no stored file")
    try:
        return Path(default_storage.path(name))
    except SuspiciousFileOperation:
        raise FileMissing("the stored file name points outside the media root") from None


def _analyse(s: KindSpec, item: MediaItem, ai: AISettings) -> tuple[analyse.Analysis, dict[str, Any]]:
    path = _path(item)
    captioner = config.captioner(ai)
    if s.kind is MediaKind.PHOTO:
        photo = analyse.analyse_photo(path, captioner=captioner)
        return photo.analysis, {"width": photo.info.width, "height": photo.info.height, "exif": photo.exif}
    clip = analyse.analyse_video(path, captioner=captioner)
    return clip.analysis, {
        "width": clip.info.width,
        "height": clip.info.height,
        "duration_s": clip.info.duration_s,
        "frame_at_s": clip.frame_at_s,
        "codec": clip.info.codec[:32],
    }


def process_claimed(s: KindSpec, pk: int, token: str, ai: AISettings) -> Outcome:
    """Run the pipeline on an item ``token`` has claimed, then complete or fail it. Never raises for
    a bad file: missing, corrupt, too large and timed-out items end ``failed`` with a reason."""
    started = time.perf_counter()
    try:
        item = s.model.objects.get(pk=pk)
    except s.model.DoesNotExist:
        return Outcome(s.kind, pk, "skipped", Claim.MISSING, "the item was deleted while claimed")
    try:
        with deadline(ai.per_item_timeout_s):
            analysis, fields = _analyse(s, item, ai)
    except MediaError as exc:
        return _failed(s, pk, token, str(exc), exc.retryable, started)
    except SoftTimeLimitExceeded:
        return _failed(s, pk, token, "timed out: the task's soft time limit fired", True, started)
    except Exception as exc:  # an unexpected bug must fail this item, not the worker or the batch
        log.exception("media: %s %s failed unexpectedly", s.kind, pk)
        return _failed(s, pk, token, f"internal error: {type(exc).__name__}: {exc}", True, started)
    if not results.complete(s, pk, token, analysis, fields):
        return Outcome(
            s.kind, pk, "skipped", "lost", "another worker took the item over", seconds=_since(started)
        )
    log.info("media: %s %s completed: %s", s.kind, pk, ", ".join(analysis.tag_names()))
    return Outcome(
        s.kind,
        pk,
        "completed",
        Claim.CLAIMED,
        tags=tuple(analysis.tag_names()),
        description=analysis.description,
        seconds=_since(started),
    )


def _since(started: float) -> float:
    return round(time.perf_counter() - started, 3)


def _failed(s: KindSpec, pk: int, token: str, reason: str, retryable: bool, started: float) -> Outcome:
    owned = claims.fail(s, pk, token, reason, retryable=retryable)
    log.warning("media: %s %s failed (%s): %s", s.kind, pk, "retryable" if retryable else "final", reason)
    return Outcome(
        s.kind, pk, "failed" if owned else "skipped", Claim.CLAIMED, reason, seconds=_since(started)
    )


def process_one(kind: MediaKind | str, pk: int, token: str) -> Outcome:
    """Claim and process item ``pk``: what ``process_photo_ai`` / ``process_video_ai`` do."""
    s = spec(kind)
    ai = config.current()
    got = claims.claim(s, pk, token, config.stale_after(ai))
    if got is not Claim.CLAIMED:
        status = "failed" if got is Claim.GAVE_UP else "skipped"
        reason = claims.GAVE_UP.format(n=MAX_ATTEMPTS) if got is Claim.GAVE_UP else ""
        log.info("media: %s %s not processed: claim %s", s.kind, pk, got)
        return Outcome(s.kind, pk, status, got, reason)
    return process_claimed(s, pk, token, ai)
