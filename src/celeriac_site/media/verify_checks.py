"""Seed 002's media checklist for ``celeriac verify``: models, settings, uploads, commands, beat, health."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from celeriac.ops import probes
from celeriac.ops.verify.suite import Context, Outcome, Suite, bad, ok
from celeriac_site.media import limits
from celeriac_site.media import workloads as wl

PRE = "seed 002 · Pre-Validation Checklist"
TESTS = "seed 002 · Validation Tests"
HEALTH = "seed 002 · Production Health Monitoring"
#: Every row verify creates is named so an operator can tell it from a user's upload in the gallery.
NAME_PREFIX = "verify-"
#: The bundled self-test photo is scikit-image's Chelsea: the classifier must call it a cat.
EXPECTED_TAG = "cat"
#: How often the status of an item is read while waiting for the workers.
POLL_S = 0.05
#: Frames per second and frames per third of the made-up video: face, cat (the middle), face again.
VIDEO_FPS = 10
VIDEO_THIRDS = (10, 11, 10)
#: Items per run while the batch size is lowered to prove the batch reads its limit from the settings.
SMALL_BATCH = 2
PROCESSED = re.compile(r"Processed (\d+) (photos|videos): (\d+) completed, (\d+) failed")


def _photo_bytes() -> bytes:
    from celeriac_site.media.pipeline.selftest import CAT_IMAGE

    return CAT_IMAGE.read_bytes()


def _middle_cat_video() -> bytes:
    """3.1 s of MPEG-4: the bundled face, Chelsea the cat in the middle third, the face again."""
    import av
    import numpy as np
    from PIL import Image

    from celeriac_site.media.pipeline.selftest import CAT_IMAGE, FACE_IMAGE

    def frame(path: Any) -> Any:
        return np.asarray(Image.open(path).convert("RGB").resize((320, 240)))

    face, cat = frame(FACE_IMAGE), frame(CAT_IMAGE)
    frames = [face] * VIDEO_THIRDS[0] + [cat] * VIDEO_THIRDS[1] + [face] * VIDEO_THIRDS[2]
    buf = io.BytesIO()
    with av.open(buf, "w", format="mp4") as out:
        stream = out.add_stream("mpeg4", rate=VIDEO_FPS)
        stream.width, stream.height, stream.pix_fmt = 320, 240, "yuv420p"
        for pixels in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return buf.getvalue()


def _cat_section_s() -> tuple[float, float]:
    """Where the cat is in the made-up video, in seconds."""
    start = VIDEO_THIRDS[0] / VIDEO_FPS
    return start, start + VIDEO_THIRDS[1] / VIDEO_FPS


@contextmanager
def _ai_settings(**fields: Any) -> Iterator[dict[str, Any]]:
    """Set AI settings for the duration of a check; restore the previous values afterwards.

    Only the fields changed here are written back (a guarded UPDATE, not a save of the whole row), so an
    admin's edit of another field meanwhile is kept. Yields the values as they were.
    """
    from celeriac_site.media.models import AISettings

    row = AISettings.load()
    before = {key: getattr(row, key) for key in fields}
    changed = {key: value for key, value in fields.items() if before[key] != value}
    if changed:
        AISettings.objects.filter(pk=row.pk).update(**changed)
    try:
        yield before
    finally:
        if changed:
            AISettings.objects.filter(pk=row.pk).update(**{key: before[key] for key in changed})


def _upload(kind: str, name: str, data: bytes) -> tuple[Any, bool]:
    """What ``POST /media-ai/api/{photos,videos}`` does after parsing: the upload service; (row, queued)."""
    from celeriac_site.media.services import uploads
    from celeriac_site.media.validation import MediaKind

    accepted = uploads.accept(MediaKind(kind), io.BytesIO(data), NAME_PREFIX + name, len(data))
    return accepted.item, accepted.queued


def _store(kind: str, name: str, data: bytes) -> int:
    """A pending item stored without the upload service and never queued (for bad files)."""
    from celeriac_site.media.examples import store_item

    return store_item(kind, NAME_PREFIX + name, data)


def _delete(kind: str, pks: list[int]) -> None:
    """Remove verify's own items and their files (a failed one would otherwise show in the health figures)."""
    from django.core.files.storage import default_storage

    from celeriac_site.media.services.kinds import spec

    for item in spec(kind).model.objects.filter(pk__in=pks):
        if item.file.name:
            default_storage.delete(item.file.name)
        item.delete()


