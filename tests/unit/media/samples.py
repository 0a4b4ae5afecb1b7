"""Test inputs made on the fly: scikit-image sample photos, bad files, short videos."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Sequence

import numpy as np
from PIL import Image

#: The acceptance photos (skimage.data) and tags at least one of which each must get.
EXPECTED_TAGS = {
    "chelsea": {"cat"},
    "coffee": {"coffee", "drink"},
    "astronaut": {"person", "face"},
    "rocket": {"rocket", "vehicle"},
    "motorcycle": {"motorbike", "vehicle"},
}


def sample_array(name: str) -> np.ndarray:
    from skimage import data

    if name == "motorcycle":
        return np.asarray(data.stereo_motorcycle()[0])  # type: ignore[no-untyped-call]
    return np.asarray(getattr(data, name)())


def sample_image(name: str) -> Image.Image:
    return Image.fromarray(sample_array(name)).convert("RGB")


def jpeg_bytes(image: Image.Image, quality: int = 90, exif: Image.Exif | None = None) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="JPEG", quality=quality, exif=exif if exif is not None else Image.Exif())
    return buf.getvalue()


def sample_jpeg(name: str) -> bytes:
    return jpeg_bytes(sample_image(name))


def truncated_jpeg() -> bytes:
    whole = sample_jpeg("coffee")
    return whole[: len(whole) // 3]


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width: int = 20000, height: int = 20000) -> bytes:
    """A valid PNG claiming width x height 1-bit pixels: ~60 KB on disk, 400 MP if decoded."""
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", data) + _chunk(b"IEND", b"")


def video_bytes(frames: Sequence[np.ndarray], fps: int = 10, size: tuple[int, int] = (320, 240)) -> bytes:
    """An MP4 (H.264) of ``frames`` (RGB arrays, resized to ``size``)."""
    import av

    buf = io.BytesIO()
    with av.open(buf, "w", format="mp4") as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
        for arr in frames:
            pixels = np.asarray(Image.fromarray(arr).convert("RGB").resize(size))
            for packet in stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return buf.getvalue()


def cat_in_the_middle_video() -> bytes:
    """3.1 s: coffee, then Chelsea the cat around the middle, then coffee again."""
    coffee, cat = sample_array("coffee"), sample_array("chelsea")
    return video_bytes([coffee] * 10 + [cat] * 11 + [coffee] * 10)


def streamless_mp4() -> bytes:
    """An MP4 container whose only stream never received a frame: FFmpeg sees no video stream."""
    import av

    buf = io.BytesIO()
    with av.open(buf, "w", format="mp4") as out:
        stream = out.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        out.start_encoding()
    return buf.getvalue()
