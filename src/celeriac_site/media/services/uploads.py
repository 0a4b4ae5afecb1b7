"""Accept an upload: validate it by content, store the original untouched, record it, queue it."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from typing import IO, Any

from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from celeriac_site.media import limits
from celeriac_site.media.models import MediaItem
from celeriac_site.media.pipeline import decode, video
from celeriac_site.media.pipeline.errors import MediaError, TooManyPixels
from celeriac_site.media.services import config, dispatch
from celeriac_site.media.services.kinds import spec
from celeriac_site.media.validation import (
    FileType,
    MediaKind,
    UploadRejected,
    check_pixels,
    check_upload,
    display_name,
)

_CHUNK_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Accepted:
    """A stored upload: its row, and whether it was queued for processing right away."""

    item: MediaItem
    queued: bool


def _probe(kind: MediaKind, fp: IO[bytes]) -> dict[str, Any]:
    """The columns the file's header fills (size; a video's codec and duration); or UploadRejected."""
    try:
        if kind is MediaKind.PHOTO:
            info = decode.probe(fp)
            check_pixels(info.width, info.height, limits.MAX_PIXELS)
            return {"width": info.width, "height": info.height}
        clip = video.probe(fp)
        check_pixels(clip.width, clip.height, limits.MAX_PIXELS)
        return {
            "width": clip.width,
            "height": clip.height,
            "codec": clip.codec[:32],
            "duration_s": clip.duration_s,
        }
    except TooManyPixels as exc:
        raise UploadRejected(str(exc), 413) from None
    except MediaError as exc:  # unreadable, corrupt, no video stream
        raise UploadRejected(str(exc), 422) from None
    finally:
        fp.seek(0)


def _sha256(fp: IO[bytes]) -> str:
    digest = hashlib.sha256()
    while chunk := fp.read(_CHUNK_BYTES):
        digest.update(chunk)
    fp.seek(0)
    return digest.hexdigest()


def storage_name(ftype: FileType) -> str:
    """A fresh name under the media root: the client's file name never reaches the file system."""
    now = timezone.now()
    return f"{ftype.kind.value}s/{now:%Y/%m}/{uuid.uuid4().hex}.{ftype.extension}"


def accept(kind: MediaKind, fp: IO[bytes] | None, client_name: str | None, size_bytes: int) -> Accepted:
    """Validate and store one upload; queue it if auto-processing is on. Raises UploadRejected."""
    if fp is None:
        raise UploadRejected('send the file as multipart/form-data in the field "file"', 400)
    head = fp.read(limits.SNIFF_BYTES)
    fp.seek(0)
    ftype = check_upload(kind, size_bytes, head, config.max_upload_bytes(kind))
    probed = _probe(kind, fp)
    sha = _sha256(fp)
    s = spec(kind)
    stored = default_storage.save(storage_name(ftype), File(fp))
    try:
        with transaction.atomic():
            item = s.model.objects.create(
                file=stored,
                original_name=display_name(client_name, fallback=f"upload.{ftype.extension}"),
                content_type=ftype.mime,
                size_bytes=size_bytes,
                sha256=sha,
                **probed,
            )
    except BaseException:
        default_storage.delete(stored)  # no row, no file: nothing half-stored
        raise
    queued = False
    if config.current().auto_process_on_upload:

        def send() -> None:
            nonlocal queued
            queued = dispatch.try_send(kind, item.pk)

        # At once in autocommit (a view); after the commit inside a caller's transaction, so the
        # worker never looks for a row it cannot see yet.
        transaction.on_commit(send)
    return Accepted(item, queued)
