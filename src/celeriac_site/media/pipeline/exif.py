"""EXIF facts worth keeping: camera, time taken, orientation, exposure, whether GPS data is present."""

from __future__ import annotations

import struct
from typing import Any

from PIL import Image

_EXIF_IFD = 0x8769
_GPS_IFD = 0x8825
_BASE = {0x010F: "make", 0x0110: "model", 0x0112: "orientation", 0x0132: "modified_at", 0x0131: "software"}
_DETAIL = {
    0x9003: "taken_at",
    0x829A: "exposure_s",
    0x829D: "f_number",
    0x8827: "iso",
    0x920A: "focal_length_mm",
    0xA434: "lens",
}
_TEXT_MAX_CHARS = 100


def _clean(value: Any) -> str | int | float | None:
    """A JSON-safe scalar: rationals to floats, text stripped of NULs and bounded."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, tuple):
        value = value[0] if value else None
    if isinstance(value, str):
        text = value.replace("\x00", "").strip()
        return text[:_TEXT_MAX_CHARS] or None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    try:
        number = float(value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return round(number, 6) if number == number and abs(number) != float("inf") else None


def _timestamp(value: str | int | float | None) -> str | None:
    """EXIF ``YYYY:MM:DD HH:MM:SS`` (camera local time, no zone) as ISO 8601 without a zone."""
    if not isinstance(value, str) or len(value) < 19:
        return None
    date, _, time = value[:19].partition(" ")
    return f"{date.replace(':', '-')}T{time}"


def facts(image: Image.Image) -> dict[str, Any]:
    """The EXIF facts of an opened image (empty when it has none or they are unreadable)."""
    try:
        exif = image.getexif()
        detail = exif.get_ifd(_EXIF_IFD)
        has_gps = bool(exif.get_ifd(_GPS_IFD))
    except (ValueError, TypeError, KeyError, IndexError, OSError, SyntaxError, struct.error):
        return {}  # malformed EXIF must never fail the photo: the facts are optional
    out: dict[str, Any] = {}
    for tag, name in _BASE.items():
        if (value := _clean(exif.get(tag))) is not None:
            out[name] = value
    for tag, name in _DETAIL.items():
        if (value := _clean(detail.get(tag))) is not None:
            out[name] = value
    for key in ("taken_at", "modified_at"):
        if key in out:
            stamp = _timestamp(out[key])
            if stamp is None:
                del out[key]
            else:
                out[key] = stamp
    if has_gps:
        out["has_gps"] = True
    return out
