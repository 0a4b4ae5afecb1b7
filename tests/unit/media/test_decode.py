"""Decoding photos: draft mode for big JPEGs, EXIF facts, the bomb guard, bad files, originals untouched."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from PIL import Image

from celeriac_site.media.pipeline import decode
from celeriac_site.media.pipeline.errors import FileMissing, TooManyPixels, UnreadableMedia
from tests.unit.media.samples import jpeg_bytes, png_bomb, sample_image, truncated_jpeg


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_big_jpeg_is_decoded_in_draft_mode_to_the_analysis_size(tmp_path: Path) -> None:
    big = sample_image("coffee").resize((4800, 3200))
    path = write(tmp_path, "big.jpg", jpeg_bytes(big))
    decoded = decode.load(path)
    assert (decoded.info.width, decoded.info.height) == (4800, 3200)
    assert max(decoded.image.size) == 512 and decoded.image.mode == "RGB"


def test_draft_mode_is_what_makes_it_cheap(tmp_path: Path) -> None:
    path = write(tmp_path, "big.jpg", jpeg_bytes(sample_image("coffee").resize((4800, 3200))))
    with Image.open(path) as img:
        img.draft("RGB", (512, 512))
        assert img.size == (1200, 800)  # decoded at 1/4 scale (1/16 of the pixels) from the DCT


def test_exif_facts_and_orientation(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x010F] = "Canon"
    exif[0x0110] = "EOS 5D\x00"
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    exif.get_ifd(0x8769)[0x9003] = "2024:05:17 14:03:22"
    exif.get_ifd(0x8769)[0x8827] = 400
    path = write(tmp_path, "exif.jpg", jpeg_bytes(Image.new("RGB", (300, 200), "white"), exif=exif))
    decoded = decode.load(path)
    assert decoded.exif["make"] == "Canon" and decoded.exif["model"] == "EOS 5D"
    assert decoded.exif["taken_at"] == "2024-05-17T14:03:22"
    assert decoded.exif["orientation"] == 6 and decoded.exif["iso"] == 400
    assert decoded.image.size == (200, 300)  # the analysis copy is upright


def test_the_original_is_never_modified(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6
    path = write(tmp_path, "o.jpg", jpeg_bytes(sample_image("chelsea"), exif=exif))
    before = hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns
    decode.load(path)
    assert (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns) == before


def test_transparency_is_composited_on_white(tmp_path: Path) -> None:
    buf = io.BytesIO()
    Image.new("RGBA", (64, 64), (0, 0, 0, 0)).save(buf, format="PNG")
    decoded = decode.load(write(tmp_path, "t.png", buf.getvalue()))
    assert decoded.image.getpixel((10, 10)) == (255, 255, 255)


def test_a_20000_by_20000_png_is_refused_before_decoding(tmp_path: Path) -> None:
    path = write(tmp_path, "bomb.png", png_bomb())
    assert path.stat().st_size < 200_000  # 400 MP behind a small file
    with pytest.raises(TooManyPixels, match="decompression-bomb guard"):
        decode.load(path)
    with pytest.raises(TooManyPixels, match="decompression-bomb guard"):
        decode.probe(path)


def test_our_limit_is_below_pillows_own(tmp_path: Path) -> None:
    # 81 MP: Pillow only warns (89 MP) or raises (179 MP) above this; our 50 MP guard refuses it.
    path = write(tmp_path, "bomb.png", png_bomb(9000, 9000))
    with pytest.raises(TooManyPixels, match="9000 x 9000 pixels; the limit is 50000000"):
        decode.load(path)


def test_truncated_jpeg_fails_with_a_reason(tmp_path: Path) -> None:
    path = write(tmp_path, "cut.jpg", truncated_jpeg())
    with pytest.raises(UnreadableMedia, match="cannot decode the image: image file is truncated"):
        decode.load(path)


@pytest.mark.parametrize("data", [b"", b"this is plain text, not an image", b"\xff\xd8\xff" + b"\x00" * 50])
def test_non_images_fail_with_a_reason(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(UnreadableMedia):
        decode.load(write(tmp_path, "bad.jpg", data))


def test_reasons_do_not_leak_server_paths(tmp_path: Path) -> None:
    with pytest.raises(UnreadableMedia) as err:
        decode.load(write(tmp_path, "bad.png", b"not an image at all"))
    assert str(tmp_path) not in str(err.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileMissing, match=r"the file is missing: gone\.jpg"):
        decode.load(tmp_path / "gone.jpg")


def test_probe_reads_the_header(tmp_path: Path) -> None:
    info = decode.probe(io.BytesIO(jpeg_bytes(sample_image("rocket"))))
    assert (info.format, info.width, info.height) == ("JPEG", 640, 427)
