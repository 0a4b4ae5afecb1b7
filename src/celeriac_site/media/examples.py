"""Smoke examples for ``celeriac verify``: store a bundled photo or a generated video, check the tags."""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from typing import Any

#: A test task returns this, as the seed's validation checklist expects.
CELERY_IS_WORKING = "Celery is working!"


def store_item(kind: str, name: str, data: bytes) -> int:
    """Create a pending item from ``data`` without queueing it (verify sends the task itself)."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from celeriac_site.media.services.kinds import spec
    from celeriac_site.media.services.uploads import storage_name
    from celeriac_site.media.validation import sniff

    ftype = sniff(data[:64])
    if ftype is None:
        raise ValueError(f"example {name!r} is not a supported photo or video")
    stored = default_storage.save(storage_name(ftype), ContentFile(data))
    item = spec(kind).model.objects.create(
        file=stored, original_name=name, content_type=ftype.mime, size_bytes=len(data)
    )
    return int(item.pk)


def stored_photo() -> Mapping[str, Any]:
    from celeriac_site.media.pipeline.selftest import CAT_IMAGE

    return {"photo_id": store_item("photo", "chelsea.jpg", CAT_IMAGE.read_bytes())}


def cat_video_bytes(frames: int = 9) -> bytes:
    """A short MPEG-4 video of the bundled cat photo (encoded in memory with PyAV)."""
    import av
    import numpy as np
    from PIL import Image

    from celeriac_site.media.pipeline.selftest import CAT_IMAGE

    pixels = np.asarray(Image.open(CAT_IMAGE).convert("RGB").resize((320, 240)))
    buf = io.BytesIO()
    with av.open(buf, "w", format="mp4") as out:
        stream = out.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 320, 240, "yuv420p"
        for _ in range(frames):
            for packet in stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return buf.getvalue()


def stored_video() -> Mapping[str, Any]:
    return {"video_id": store_item("video", "chelsea.mp4", cat_video_bytes())}


def completed_with(tag: str) -> Callable[[Any], str | None]:
    """A check: the task completed the item and tagged it ``tag``."""

    def check(output: Any) -> str | None:
        if not isinstance(output, dict) or output.get("status") != "completed":
            return f"expected a completed item, got {output!r}"
        if tag not in output.get("tags", []):
            return f"expected the tag {tag!r}, got {output.get('tags')!r}"
        return None

    return check


def batch_report(output: Any) -> str | None:
    """A check: the batch answered with its counts."""
    if not isinstance(output, dict) or not {"enabled", "selected", "queued"} <= set(output):
        return f"expected the batch's counts, got {output!r}"
    return None
