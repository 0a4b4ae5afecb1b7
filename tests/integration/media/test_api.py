"""The upload API and gallery through Django's test client: validation, storage, JSON, HTML."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.unit.media.samples import png_bomb, sample_jpeg, streamless_mp4, truncated_jpeg, video_bytes

pytestmark = pytest.mark.integration

BOUNDARY = "celeriac-test-boundary"


def multipart(filename: str | None, data: bytes, field: str = "file") -> bytes:
    """A multipart body with the file name exactly as given (the test client would sanitise it)."""
    disposition = f'form-data; name="{field}"' + (f'; filename="{filename}"' if filename is not None else "")
    return (
        (
            f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n"
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )


@pytest.fixture
def post(media_root: Path, ai_settings: Callable[..., Any]) -> Callable[..., Any]:
    from django.test import Client

    client = Client()
    ai_settings(auto_process_on_upload=False)

    def send(kind: str, filename: str | None, data: bytes) -> Any:
        return client.generic(
            "POST",
            f"/media-ai/api/{kind}",
            data=multipart(filename, data),
            content_type=f"multipart/form-data; boundary={BOUNDARY}",
        )

    return send


def stored_files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


def test_a_photo_upload_is_stored_untouched_and_pending(post: Callable[..., Any], media_root: Path) -> None:
    data = sample_jpeg("chelsea")
    resp = post("photos", "chelsea.jpg", data)
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["processing_status"] == "pending" and body["queued"] is False
    assert body["original_name"] == "chelsea.jpg" and body["content_type"] == "image/jpeg"
    assert (body["width"], body["height"], body["size_bytes"]) == (451, 300, len(data))
    assert body["sha256"] == hashlib.sha256(data).hexdigest()
    from celeriac_site.media.models import Photo

    stored = media_root / str(Photo.objects.get(pk=body["id"]).file.name)
    assert stored.read_bytes() == data
    assert stored.parent.parent.parent == media_root / "photos" and stored.suffix == ".jpg"


def test_auto_processing_queues_the_upload(
    post: Callable[..., Any], ai_settings: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from celeriac_site.media.services import dispatch

    sent: list[tuple[str, int]] = []

    def record(kind: str, pk: int, backlog: bool = False) -> str:
        sent.append((kind, pk))
        return "task-id"

    monkeypatch.setattr(dispatch, "send", record)
    ai_settings(auto_process_on_upload=True)  # read at run time: no restart
    body = post("photos", "c.jpg", sample_jpeg("coffee")).json()
    assert body["queued"] is True and sent == [("photo", body["id"])]


def test_a_broker_outage_does_not_lose_the_upload(
    post: Callable[..., Any], ai_settings: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from celeriac_site.media.services import dispatch

    def down(*args: Any, **kwargs: Any) -> str:
        raise ConnectionError("broker down")

    monkeypatch.setattr(dispatch, "send", down)
    ai_settings(auto_process_on_upload=True)
    resp = post("photos", "c.jpg", sample_jpeg("coffee"))
    assert resp.status_code == 201
    assert resp.json()["queued"] is False and resp.json()["processing_status"] == "pending"


@pytest.mark.parametrize(
    ("kind", "data", "status", "message"),
    [
        ("photos", b"just some text, not an image at all", 415, "unsupported file type"),
        ("photos", b"", 400, "the file is empty"),
        ("photos", png_bomb(), 413, "decompression-bomb guard"),
        ("photos", b"\x89PNG\r\n\x1a\n" + b"garbage" * 20, 422, "not an image Pillow can read"),
        ("photos", b"\x00\x00\x00\x20ftypisom" + b"\x00" * 64, 415, "upload it as a video"),
        ("videos", streamless_mp4(), 422, "no video stream"),
        ("videos", b"\x00\x00\x00\x20ftypisom" + b"\x00" * 64, 422, "not a video FFmpeg can read"),
        ("videos", sample_jpeg("coffee"), 415, "upload it as a photo"),
    ],
    ids=[
        "text",
        "zero-byte",
        "20000x20000-png",
        "corrupt-png",
        "video-as-photo",
        "no-frames",
        "bad-mp4",
        "jpeg",
    ],
)
def test_bad_uploads_are_refused_with_a_4xx_and_nothing_is_stored(
    post: Callable[..., Any], media_root: Path, kind: str, data: bytes, status: int, message: str
) -> None:
    before = stored_files(media_root)
    resp = post(kind, "bad.bin", data)
    assert resp.status_code == status, resp.content
    assert message in resp.json()["error"]
    assert stored_files(media_root) == before


def test_a_truncated_jpeg_is_accepted_and_left_to_fail_with_a_reason(post: Callable[..., Any]) -> None:
    # Its header is valid; only a full decode finds the truncation, which is the worker's job.
    resp = post("photos", "cut.jpg", truncated_jpeg())
    assert resp.status_code == 201 and resp.json()["processing_status"] == "pending"


def test_path_traversal_in_the_file_name_never_reaches_the_disk(
    post: Callable[..., Any], media_root: Path
) -> None:
    data = sample_jpeg("rocket")
    resp = post("photos", "../../../../tmp/evil/../../etc/passwd.jpg", data)
    assert resp.status_code == 201
    body = resp.json()
    assert body["original_name"] == "passwd.jpg"
    from celeriac_site.media.models import Photo

    name = str(Photo.objects.get(pk=body["id"]).file.name)
    assert ".." not in name and "passwd" not in name
    assert (media_root / name).resolve().is_relative_to(media_root.resolve())
    assert post("photos", "..", data).status_code == 400  # Django drops the part: no file


def test_missing_field_and_wrong_content_type(post: Callable[..., Any]) -> None:
    from django.test import Client

    resp = Client().post("/media-ai/api/photos", data=json.dumps({"x": 1}), content_type="application/json")
    assert resp.status_code == 400 and "multipart/form-data" in resp.json()["error"]
    assert Client().put("/media-ai/api/photos").status_code == 405
    broken = Client().generic(
        "POST", "/media-ai/api/photos", data=b"no boundary here", content_type="multipart/form-data"
    )
    assert broken.status_code == 400 and "malformed multipart body" in broken.json()["error"]


def test_uploads_above_the_limit_are_refused_early(post: Callable[..., Any], media_root: Path) -> None:
    from django.test import override_settings

    before = stored_files(media_root)
    with override_settings(MEDIA_AI_MAX_PHOTO_BYTES=20_000):
        resp = post("photos", "big.jpg", sample_jpeg("astronaut"))
    assert resp.status_code == 413 and "20000 bytes" in resp.json()["error"]
    assert stored_files(media_root) == before


def test_list_detail_file_and_errors(post: Callable[..., Any]) -> None:
    from django.test import Client

    data = video_bytes([sample_jpeg_array()] * 5)
    created = post("videos", "clip.mp4", data).json()
    assert (created["content_type"], created["codec"], created["width"]) == ("video/mp4", "h264", 320)
    assert created["duration_s"] == pytest.approx(0.5, abs=0.05)
    client = Client()
    listed = client.get("/media-ai/api/videos?status=pending&limit=500").json()
    assert created["id"] in [i["id"] for i in listed["items"]] and listed["limit"] == 200
    assert client.get(f"/media-ai/api/videos/{created['id']}").json()["id"] == created["id"]
    served = client.get(f"/media-ai/api/videos/{created['id']}/file")
    assert served.status_code == 200 and served.getvalue() == data
    assert served["Content-Type"] == "video/mp4" and served["X-Content-Type-Options"] == "nosniff"
    assert client.get("/media-ai/api/videos/999999999").json() == {"error": "no video with id 999999999"}
    assert client.get("/media-ai/api/photos?status=nope").status_code == 400
    assert client.get("/media-ai/api/photos?limit=x").status_code == 400


def sample_jpeg_array() -> Any:
    from tests.unit.media.samples import sample_array

    return sample_array("chelsea")


def test_gallery_shows_status_description_and_tags(post: Callable[..., Any]) -> None:
    from django.test import Client

    from celeriac_site.media.models import Photo, PhotoTag
    from celeriac_site.media.services.results import ensure_tags

    pk = post("photos", "gallery.jpg", sample_jpeg("coffee")).json()["id"]
    Photo.objects.filter(pk=pk).update(
        processing_status="completed", ai_description="A photo of coffee.", description_source="template:v1"
    )
    PhotoTag.objects.create(
        photo_id=pk, tag=ensure_tags(["coffee"])["coffee"], confidence=0.95, source="classifier"
    )
    html = Client().get("/media-ai/").content.decode()
    assert f'data-id="{pk}"' in html
    assert "A photo of coffee." in html and "template:v1" in html
    assert "coffee 0.95" in html and 'class="status completed"' in html


def test_health_endpoint(post: Callable[..., Any]) -> None:
    from django.test import Client

    body = Client().get("/media-ai/api/health").json()
    assert set(body) == {"generated_at", "photos", "videos", "totals", "problems", "ok"}
    assert set(body["photos"]) == {
        "pending",
        "processing",
        "failed_last_24h",
        "completed_last_24h",
        "stuck_pending_over_7d",
        "stuck_processing",
    }
