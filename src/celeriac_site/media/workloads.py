"""Declarations of the media pipeline's tasks: CPU work on its own queue, nightly batches at 02:00."""

from django.db import InterfaceError, OperationalError

from celeriac import Example, RetryPolicy, declare
from celeriac_site.media import examples

#: The media tasks' own queue; the fleet serves it with the cpu family (prefork, one child per core).
QUEUE = "media"

#: Only a database outage is worth a retry: a bad file fails its item, never the task.
_DB_DOWN = RetryPolicy(
    on=(OperationalError, InterfaceError), max_retries=3, backoff_base_s=5, backoff_cap_s=60
)

TEST = declare(
    "media.test_celery_task",
    kind="cpu",
    queue=QUEUE,
    priority=6,
    time_limit_s=30,
    example=Example(expect=examples.CELERY_IS_WORKING),
    description="seed 002 test 2: proves a worker consumes the media queue",
)
PROCESS_PHOTO = declare(
    "media.process_photo_ai",
    kind="cpu",
    queue=QUEUE,
    priority=6,
    # Above the largest per-item timeout an admin may set (500 s), which therefore fires first.
    time_limit_s=600,
    retry=_DB_DOWN,
    query_budget=20,
    example=Example(setup=examples.stored_photo, check=examples.completed_with("cat")),
    description="claims one photo, runs the vision pipeline, stores tags and description",
)
PROCESS_VIDEO = declare(
    "media.process_video_ai",
    kind="cpu",
    queue=QUEUE,
    priority=6,
    time_limit_s=600,
    retry=_DB_DOWN,
    query_budget=20,
    example=Example(setup=examples.stored_video, check=examples.completed_with("cat")),
    description="claims one video, analyses its middle frame, records its duration",
)
PENDING_PHOTOS = declare(
    "media.process_pending_photos_task",
    kind="cpu",
    queue=QUEUE,
    priority=2,
    time_limit_s=300,
    schedule="0 2 * * *",
    retry=_DB_DOWN,
    query_budget=10,
    example=Example(kwargs={"limit": 0, "force": True}, check=examples.batch_report),
    description="nightly: queues up to batch_size pending photos (if scheduled processing is enabled)",
)
PENDING_VIDEOS = declare(
    "media.process_pending_videos_task",
    kind="cpu",
    queue=QUEUE,
    priority=2,
    time_limit_s=300,
    schedule="0 2 * * *",
    retry=_DB_DOWN,
    query_budget=10,
    example=Example(kwargs={"limit": 0, "force": True}, check=examples.batch_report),
    description="nightly: queues up to batch_size pending videos (if scheduled processing is enabled)",
)

ALL = (TEST, PROCESS_PHOTO, PROCESS_VIDEO, PENDING_PHOTOS, PENDING_VIDEOS)
