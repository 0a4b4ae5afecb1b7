"""Celery wiring of the media pipeline; the logic lives in services/ and pipeline/."""

from __future__ import annotations

from typing import Any

from celeriac import ReliableTask, task
from celeriac_site.media import examples
from celeriac_site.media import workloads as wl
from celeriac_site.media.services import batch, processing
from celeriac_site.media.validation import MediaKind


def _token(self: ReliableTask) -> str:
    # The task id survives redelivery: a worker killed mid-item hands its claim to its own rerun.
    return self.request.id or processing.new_token("direct")


@task(wl.TEST)
def test_celery_task() -> str:
    return examples.CELERY_IS_WORKING


@task(wl.PROCESS_PHOTO, bind=True)
def process_photo_ai(self: ReliableTask, photo_id: int) -> dict[str, Any]:
    return processing.process_one(MediaKind.PHOTO, photo_id, _token(self)).as_dict()


@task(wl.PROCESS_VIDEO, bind=True)
def process_video_ai(self: ReliableTask, video_id: int) -> dict[str, Any]:
    return processing.process_one(MediaKind.VIDEO, video_id, _token(self)).as_dict()


@task(wl.PENDING_PHOTOS)
def process_pending_photos_task(limit: int | None = None, force: bool = False) -> dict[str, Any]:
    return batch.queue_pending(MediaKind.PHOTO, limit=limit, force=force).as_dict()


@task(wl.PENDING_VIDEOS)
def process_pending_videos_task(limit: int | None = None, force: bool = False) -> dict[str, Any]:
    return batch.queue_pending(MediaKind.VIDEO, limit=limit, force=force).as_dict()
