"""The middle frame of a video through PyAV (FFmpeg inside the wheel), with its duration."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import av
from PIL import Image

from celeriac_site.media import limits
from celeriac_site.media.pipeline.decode import to_rgb
from celeriac_site.media.pipeline.errors import FileMissing, NoFrames, TooManyPixels, UnreadableMedia


@dataclass(frozen=True)
class VideoInfo:
    """What the container says about its first video stream."""

    codec: str
    width: int
    height: int
    duration_s: float | None


@dataclass(frozen=True)
class MiddleFrame:
    """The frame nearest the middle, as an RGB analysis copy, and where it was taken."""

    image: Image.Image
    info: VideoInfo
    at_s: float | None


def _why(exc: BaseException) -> str:
    """FFmpeg's reason without the file's path (failure reasons are shown to users)."""
    return str(getattr(exc, "strerror", None) or type(exc).__name__)


def _open(source: str | Path | IO[bytes]) -> Any:
    try:
        return av.open(source if not isinstance(source, Path) else str(source), metadata_errors="ignore")
    except FileNotFoundError:
        raise FileMissing(f"the file is missing: {Path(str(source)).name}") from None
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise UnreadableMedia(f"not a video FFmpeg can read: {_why(exc)}") from None


def _stream(container: Any, max_pixels: int) -> tuple[Any, VideoInfo]:
    if not container.streams.video:
        raise NoFrames("the file has no video stream")
    stream = container.streams.video[0]
    stream.codec_context.thread_count = 1  # one thread per worker process, like torch
    width, height = stream.codec_context.width, stream.codec_context.height
    if width * height > max_pixels:
        raise TooManyPixels(f"the video is {width} x {height} pixels; the limit is {max_pixels}")
    duration: float | None = None
    if stream.duration and stream.time_base:
        duration = float(stream.duration * stream.time_base)
    elif container.duration:
        duration = container.duration / av.time_base
    info = VideoInfo(stream.codec_context.name, width, height, round(duration, 3) if duration else None)
    return stream, info


def probe(source: str | Path | IO[bytes], max_pixels: int = limits.MAX_PIXELS) -> VideoInfo:
    """Open the container and its first video stream without decoding a frame."""
    container = _open(source)
    with container:
        return _stream(container, max_pixels)[1]


def _frame_at(container: Any, stream: Any, target_s: float) -> Any:
    """The first frame at or after ``target_s`` (seconds from the stream start), or the last before."""
    start = float(stream.start_time * stream.time_base) if stream.start_time is not None else 0.0
    container.seek(int((start + target_s) / stream.time_base), stream=stream, backward=True)
    last = None
    for frame in container.decode(stream):
        last = frame
        if frame.time is None or frame.time >= start + target_s:
            return frame
    return last


def _picture(frame: Any) -> tuple[Image.Image, float | None]:
    """The frame as an RGB image (copied out of FFmpeg's buffer) and its time in seconds."""
    return to_rgb(frame.to_image()), (round(float(frame.time), 3) if frame.time is not None else None)


def _middle_by_count(source: str | Path, max_frames: int) -> tuple[Image.Image, float | None] | None:
    """When the duration is unknown or seeking fails: count the packets, then decode to the middle."""
    with _open(source) as container:
        count = 0
        for packet in container.demux(container.streams.video[0]):
            count += packet.size > 0
            if count >= max_frames:
                break
    with _open(source) as container:
        stream = container.streams.video[0]
        stream.codec_context.thread_count = 1
        for i, frame in enumerate(container.decode(stream)):
            if i >= count // 2:
                return _picture(frame)
    return None


def middle_frame(
    path: str | Path,
    max_pixels: int = limits.MAX_PIXELS,
    max_side_px: int = limits.ANALYSIS_MAX_SIDE_PX,
    max_frames: int = limits.MAX_SCANNED_FRAMES,
) -> MiddleFrame:
    """Decode the frame in the middle of the first video stream of ``path``."""
    container = _open(path)
    picture: tuple[Image.Image, float | None] | None = None
    try:
        with container:
            stream, info = _stream(container, max_pixels)
            if info.duration_s:
                try:
                    frame = _frame_at(container, stream, info.duration_s / 2)
                    picture = _picture(frame) if frame is not None else None
                except av.FFmpegError:
                    picture = None  # not seekable: find the middle by counting below
        if picture is None:
            picture = _middle_by_count(path, max_frames)
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise UnreadableMedia(f"cannot decode the video: {_why(exc)}") from None
    if picture is None:
        raise NoFrames("the video has no decodable frame")
    image, at_s = picture
    image.thumbnail((max_side_px, max_side_px), Image.Resampling.BILINEAR)
    return MiddleFrame(image, info, at_s)
