"""Colour and brightness measured on synthetic images."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from celeriac_site.media.pipeline import colour
from celeriac_site.media.pipeline.tagging import Source


def solid(rgb: tuple[int, int, int], size: tuple[int, int] = (200, 120)) -> Image.Image:
    return Image.new("RGB", size, rgb)


@pytest.mark.parametrize(
    ("rgb", "name"),
    [((220, 30, 30), "red"), ((240, 140, 20), "orange"), ((30, 200, 40), "green"), ((30, 60, 220), "blue")],
)
def test_dominant_hue(rgb: tuple[int, int, int], name: str) -> None:
    facts = colour.measure(solid(rgb))
    assert facts.dominant == name
    assert facts.colour_name == name
    assert [t.name for t in colour.tags(facts) if t.source is Source.COLOUR] == [name]


def test_grey_image_is_black_and_white() -> None:
    gradient = np.tile(np.linspace(0, 255, 200, dtype=np.uint8), (120, 1))
    facts = colour.measure(Image.fromarray(gradient).convert("RGB"))
    assert facts.monochrome and facts.colour_name == "black and white"
    assert "monochrome" in [t.name for t in colour.tags(facts)]


def test_dark_and_bright() -> None:
    dark = colour.measure(solid((20, 20, 30)))
    bright = colour.measure(solid((250, 250, 245)))
    assert dark.brightness == "dark" and bright.brightness == "bright"
    assert colour.measure(solid((128, 120, 110))).brightness is None
    dark_tag = [t for t in colour.tags(dark) if t.source is Source.BRIGHTNESS]
    assert dark_tag and dark_tag[0].name == "dark" and 0 < dark_tag[0].confidence <= 1


def test_no_dominant_hue_in_a_mixed_image() -> None:
    stripes = np.zeros((120, 200, 3), dtype=np.uint8)
    for i, rgb in enumerate([(220, 30, 30), (30, 200, 40), (30, 60, 220), (230, 220, 30), (160, 40, 200)]):
        stripes[:, i * 40 : (i + 1) * 40] = rgb
    facts = colour.measure(Image.fromarray(stripes))
    assert facts.dominant is None and not facts.monochrome
