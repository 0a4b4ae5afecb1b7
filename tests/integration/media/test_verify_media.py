"""verify's seed-002 media items (M001-M012) against a real prefork worker, broker, database and commands."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import celery
import pytest

from celeriac.ops import probes
from celeriac.ops.report import Finding, Status
from celeriac.ops.verify.suite import Context, run_check
from tests.fixtures.fleet import beat
from tests.integration.workers import Worker

pytestmark = pytest.mark.integration
MODULE = "celeriac_site.verify_suite"


def _settings() -> dict[str, Any]:
    from celeriac_site.media.models import AISettings

    row = AISettings.load()
    return {
        f: getattr(row, f) for f in ("auto_process_on_upload", "scheduled_processing_enabled", "batch_size")
    }


def _left_behind() -> dict[str, int]:
    """verify's own rows that would change the health figures: failed ones, and the throw-away rows."""
    from django.db.models import Q

    from celeriac_site.media.models import Photo, Video

    mine = Q(original_name__startswith="verify-")
    wrong = Q(processing_status="failed") | Q(original_name="verify-health-row")
    return {m.__name__: m.objects.filter(mine & wrong).count() for m in (Photo, Video)}


def test_every_media_item_passes_on_real_workers(
    media_worker: Worker, media_root: Any, celery_app: Any
) -> None:
    from celeriac_site.verify_suite import SUITE

    checks = [c for c in SUITE.checks if c.id.startswith("M")]
    assert [c.id for c in checks] == [f"M{i:03d}" for i in range(1, 13)]
    assert all(c.fn is not None for c in checks), "no media item may stay pending"
    settings_before = _settings()
    # Built as run_verify builds it: the workers that answered, the task timeout.
    ctx = Context(celery_app, probes.inspect_workers(celery_app, 5), timeout_s=120)
    found: list[Finding] = [run_check(c, ctx, MODULE) for c in checks]
    report = "\n".join(f"{f.id} {f.status.value}: {f.message}" for f in found)
    print(report)  # the details are the evidence: shown with -s, and on failure below
    assert [f.status for f in found] == [Status.PASS] * 12, report

    by_id = {f.id: f.message for f in found}
    assert "efficientnet-lite0" in by_id["M001"]
    assert "pending -> " in by_id["M003"] and "completed at +" in by_id["M003"]
    assert "cat" in by_id["M005"] and "Seed 002 expects 5-10" in by_id["M005"]
    assert "Processed 2 photos: 2 completed" in by_id["M007"]
    assert "Processed 1 videos: 1 completed" in by_id["M007"]
    assert "selected 2 of 3 pending photos" in by_id["M009"]
    assert "image file is truncated" in by_id["M010"]
    # Nothing is left behind that changes the deployment: settings restored, no failed or throw-away row.
    assert _settings() == settings_before
    assert _left_behind() == {"Photo": 0, "Video": 0}


def test_the_nightly_entries_beat_stores_in_the_database_are_checked(
    tmp_path: Path, services: dict[str, str], celery_app: Any
) -> None:
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    from celeriac_site.media.verify_checks import nightly_scheduled

    names = ["media.process_pending_photos_task", "media.process_pending_videos_task"]
    with beat(tmp_path, services):  # the real beat copies beat_schedule into django-celery-beat's table
        deadline = time.monotonic() + 90
        while PeriodicTask.objects.filter(task__in=names).count() < 2:
            assert time.monotonic() < deadline, (tmp_path / "beat.log").read_text()
            time.sleep(0.5)
    ctx = Context(celery_app, probes.WorkerView(), 5.0)
    out = nightly_scheduled(ctx)
    assert out.status is Status.PASS and "django-celery-beat: 2 enabled rows at '0 2 * * *'" in out.message
    # An admin moves one entry to 03:00 in the database: that is what beat would run tonight.
    row = PeriodicTask.objects.select_related("crontab").get(task=names[0])
    original = row.crontab
    assert original is not None
    row.crontab = CrontabSchedule.objects.create(minute="0", hour="3", timezone=original.timezone)
    row.save()
    try:
        wrong = nightly_scheduled(ctx)
    finally:
        row.crontab = original
        row.save()
    assert wrong.status is Status.FAIL and "crontab '0 3 * * *'" in wrong.message


def test_a_nightly_batch_at_the_wrong_hour_fails() -> None:
    from celery.schedules import crontab

    from celeriac_site.media.verify_checks import nightly_scheduled

    app = celery.Celery("wrong-hour", set_as_current=False)
    app.conf.beat_schedule = {
        "photos": {"task": "media.process_pending_photos_task", "schedule": crontab(minute=0, hour=3)},
        "videos": {"task": "media.process_pending_videos_task", "schedule": crontab(minute=0, hour=2)},
    }
    out = nightly_scheduled(Context(app, probes.WorkerView(), 5.0))
    assert out.status is Status.FAIL
    assert out.message.startswith("photos runs on <crontab: 0 3 * * *")


def test_no_media_worker_fails_the_invalid_photo_item(django_ready: None) -> None:
    from celeriac_site.media.verify_checks import invalid_photo

    out = invalid_photo(Context(celery.Celery("none", set_as_current=False), probes.WorkerView(), 5.0))
    assert out.status is Status.FAIL and out.message == "no worker consumes the media queue"