def _watch(item: Any, timeout_s: float) -> tuple[Any, list[str]]:
    """Poll the row until it is completed or failed; the row and every status seen, from the one given."""
    model = type(item)
    pk, seen = item.pk, [item.processing_status]
    deadline = time.monotonic() + timeout_s
    while True:
        item = model.objects.get(pk=pk)
        if seen[-1] != item.processing_status:
            seen.append(item.processing_status)
        if item.processing_status in ("completed", "failed") or time.monotonic() > deadline:
            return item, seen
        time.sleep(POLL_S)


def _wait_all(kind: str, pks: list[int], timeout_s: float) -> dict[int, Any]:
    from celeriac_site.media.services.kinds import spec

    deadline = time.monotonic() + timeout_s
    while True:
        items = {i.pk: i for i in spec(kind).model.objects.filter(pk__in=pks)}
        done = all(i.processing_status in ("completed", "failed") for i in items.values())
        if (done and len(items) == len(pks)) or time.monotonic() > deadline:
            return items
        time.sleep(POLL_S * 4)


def _tags(item: Any) -> list[str]:
    return sorted(item.tags.values_list("name", flat=True))


def _first_in_line(kind: str, pks: list[int]) -> None:
    """Give verify's items the oldest upload times among claimable items.

    Batches and commands take the oldest claimable items first, up to their limit; on a deployment with
    a backlog, items created now would come last and a small ``--limit`` would never reach them.
    """
    from django.db.models import Min
    from django.utils import timezone

    from celeriac_site.media.services import claims, config
    from celeriac_site.media.services.kinds import spec

    s = spec(kind)
    stale_after = config.stale_after(config.current())
    oldest = (
        s.model.objects.filter(claims.claimable(timezone.now(), stale_after))
        .exclude(pk__in=pks)
        .aggregate(oldest=Min("uploaded_at"))["oldest"]
    )
    if oldest is None:
        return
    for i, pk in enumerate(pks):
        s.model.objects.filter(pk=pk).update(uploaded_at=oldest - timedelta(seconds=len(pks) - i))


def _timeline(item: Any) -> str:
    """When the item was claimed (the processing step) and finished, counted from its upload."""
    claimed = (item.claimed_at - item.uploaded_at).total_seconds() if item.claimed_at else None
    finished = (item.processed_at - item.uploaded_at).total_seconds() if item.processed_at else None
    return (
        f"claimed (processing) at +{claimed:.2f} s, {item.processing_status} at +{finished:.2f} s"
        if claimed is not None and finished is not None
        else f"never claimed ({item.processing_status})"
    )


# --- M001 and M002: prerequisites ---------------------------------------------------------------------


def models_accessible(ctx: Context) -> Outcome:
    from celeriac_site.media.pipeline import selftest

    report = selftest.run()
    versions = "; ".join(f"{k} {v}" for k, v in report.versions.items())
    if not report.ok:
        wrong = [f"{c.name}: {c.detail}" for c in report.checks if not c.ok]
        return bad(
            f"self-test failed: {'; '.join(wrong)}",
            "install the media extra (pip install 'celeriac[media]'); run manage.py check_ai_models",
        )
    return ok(
        f"{len(report.checks)} self-test steps passed in "
        f"{sum(c.ms for c in report.checks):.0f} ms, nothing downloaded; {versions}",
        versions=report.versions,
    )


def settings_read_at_run_time(ctx: Context) -> Outcome:
    from celeriac_site.media.models import AISettings

    row = AISettings.load()
    auto, scheduled = row.auto_process_on_upload, row.scheduled_processing_enabled
    task = wl.PENDING_PHOTOS.name
    # limit=0: the batch reads the setting and answers, but queues nothing.
    with _ai_settings(scheduled_processing_enabled=not scheduled):
        flipped = ctx.call(task, limit=0)
    restored = ctx.call(task, limit=0)
    seen = (flipped.get("enabled"), restored.get("enabled"))
    if seen != (not scheduled, scheduled):
        return bad(
            f"the worker's {task} answered enabled={seen[0]} then {seen[1]} while the setting was "
            f"{not scheduled} then {scheduled}: it does not read the AI settings when it runs"
        )
    return ok(
        f"AISettings row {row.pk} in the database: auto_process_on_upload={auto}, "
        f"scheduled_processing_enabled={scheduled}; flipped to {not scheduled}, the running worker's "
        f"{task} answered enabled={seen[0]} without a restart, then {seen[1]} once restored"
    )


