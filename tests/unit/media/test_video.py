"""The middle frame of a video, its duration, and videos that have no frame to give."""

from __future__ import annotations

import io
from pathlib import Path
from typing import cast

import numpy as np
import pytest

from celeriac_site.media.pipeline import video
from celeriac_site.media.pipeline.errors import FileMissing, NoFrames, UnreadableMedia
from tests.unit.media.samples import streamless_mp4, video_bytes


def colours(*rgbs: tuple[int, int, int], each: int) -> list[np.ndarray]:
    return [np.full((240, 320, 3), rgb, dtype=np.uint8) for rgb in rgbs for _ in range(each)]


def test_the_middle_frame_and_the_duration(tmp_path: Path) -> None:
    path = tmp_path / "v.mp4"
    path.write_bytes(video_bytes(colours((255, 0, 0), (0, 0, 255), (0, 255, 0), each=10), fps=10))
    frame = video.middle_frame(path)
    assert frame.info.duration_s is not None and 2.9 <= frame.info.duration_s <= 3.1
    assert frame.at_s is not None and 1.0 <= frame.at_s <= 2.0
    r, g, b = cast(tuple[int, int, int], frame.image.getpixel((160, 120)))
    assert b > 200 and r < 60 and g < 60, (r, g, b)


def test_probe_reads_the_container_only() -> None:
    info = video.probe(io.BytesIO(video_bytes(colours((9, 9, 9), each=3))))
    assert (info.codec, info.width, info.height) == ("h264", 320, 240)


def test_a_container_without_frames_has_no_video_stream(tmp_path: Path) -> None:
    path = tmp_path / "empty.mp4"
    path.write_bytes(streamless_mp4())
    with pytest.raises(NoFrames, match="no video stream"):
        video.middle_frame(path)


@pytest.mark.parametrize("data", [b"", b"\x00\x00\x00\x20ftypisom" + b"\x00" * 100, b"plain text"])
def test_unreadable_videos_fail_with_a_reason(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "bad.mp4"
    path.write_bytes(data)
    with pytest.raises((UnreadableMedia, NoFrames)) as err:
        video.middle_frame(path)
    assert str(tmp_path) not in str(err.value)


def test_missing_video(tmp_path: Path) -> None:
    with pytest.raises(FileMissing, match=r"gone\.mp4"):
        video.middle_frame(tmp_path / "gone.mp4")
