"""Processing in this process on the real database: results stored, bad files failed, batches, health."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.integration.media.conftest import store
from tests.unit.media.fake_openai import Script, serve
from tests.unit.media.samples import cat_in_the_middle_video, sample_jpeg, truncated_jpeg

pytestmark = pytest.mark.integration


def photo(pk: int) -> Any:
    from celeriac_site.media.models import Photo

    return Photo.objects.get(pk=pk)


def test_a_photo_is_completed_with_tags_description_and_versions(media_root: Path) -> None:
    from celeriac.contrib.django.queries import count_queries
    from celeriac_site.media import workloads
    from celeriac_site.media.models import Tag
    from celeriac_site.media.services.processing import process_one

    pk = store("photo", sample_jpeg("chelsea"))
    original = (media_root / photo(pk).file.name).read_bytes()
    process_one("photo", pk, "warm-up-token")  # loads the models, creates the tag rows
    from celeriac_site.media.services.claims import reset
    from celeriac_site.media.services.kinds import PHOTOS

    reset(PHOTOS, [pk])
    with count_queries() as queries:
        outcome = process_one("photo", pk, "task-1")
    assert queries.count <= (workloads.PROCESS_PHOTO.query_budget or 0), queries.count
    assert outcome.status == "completed" and "cat" in outcome.tags
    item = photo(pk)
    assert item.processing_status == "completed" and item.claim_token == "" and item.processed_at
    assert item.ai_description.startswith("A photo of a cat.") and item.description_source == "template:v1"
    assert (item.model_name, item.model_version) == ("efficientnet-lite0", "0.1.0 (57934424)")
    assert item.ai_confidence is not None and item.ai_confidence >= 0.5 and item.faces == 0
    assert item.analysis["labels"][0]["name"] and "classifier" in item.analysis["models"]
    links = {link.tag.name: link for link in item.tag_links.select_related("tag")}
    assert {"cat", "pet", "animal"} <= set(links) and links["cat"].source == "classifier"
    assert Tag.objects.get(name="cat").parent.name == "pet"  # type: ignore[union-attr]
    assert (media_root / item.file.name).read_bytes() == original  # the original is untouched
    assert len(links) == item.tag_links.count()  # reprocessing replaced the links, no duplicates


def test_a_video_records_its_duration_and_its_middle_frames_tags(media_root: Path) -> None:
    from celeriac_site.media.models import Video, VideoTag
    from celeriac_site.media.services.processing import process_one

    pk = store("video", cat_in_the_middle_video())
    assert process_one("video", pk, "task-v").status == "completed"
    item = Video.objects.get(pk=pk)
    assert item.duration_s == pytest.approx(3.1, abs=0.1) and item.frame_at_s == pytest.approx(1.55, abs=0.2)
    assert "cat" in set(VideoTag.objects.filter(video=item).values_list("tag__name", flat=True))
    assert item.ai_description.startswith("A 3.1-second video; its middle frame shows a cat.")


def test_missing_and_corrupt_files_fail_with_a_reason(media_root: Path) -> None:
    from celeriac_site.media.models import Photo
    from celeriac_site.media.services.processing import process_one

    missing = Photo.objects.create(file="photos/2020/01/not-there.jpg", original_name="gone.jpg").pk
    outcome = process_one("photo", missing, "t-missing")
    assert (outcome.status, outcome.reason) == ("failed", "the file is missing: not-there.jpg")
    assert not photo(missing).failure_retryable
    cut = store("photo", truncated_jpeg())
    assert "image file is truncated" in process_one("photo", cut, "t-cut").reason
    escape = Photo.objects.create(file="../../etc/passwd", original_name="x").pk
    assert (
        process_one("photo", escape, "t-esc").reason == "the stored file name points outside the media root"
    )


def test_the_per_item_timeout_from_the_database_fails_the_item_retryably(
    media_root: Path, ai_settings: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from celeriac_site.media.pipeline import analyse
    from celeriac_site.media.services.processing import process_one

    ai_settings(per_item_timeout_s=1)
    monkeypatch.setattr(analyse, "analyse_photo", lambda *a, **k: time.sleep(10))
    pk = store("photo", sample_jpeg("coffee"))
    started = time.monotonic()
    outcome = process_one("photo", pk, "t-slow")
    assert time.monotonic() - started < 5
    assert outcome.reason == "processing took longer than the per-item timeout of 1 s"
    assert photo(pk).failure_retryable and photo(pk).processing_status == "failed"


def test_an_unexpected_error_fails_the_item_not_the_caller(
    media_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from celeriac_site.media.pipeline import analyse
    from celeriac_site.media.services.processing import process_one

    def boom(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(analyse, "analyse_photo", boom)
    pk = store("photo", sample_jpeg("coffee"))
    assert process_one("photo", pk, "t-boom").reason == "internal error: RuntimeError: boom"


def test_the_captioner_when_enabled(media_root: Path, ai_settings: Callable[..., Any]) -> None:
    from celeriac_site.media.services.processing import process_one

    script = Script(caption="A ginger cat on a rug.")
    with serve(script) as base:
        ai_settings(captioner_enabled=True, captioner_base_url=base, captioner_model="vl-test")
        pk = store("photo", sample_jpeg("chelsea"))
        assert process_one("photo", pk, "t-cap").status == "completed"
    item = photo(pk)
    assert (item.ai_description, item.description_source) == ("A ginger cat on a rug.", "captioner:vl-test")
    assert len(script.requests) == 1


def test_the_nightly_batch_respects_the_setting_and_queues_the_backlog(
    media_root: Path, ai_settings: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from celeriac_site.media.models import BatchRun
    from celeriac_site.media.services import batch, dispatch
    from celeriac_site.media.validation import MediaKind

    sent: list[tuple[str, int, bool]] = []

    def record(kind: str, pk: int, backlog: bool = False) -> str:
        sent.append((kind, pk, backlog))
        return "task-id"

    monkeypatch.setattr(dispatch, "send", record)
    pk = store("photo", sample_jpeg("rocket"))
    ai_settings(scheduled_processing_enabled=False)
    skipped = batch.queue_pending(MediaKind.PHOTO)
    assert (skipped.enabled, skipped.queued, sent) == (False, 0, [])
    run = BatchRun.objects.order_by("-pk").first()
    assert run is not None and not run.enabled and run.note == batch.DISABLED
    forced = batch.queue_pending(MediaKind.PHOTO, force=True)
    assert forced.enabled and ("photo", pk, True) in sent and forced.note == "forced"
    sent.clear()
    ai_settings(scheduled_processing_enabled=True, batch_size=1)
    assert batch.queue_pending(MediaKind.PHOTO).queued == 1 and len(sent) == 1


def test_health_figures_count_failures_stuck_and_backlog(media_root: Path) -> None:
    from django.utils import timezone

    from celeriac_site.media.models import Photo, Video
    from celeriac_site.media.services.health import health_figures

    before = health_figures()
    now = timezone.now()
    made = [
        Photo.objects.create(file="x.jpg", processing_status="failed", processed_at=now - timedelta(hours=1)),
        Photo.objects.create(file="x.jpg", processing_status="failed", processed_at=now - timedelta(days=2)),
        Photo.objects.create(file="x.jpg", uploaded_at=now - timedelta(days=8)),
        Video.objects.create(
            file="x.mp4", processing_status="processing", claimed_at=now - timedelta(hours=2)
        ),
    ]
    try:
        after = health_figures()
        delta = {k: after["totals"][k] - before["totals"][k] for k in before["totals"]}
        assert delta == {
            "pending": 1,
            "processing": 1,
            "failed_last_24h": 1,
            "completed_last_24h": 0,
            "stuck_pending_over_7d": 1,
            "stuck_processing": 1,
        }
        assert not after["ok"] and any("stuck in processing" in p for p in after["problems"])
    finally:
        for item in made:
            item.delete()
