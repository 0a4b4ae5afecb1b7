"""Open photos with Pillow: header checks before decoding, draft mode for big JPEGs, EXIF facts."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from PIL import Image, ImageOps, UnidentifiedImageError

from celeriac_site.media import limits
from celeriac_site.media.pipeline import exif
from celeriac_site.media.pipeline.errors import FileMissing, TooManyPixels, UnreadableMedia


@dataclass(frozen=True)
class ImageInfo:
    """What the header says: format and full size in pixels."""

    format: str
    width: int
    height: int


@dataclass(frozen=True)
class DecodedImage:
    """An RGB copy for analysis (at most ``ANALYSIS_MAX_SIDE_PX``), the header facts and EXIF."""

    image: Image.Image
    info: ImageInfo
    exif: dict[str, Any] = field(default_factory=dict)


def _open(source: str | Path | IO[bytes]) -> Image.Image:
    try:
        with warnings.catch_warnings():
            # Pillow warns from 89 MP and raises from 179 MP; our own limit is lower and checked next.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            return Image.open(source)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
        raise FileMissing(f"the file is missing: {Path(str(exc.filename or source)).name}") from None
    except Image.DecompressionBombError as exc:
        raise TooManyPixels(f"decompression-bomb guard: {exc}") from None
    except UnidentifiedImageError:
        raise UnreadableMedia("not an image Pillow can read") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise UnreadableMedia(f"not an image Pillow can read: {exc}") from None


def _check_pixels(img: Image.Image, max_pixels: int) -> ImageInfo:
    width, height = img.size
    if width <= 0 or height <= 0 or width * height > max_pixels:
        raise TooManyPixels(
            f"the image is {width} x {height} pixels; the limit is {max_pixels} (decompression-bomb guard)"
        )
    return ImageInfo(str(img.format or "unknown"), width, height)


def probe(source: str | Path | IO[bytes], max_pixels: int = limits.MAX_PIXELS) -> ImageInfo:
    """Read the header only (no pixel data) and check the structure Pillow can verify cheaply."""
    img = _open(source)
    try:
        info = _check_pixels(img, max_pixels)
        img.verify()
    except (OSError, SyntaxError, ValueError) as exc:
        raise UnreadableMedia(f"the image is corrupt: {exc}") from None
    finally:
        img.close()
    return info


def to_rgb(img: Image.Image) -> Image.Image:
    """RGB, with transparency composited onto white (a transparent background is not black)."""
    if img.mode in ("RGBA", "LA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return img.convert("RGB")


def load(
    path: str | Path,
    max_pixels: int = limits.MAX_PIXELS,
    max_side_px: int = limits.ANALYSIS_MAX_SIDE_PX,
) -> DecodedImage:
    """Decode ``path`` read-only into an RGB analysis copy; the file itself is never written."""
    img = _open(path)
    with img:
        info = _check_pixels(img, max_pixels)
        facts = exif.facts(img)
        if img.format == "JPEG":
            # Decode at 1/2, 1/4 or 1/8 scale straight from the DCT (the largest reduction that stays
            # at least max_side_px on both sides): a 24 MP photo decodes 1/16 of its pixels.
            img.draft("RGB", (max_side_px, max_side_px))
        try:
            img.load()
            upright = ImageOps.exif_transpose(img)
            rgb = to_rgb(upright)
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            raise UnreadableMedia(f"cannot decode the image: {exc}") from None
    rgb.thumbnail((max_side_px, max_side_px), Image.Resampling.BILINEAR)
    return DecodedImage(rgb, info, facts)
