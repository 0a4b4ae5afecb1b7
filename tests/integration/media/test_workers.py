"""Seed 002's validation tests 2-7 against real worker processes, a real web server and real services."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.integration.media.conftest import store, wait_for
from tests.integration.workers import Worker
from tests.unit.media.samples import (
    EXPECTED_TAGS,
    cat_in_the_middle_video,
    png_bomb,
    sample_jpeg,
    streamless_mp4,
    truncated_jpeg,
)

pytestmark = pytest.mark.integration


def upload(base: str, kind: str, name: str, data: bytes) -> dict[str, Any]:
    resp = httpx.post(f"{base}/media-ai/api/{kind}", files={"file": (name, data)}, timeout=60)
    assert resp.status_code == 201, resp.text
    body: dict[str, Any] = resp.json()
    return body


def tags_of(item: Any) -> set[str]:
    return set(item.tags.values_list("name", flat=True))


def test_2_simple_task(media_worker: Worker) -> None:
    from celeriac_site.media import tasks

    result = tasks.test_celery_task.delay()
    assert result.get(timeout=60) == "Celery is working!"
    assert result.status == "SUCCESS"


def test_3_photo_upload_with_auto_processing_reaches_completed(
    media_worker: Worker, web_server: str, ai_settings: Callable[..., Any]
) -> None:
    ai_settings(auto_process_on_upload=True)
    body = upload(web_server, "photos", "chelsea.jpg", sample_jpeg("chelsea"))
    assert body["processing_status"] == "pending" and body["queued"] is True
    photo = wait_for("photo", [body["id"]])[body["id"]]
    assert photo.processing_status == "completed", photo.failure_reason
    assert "cat" in tags_of(photo) and photo.ai_description.startswith("A photo of a cat.")
    detail = httpx.get(f"{web_server}/media-ai/api/photos/{body['id']}", timeout=30).json()
    assert detail["processing_status"] == "completed" and detail["description_source"] == "template:v1"


def test_4_video_upload_with_auto_processing(
    media_worker: Worker, web_server: str, ai_settings: Callable[..., Any]
) -> None:
    ai_settings(auto_process_on_upload=True)
    body = upload(web_server, "videos", "cat.mp4", cat_in_the_middle_video())
    video = wait_for("video", [body["id"]])[body["id"]]
    assert video.processing_status == "completed", video.failure_reason
    assert "cat" in tags_of(video) and video.duration_s == pytest.approx(3.1, abs=0.1)


def test_6_scheduled_batch_is_in_the_beat_schedule_and_runs(
    media_worker: Worker, celery_app: Any, ai_settings: Callable[..., Any]
) -> None:
    from celeriac_site.media import tasks

    for name in ("media.process_pending_photos_task", "media.process_pending_videos_task"):
        entry = celery_app.conf.beat_schedule[name]
        schedule = entry["schedule"]
        assert (schedule.minute, schedule.hour) == ({0}, {2}) and entry["options"]["queue"] == "media"
    photos = [store("photo", sample_jpeg(name)) for name in sorted(EXPECTED_TAGS)]
    video = store("video", cat_in_the_middle_video())
    ai_settings(scheduled_processing_enabled=False)
    assert tasks.process_pending_photos_task()["enabled"] is False  # beat's run returns early
    ai_settings(scheduled_processing_enabled=True)
    queued = tasks.process_pending_photos_task.delay().get(timeout=60)  # as beat sends it
    assert queued["enabled"] and queued["queued"] >= len(photos)
    assert tasks.process_pending_videos_task()["queued"] >= 1  # run directly
    done = wait_for("photo", photos)
    for pk, name in zip(photos, sorted(EXPECTED_TAGS), strict=True):
        assert done[pk].processing_status == "completed", done[pk].failure_reason
        assert tags_of(done[pk]) & EXPECTED_TAGS[name], (name, tags_of(done[pk]))
    assert wait_for("video", [video])[video].processing_status == "completed"


def test_7_1_invalid_items_fail_with_a_reason_and_the_worker_carries_on(media_worker: Worker) -> None:
    from celeriac_site.media import tasks
    from celeriac_site.media.models import Photo

    children = {p.pid for p in media_worker.children()}
    missing = Photo.objects.create(file="photos/2020/01/never-uploaded.jpg", original_name="x.jpg").pk
    bad = {
        missing: "the file is missing",
        store("photo", truncated_jpeg()): "image file is truncated",
        store("photo", png_bomb()): "decompression-bomb guard",
        store("photo", b"\xff\xd8\xff" + b"\x00" * 100): "not an image Pillow can read",
    }
    no_frames = store("video", streamless_mp4())
    good = store("photo", sample_jpeg("coffee"))
    results = [tasks.process_photo_ai.apply_async((pk,)) for pk in [*bad, good]]
    results.append(tasks.process_video_ai.apply_async((no_frames,)))
    outputs = [r.get(timeout=120) for r in results]  # every task succeeds: failures belong to items
    assert [o["status"] for o in outputs] == ["failed"] * 4 + ["completed", "failed"]
    items = wait_for("photo", [*bad, good])
    for pk, reason in bad.items():
        assert items[pk].processing_status == "failed" and reason in items[pk].failure_reason
    assert outputs[-1]["reason"] == "the file has no video stream"
    assert {"coffee", "drink"} <= tags_of(items[good])
    assert media_worker.proc.poll() is None
    assert {p.pid for p in media_worker.children()} == children, "a pool child died"


def test_7_2_twenty_five_simultaneous_uploads_all_complete(
    media_worker: Worker, web_server: str, ai_settings: Callable[..., Any]
) -> None:
    ai_settings(auto_process_on_upload=True)
    files = {name: sample_jpeg(name) for name in EXPECTED_TAGS}
    names = [sorted(files)[i % len(files)] for i in range(25)]
    bodies: list[dict[str, Any]] = []
    errors: list[BaseException] = []
    start = threading.Barrier(25)

    def send(name: str) -> None:
        start.wait()
        try:
            bodies.append(upload(web_server, "photos", f"{name}.jpg", files[name]))
        except BaseException as exc:  # collected and reported below
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(n,)) for n in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(bodies) == 25 and all(b["queued"] for b in bodies)
    items = wait_for("photo", [b["id"] for b in bodies], timeout_s=180)
    assert all(i.processing_status == "completed" for i in items.values())
    assert all(i.attempts == 1 for i in items.values()), "no item is processed twice"
