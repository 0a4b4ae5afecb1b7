"""Colour and brightness of an image (pure numpy): a dominant hue, black and white, dark or bright."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from celeriac_site.media.pipeline.tagging import Source, TagScore

#: Hue buckets in degrees [start, end): the name a description and a tag use.
HUES: tuple[tuple[str, float, float], ...] = (
    ("red", 345, 360),
    ("red", 0, 15),
    ("orange", 15, 45),
    ("yellow", 45, 70),
    ("green", 70, 165),
    ("teal", 165, 195),
    ("blue", 195, 255),
    ("purple", 255, 290),
    ("pink", 290, 345),
)
#: A pixel counts as coloured at this saturation and value (0-1).
MIN_SATURATION = 0.25
MIN_VALUE = 0.2
#: A hue is dominant when this share of all pixels has it.
DOMINANT_SHARE = 0.25
#: Below this share of coloured pixels an image is black and white.
MONOCHROME_SHARE = 0.03
#: Mean luma (0-1) below DARK is dark, above BRIGHT is bright.
DARK = 0.3
BRIGHT = 0.65
SAMPLE_SIDE_PX = 96


@dataclass(frozen=True)
class ColourFacts:
    """Measured on a small copy: mean luma, coloured share, the dominant hue and its share."""

    luma: float
    coloured_share: float
    dominant: str | None
    dominant_share: float

    @property
    def monochrome(self) -> bool:
        return self.coloured_share < MONOCHROME_SHARE

    @property
    def colour_name(self) -> str | None:
        """What a description says: a hue, "black and white", or nothing."""
        return "black and white" if self.monochrome else self.dominant

    @property
    def brightness(self) -> str | None:
        if self.luma < DARK:
            return "dark"
        if self.luma > BRIGHT:
            return "bright"
        return None


def measure(image: Image.Image) -> ColourFacts:
    """Colour facts of an RGB image."""
    small = image.convert("RGB")
    small.thumbnail((SAMPLE_SIDE_PX, SAMPLE_SIDE_PX))
    rgb = np.asarray(small, dtype=np.float32) / 255.0
    hsv = np.asarray(small.convert("HSV"), dtype=np.float32) / 255.0
    luma = float((rgb @ np.array([0.299, 0.587, 0.114], dtype=np.float32)).mean())
    hue_deg = hsv[..., 0] * 360.0
    coloured = (hsv[..., 1] >= MIN_SATURATION) & (hsv[..., 2] >= MIN_VALUE)
    total = coloured.size
    shares: dict[str, float] = {}
    for name, lo, hi in HUES:
        n = int((coloured & (hue_deg >= lo) & (hue_deg < hi)).sum())
        shares[name] = shares.get(name, 0.0) + n / total
    dominant, share = max(shares.items(), key=lambda kv: kv[1])
    return ColourFacts(
        luma=round(luma, 4),
        coloured_share=round(float(coloured.sum()) / total, 4),
        dominant=dominant if share >= DOMINANT_SHARE else None,
        dominant_share=round(share, 4),
    )


def tags(facts: ColourFacts) -> list[TagScore]:
    """Colour and brightness tags; confidence is the measured share or the distance from mid-grey."""
    out: list[TagScore] = []
    if facts.monochrome:
        out.append(TagScore("monochrome", round(1.0 - facts.coloured_share, 4), Source.COLOUR))
    elif facts.dominant:
        out.append(TagScore(facts.dominant, facts.dominant_share, Source.COLOUR))
    if facts.brightness:
        out.append(TagScore(facts.brightness, round(abs(facts.luma - 0.5) * 2, 4), Source.BRIGHTNESS))
    return out