# --- M003 to M006: uploads processed by the workers ---------------------------------------------------


def _photo_upload(ctx: Context) -> dict[str, Any]:
    """Seed 002 test 3: enable auto-processing, upload Chelsea, watch the row until it is done."""
    with _ai_settings(auto_process_on_upload=True) as before:
        item, queued = _upload("photo", "chelsea.jpg", _photo_bytes())
    done, seen = _watch(item, ctx.timeout_s)
    links = list(done.tag_links.select_related("tag").order_by("-confidence"))
    return {
        "item": done,
        "queued": queued,
        "seen": seen,
        "auto_was": before["auto_process_on_upload"],
        "tags": [(link.tag.name, link.confidence, link.source) for link in links],
    }


def photo_completed(ctx: Context) -> Outcome:
    out = ctx.once("media.upload", lambda: _photo_upload(ctx))
    item = out["item"]
    path = " -> ".join(out["seen"])
    if not out["queued"]:
        return bad("the upload service did not queue the photo although auto-processing was on")
    if out["seen"][0] != "pending" or item.processing_status != "completed":
        return bad(f"photo {item.pk}: {path}; {item.failure_reason or 'not finished in time'}")
    if not item.claimed_at or item.attempts != 1:
        return bad(f"photo {item.pk} completed without one claim (attempts {item.attempts})")
    note = "" if out["auto_was"] else " (auto-processing was off: switched on for this upload, then back)"
    return ok(f"photo {item.pk}: statuses seen {path}; {_timeline(item)}, once{note}")


def photo_described(ctx: Context) -> Outcome:
    item = ctx.once("media.upload", lambda: _photo_upload(ctx))["item"]
    text, source = item.ai_description, item.description_source
    if item.processing_status != "completed" or not text or not source:
        return bad(f"photo {item.pk} ({item.processing_status}): description {text!r}, source {source!r}")
    # The template only names a subject it is sure of: for Chelsea that must be the cat.
    if source.startswith("template:") and EXPECTED_TAG not in text:
        return bad(f"the template description of Chelsea does not name the cat: {text!r}")
    return ok(f"{text!r} (source {source}, model {item.model_name} {item.model_version})")


def photo_tagged(ctx: Context) -> Outcome:
    out = ctx.once("media.upload", lambda: _photo_upload(ctx))
    tags = out["tags"]
    names = [name for name, _, _ in tags]
    shown = ", ".join(f"{name} {conf:.2f} ({source})" for name, conf, source in tags)
    if EXPECTED_TAG not in names:
        return bad(f"photo {out['item'].pk}: no {EXPECTED_TAG!r} tag among {names}")
    # Honest about the seed's "5-10 tags": a tag is only assigned above its threshold (docs/media.md).
    return ok(
        f"{len(tags)} tags created: {shown}. Seed 002 expects 5-10; this pipeline assigns only tags "
        "whose confidence reaches their threshold, so a clear photo of one cat gets fewer"
    )


def video_completed(ctx: Context) -> Outcome:
    with _ai_settings(auto_process_on_upload=True):
        item, queued = _upload("video", "face-cat-face.mp4", _middle_cat_video())
    done, seen = _watch(item, ctx.timeout_s)
    tags = _tags(done)
    start, end = _cat_section_s()
    path = " -> ".join(seen)
    if not queued or done.processing_status != "completed":
        return bad(f"video {item.pk} (queued {queued}): {path}; {done.failure_reason or 'not finished'}")
    at = done.frame_at_s
    if at is None or not start <= at < end or EXPECTED_TAG not in tags:
        return bad(f"video {item.pk}: frame at {at} s (the cat is at {start}-{end} s), tags {tags}")
    return ok(
        f"video {item.pk}, {done.duration_s:.1f} s ({done.codec}): {path}; {_timeline(done)}; middle "
        f"frame at {at:.2f} s (the cat's third) tagged {', '.join(tags)}; {done.ai_description!r}"
    )


# --- M007: the commands, without Celery ---------------------------------------------------------------


