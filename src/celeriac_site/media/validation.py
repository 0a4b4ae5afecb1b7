"""Upload decisions, pure: recognise the type by content, bound the size, clean the display name."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import StrEnum

DISPLAY_NAME_MAX_CHARS = 200


class MediaKind(StrEnum):
    """The two kinds of item the pipeline handles."""

    PHOTO = "photo"
    VIDEO = "video"


@dataclass(frozen=True)
class FileType:
    """A file type recognised from its first bytes."""

    kind: MediaKind
    mime: str
    extension: str


class UploadRejected(Exception):
    """The upload is refused; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


JPEG = FileType(MediaKind.PHOTO, "image/jpeg", "jpg")
PNG = FileType(MediaKind.PHOTO, "image/png", "png")
GIF = FileType(MediaKind.PHOTO, "image/gif", "gif")
WEBP = FileType(MediaKind.PHOTO, "image/webp", "webp")
MP4 = FileType(MediaKind.VIDEO, "video/mp4", "mp4")
QUICKTIME = FileType(MediaKind.VIDEO, "video/quicktime", "mov")
MATROSKA = FileType(MediaKind.VIDEO, "video/x-matroska", "mkv")
AVI = FileType(MediaKind.VIDEO, "video/x-msvideo", "avi")

ACCEPTED = {
    MediaKind.PHOTO: "JPEG, PNG, GIF or WebP",
    MediaKind.VIDEO: "MP4, MOV, WebM/Matroska or AVI",
}


def sniff(head: bytes) -> FileType | None:
    """The type of a file from its first bytes (at least 12), or ``None`` if it is not one we take."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return AVI
    if head[4:8] == b"ftyp":
        return QUICKTIME if head[8:12] == b"qt  " else MP4
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return MATROSKA
    return None


def check_upload(expected: MediaKind, size_bytes: int, head: bytes, max_bytes: int) -> FileType:
    """Decide on an upload from its size and first bytes; raise :class:`UploadRejected` if refused."""
    if size_bytes <= 0:
        raise UploadRejected("the file is empty", 400)
    if size_bytes > max_bytes:
        raise UploadRejected(f"the file is {size_bytes} bytes; the limit is {max_bytes} bytes", 413)
    found = sniff(head)
    if found is None:
        raise UploadRejected(
            f"unsupported file type (recognised by content): send a {ACCEPTED[expected]} file", 415
        )
    if found.kind is not expected:
        raise UploadRejected(f"this is a {found.kind.value} ({found.mime}); upload it as a {found.kind}", 415)
    return found


def check_pixels(width: int, height: int, max_pixels: int) -> None:
    """Refuse images whose decoded size would be a decompression bomb."""
    if width <= 0 or height <= 0:
        raise UploadRejected(f"the image claims a size of {width} x {height}", 422)
    if width * height > max_pixels:
        raise UploadRejected(
            f"the image is {width} x {height} = {width * height} pixels; the limit is {max_pixels} "
            "(decompression-bomb guard)",
            413,
        )


def display_name(raw: str | None, fallback: str) -> str:
    """The client's file name, for display only: base name, printable, bounded; never a storage path."""
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if ch.isprintable()).strip().lstrip(".")
    if not name:
        return fallback
    return name[-DISPLAY_NAME_MAX_CHARS:]