def _manage(ctx: Context, *args: str) -> subprocess.CompletedProcess[str]:
    from django.conf import settings

    # The command must read and write the originals where this process stored them.
    env = {**os.environ, "CELERIAC_MEDIA_ROOT": str(settings.MEDIA_ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "celeriac_site.manage", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=max(180.0, 3 * ctx.timeout_s),
    )


def manual_command(ctx: Context) -> Outcome:
    with _ai_settings(auto_process_on_upload=False):
        photos = [_upload("photo", f"chelsea-command-{i}.jpg", _photo_bytes()) for i in range(2)]
        video = _upload("video", "face-cat-face-command.mp4", _middle_cat_video())
    if any(queued for _, queued in [*photos, video]):
        return bad("an upload was queued although auto-processing was off")
    photo_ids, video_id = [item.pk for item, _ in photos], video[0].pk
    _first_in_line("photo", photo_ids)
    _first_in_line("video", [video_id])
    lines, wrong = [], []
    for kind, ids in (("photo", photo_ids), ("video", [video_id])):
        run = _manage(ctx, f"process_{kind}s_ai", "--limit", str(len(ids)))
        summary = PROCESSED.search(run.stdout)
        if run.returncode != 0 or summary is None:
            return bad(f"process_{kind}s_ai exited {run.returncode}: {(run.stderr or run.stdout)[-500:]}")
        lines.append(summary.group(0))
        if summary.group(1) != str(len(ids)) or summary.group(3) != str(len(ids)):
            wrong.append(summary.group(0))
        for item in _wait_all(kind, ids, 0).values():
            if item.processing_status != "completed" or EXPECTED_TAG not in _tags(item):
                wrong.append(f"{kind} {item.pk} {item.processing_status} {_tags(item)} {item.failure_reason}")
    if wrong:
        return bad(f"{'; '.join(lines)}; wrong: {'; '.join(wrong)}")
    return ok(
        "auto-processing off: 2 photos and 1 video uploaded and left pending (not queued); "
        "'process_photos_ai --limit 2' and 'process_videos_ai --limit 1', each in its own process: "
        f"{'; '.join(lines)}; all 3 completed and tagged {EXPECTED_TAG}"
    )


# --- M008 and M009: the nightly batches --------------------------------------------------------------


def nightly_scheduled(ctx: Context) -> Outcome:
    from celery.schedules import crontab

    at_two = crontab(minute=0, hour=2)
    tz = str(ctx.app.conf.timezone or "UTC")
    entries = {e.get("task"): (key, e) for key, e in (ctx.app.conf.beat_schedule or {}).items()}
    found, wrong = [], []
    for task in (wl.PENDING_PHOTOS.name, wl.PENDING_VIDEOS.name):
        if task not in entries:
            wrong.append(f"{task} is not in beat_schedule")
            continue
        key, entry = entries[task]
        if entry.get("schedule") != at_two:
            wrong.append(f"{key} runs on {entry.get('schedule')}, not at 02:00")
        else:
            found.append(f"{key} at 02:00 {tz} on queue {entry.get('options', {}).get('queue', '?')}")
    if "django_celery_beat" in str(ctx.app.conf.beat_scheduler or ""):
        problems, note = _database_entries()
        wrong += problems
        found.append(note)
    return bad("; ".join(wrong)) if wrong else ok("; ".join(found))


def _database_entries() -> tuple[list[str], str]:
    """Problems with django-celery-beat's rows (they win over beat_schedule until beat restarts), a note."""
    from django_celery_beat.models import PeriodicTask

    names = [wl.PENDING_PHOTOS.name, wl.PENDING_VIDEOS.name]
    rows = list(PeriodicTask.objects.filter(task__in=names).select_related("crontab"))
    if not rows:
        return [], "not yet in django-celery-beat's table (beat copies beat_schedule there when it starts)"
    wrong = []
    for row in rows:
        c = row.crontab
        cron = f"{c.minute} {c.hour} {c.day_of_month} {c.month_of_year} {c.day_of_week}" if c else "none"
        if not row.enabled or cron != "0 2 * * *":
            wrong.append(f"database entry {row.name}: enabled={row.enabled}, crontab {cron!r}")
    return wrong, f"django-celery-beat: {len(rows)} enabled rows at '0 2 * * *'"


def batch_processes(ctx: Context) -> Outcome:
    from celeriac_site.media.models import AISettings

    ai = AISettings.load()
    # Disabled scheduled processing makes the nightly run a no-op by design; force proves the batch itself.
    kwargs: dict[str, Any] = {} if ai.scheduled_processing_enabled else {"force": True}
    photos = [_store("photo", f"chelsea-batch-{i}.jpg", _photo_bytes()) for i in range(SMALL_BATCH + 1)]
    video = _store("video", "face-cat-face-batch.mp4", _middle_cat_video())
    _first_in_line("photo", photos)
    _first_in_line("video", [video])
    # The limit comes from the AI settings at run time: lowered to 2 for one run, the batch must stop at 2.
    with _ai_settings(batch_size=SMALL_BATCH):
        small = ctx.call(wl.PENDING_PHOTOS.name, **kwargs)
    rest = ctx.call(wl.PENDING_PHOTOS.name, **kwargs)
    videos = ctx.call(wl.PENDING_VIDEOS.name, **kwargs)
    # Keyed by kind too: a photo and a video may share an id.
    done = {("photo", pk): i for pk, i in _wait_all("photo", photos, ctx.timeout_s).items()}
    done.update({("video", pk): i for pk, i in _wait_all("video", [video], ctx.timeout_s).items()})
    wrong = {
        key: (i.processing_status, i.failure_reason)
        for key, i in done.items()
        if i.processing_status != "completed"
    }
    note = " (scheduled processing is disabled in the AI settings: sent with force=True)" if kwargs else ""
    if small.get("selected") != SMALL_BATCH or rest.get("queued", 0) < 1 or videos.get("queued", 0) < 1:
        return bad(f"with batch_size {SMALL_BATCH}: {small}; then {rest}; videos {videos}{note}")
    if len(done) != len(photos) + 1 or wrong:
        return bad(f"the queued items did not all complete: {wrong}{note}")
    if ai.batch_size != limits.DEFAULT_BATCH_SIZE:
        return bad(
            f"the batch works, but takes up to {ai.batch_size} items per run, not seed 002's 500",
            "set the batch size to 500 in the AI settings (Django admin)",
        )
    return ok(
        f"limit = the AI settings' batch_size ({ai.batch_size}): lowered to {SMALL_BATCH} for one run, "
        f"the task selected {small['selected']} of {len(photos)} pending photos; restored, the next run "
        f"queued {rest['queued']} and the video batch {videos['queued']}; {len(photos)} photos and 1 video "
        f"completed by the workers{note}"
    )


# --- M010: a bad file -----------------------------------------------------------------------------------


def invalid_photo(ctx: Context) -> Outcome:
    from celeriac_site.media.models import Photo

    consumers = {w.name: w.pid for w in ctx.workers.consumers(wl.QUEUE)}
    if not consumers:
        return bad(f"no worker consumes the {wl.QUEUE} queue")
    whole = _photo_bytes()
    bad_id = _store("photo", "truncated.jpg", whole[: len(whole) // 3])
    good_id = _store("photo", "chelsea-after-bad.jpg", whole)
    try:
        sent = ctx.app.tasks[wl.PROCESS_PHOTO.name].apply_async((bad_id,))
        output = sent.get(timeout=ctx.timeout_s, propagate=False)
        row = Photo.objects.get(pk=bad_id)
        after = probes.inspect_workers(ctx.app, 5)
        answered = {w.name: w.pid for w in after.workers if w.name in consumers}
        nxt = ctx.call(wl.PROCESS_PHOTO.name, good_id)
    finally:
        # A failed row left behind would count in the health figures for a day.
        _delete("photo", [bad_id, good_id])
    if sent.state != "SUCCESS" or not isinstance(output, dict) or output.get("status") != "failed":
        return bad(f"task {sent.state}, output {output!r}: a bad file must fail its item, not the task")
    if row.processing_status != "failed" or "truncated" not in row.failure_reason:
        return bad(f"photo {bad_id} is {row.processing_status}, reason {row.failure_reason!r}")
    if answered != consumers:
        return bad(f"media workers before {consumers}, answering after {answered}")
    if nxt.get("status") != "completed" or EXPECTED_TAG not in nxt.get("tags", []):
        return bad(f"the next photo was not processed: {nxt}")
    return ok(
        f"a truncated JPEG: task SUCCESS, item failed with {row.failure_reason!r}; "
        f"{', '.join(sorted(answered))} answered a ping afterwards (same pid) and completed the next "
        f"photo with tags {', '.join(nxt['tags'])}; both test rows deleted"
    )


# --- M011 and M012: the health figures --------------------------------------------------------------


def _health(ctx: Context) -> dict[str, Any]:
    """Figures before and after adding throw-away rows, in one transaction that is rolled back.

    No other process ever sees the rows (a batch would otherwise pick up the old pending one), and with
    REPEATABLE READ the two readings differ only by them, even while the site is in use.
    """
    from django.db import connection, transaction
    from django.utils import timezone

    from celeriac_site.media.models import Photo, Video
    from celeriac_site.media.services.health import health_figures

    now = timezone.now()

    def row(model: Any, status: str, uploaded: timedelta, processed: timedelta | None = None) -> None:
        model.objects.create(
            original_name=NAME_PREFIX + "health-row",
            processing_status=status,
            uploaded_at=now - uploaded,
            processed_at=now - processed if processed is not None else None,
            failure_reason="verify: throw-away row" if status == "failed" else "",
        )

    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        before = health_figures(now)
        row(Photo, "failed", timedelta(hours=2), timedelta(hours=1))  # counts
        row(Video, "failed", timedelta(hours=3), timedelta(hours=2))  # counts
        row(Photo, "failed", timedelta(hours=26), timedelta(hours=25))  # outside the 24 h window
        row(Photo, "pending", timedelta(days=8))  # stuck
        row(Video, "pending", timedelta(days=8))  # stuck
        row(Photo, "pending", timedelta(days=6))  # pending, not stuck yet
        after = health_figures(now)
        transaction.set_rollback(True)
    return {"before": before, "after": after}


def _delta(out: dict[str, Any], figure: str) -> dict[str, int]:
    return {
        part: out["after"][part][figure] - out["before"][part][figure]
        for part in ("photos", "videos", "totals")
    }


def _health_outcome(ctx: Context, figure: str, expected: dict[str, int], problem: str, what: str) -> Outcome:
    out = ctx.once("media.health", lambda: _health(ctx))
    delta = _delta(out, figure)
    problems = out["after"]["problems"]
    listed = [p for p in problems if problem in p]
    if delta != expected or not listed or out["after"]["ok"]:
        return bad(f"{figure} moved by {delta} (expected {expected}); problems {problems}")
    return ok(
        f"{what}; health_figures() counted {delta['photos']} photo + {delta['videos']} video in {figure} "
        f"and listed {listed[0]!r} (rows rolled back; before: {out['before']['totals'][figure]})"
    )


def failed_last_day(ctx: Context) -> Outcome:
    return _health_outcome(
        ctx,
        "failed_last_24h",
        {"photos": 1, "videos": 1, "totals": 2},
        "failed in the last 24 h",
        "throw-away rows: a photo and a video failed 1-2 h ago, a photo failed 25 h ago (must not count)",
    )


def stuck_pending(ctx: Context) -> Outcome:
    return _health_outcome(
        ctx,
        "stuck_pending_over_7d",
        {"photos": 1, "videos": 1, "totals": 2},
        "pending for more than 7 days",
        "throw-away rows: a photo and a video pending since 8 days, a photo since 6 days (must not count)",
    )


CHECKS: tuple[tuple[str, str, str, Callable[[Context], Outcome]], ...] = (
    ("M001", "Prerequisites: AI models downloaded and accessible", PRE, models_accessible),
    (
        "M002",
        "Configuration: AI_AUTO_PROCESS_ON_UPLOAD and AI_SCHEDULED_PROCESSING_ENABLED are set",
        PRE,
        settings_read_at_run_time,
    ),
    (
        "M003",
        "Test 3: Photo Upload with Auto-Processing (pending -> processing -> completed)",
        TESTS,
        photo_completed,
    ),
    ("M004", "Test 3: AI description generated", TESTS, photo_described),
    ("M005", "Test 3: AI tags created (5-10 relevant tags)", TESTS, photo_tagged),
    ("M006", "Test 4: Video Upload with Auto-Processing", TESTS, video_completed),
    ("M007", "Test 5: Manual Processing Command", TESTS, manual_command),
    (
        "M008",
        "Test 6.1: process_pending_photos and process_pending_videos are scheduled",
        TESTS,
        nightly_scheduled,
    ),
    ("M009", "Test 6.2: Up to 500 pending photos and videos processed", TESTS, batch_processes),
    ("M010", "Test 7.1: Invalid photo is marked failed without crashing the worker", TESTS, invalid_photo),
    ("M011", "Daily Checks: failed items in the last 24 h", HEALTH, failed_last_day),
    ("M012", "Weekly Checks: items stuck pending > 7 days", HEALTH, stuck_pending),
)


def register(suite: Suite) -> None:
    """Register M001-M012, seed 002's media items, in checklist order."""
    for id_, title, source, fn in CHECKS:
        suite.check(id_, title, source=source)(fn)
