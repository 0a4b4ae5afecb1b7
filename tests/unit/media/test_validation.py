"""Upload decisions: type by content, size and pixel limits, display names that never reach the disk."""

from __future__ import annotations

import pytest

from celeriac_site.media.validation import (
    AVI,
    GIF,
    JPEG,
    MATROSKA,
    MP4,
    PNG,
    QUICKTIME,
    WEBP,
    MediaKind,
    UploadRejected,
    check_pixels,
    check_upload,
    display_name,
    sniff,
)

HEADS = {
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00": JPEG,
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR": PNG,
    b"GIF89a\x01\x00\x01\x00\x00\x00": GIF,
    b"RIFF\x24\x00\x00\x00WEBPVP8 ": WEBP,
    b"RIFF\x24\x00\x00\x00AVI LIST": AVI,
    b"\x00\x00\x00\x20ftypisom\x00\x00": MP4,
    b"\x00\x00\x00\x14ftypqt  \x00\x00": QUICKTIME,
    b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01": MATROSKA,
}


@pytest.mark.parametrize(("head", "expected"), list(HEADS.items()))
def test_sniff_recognises_types_by_content(head: bytes, expected: object) -> None:
    assert sniff(head) == expected


@pytest.mark.parametrize(
    "head",
    [
        b"",
        b"hello world, not an image",
        b"PK\x03\x04zipfile....",
        b"%PDF-1.7\n",
        b"<svg xmlns=",
        b"\x00" * 16,
    ],
)
def test_sniff_refuses_everything_else(head: bytes) -> None:
    assert sniff(head) is None


def test_empty_file_is_a_400() -> None:
    with pytest.raises(UploadRejected) as err:
        check_upload(MediaKind.PHOTO, 0, b"", 1000)
    assert (err.value.status, err.value.message) == (400, "the file is empty")


def test_too_many_bytes_is_a_413() -> None:
    with pytest.raises(UploadRejected) as err:
        check_upload(MediaKind.PHOTO, 1001, b"\xff\xd8\xff", 1000)
    assert err.value.status == 413
    assert "1001 bytes" in err.value.message


def test_unknown_type_is_a_415_naming_what_is_accepted() -> None:
    with pytest.raises(UploadRejected) as err:
        check_upload(MediaKind.PHOTO, 10, b"just text", 1000)
    assert err.value.status == 415
    assert "JPEG, PNG, GIF or WebP" in err.value.message


def test_a_video_sent_as_a_photo_is_refused_with_a_pointer() -> None:
    with pytest.raises(UploadRejected) as err:
        check_upload(MediaKind.PHOTO, 10, b"\x00\x00\x00\x20ftypisom", 1000)
    assert err.value.status == 415
    assert "upload it as a video" in err.value.message


def test_accepted_upload_returns_its_type() -> None:
    assert check_upload(MediaKind.VIDEO, 10, b"\x1a\x45\xdf\xa3rest", 1000) is MATROSKA


def test_decompression_bomb_is_refused_before_decoding() -> None:
    with pytest.raises(UploadRejected) as err:
        check_pixels(20000, 20000, 50_000_000)
    assert err.value.status == 413
    assert "decompression-bomb" in err.value.message
    check_pixels(8000, 6000, 50_000_000)  # a 48 MP photo is fine


def test_zero_sized_image_header_is_refused() -> None:
    with pytest.raises(UploadRejected, match="claims a size of 0 x 10"):
        check_pixels(0, 10, 100)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../../etc/passwd", "passwd"),
        ("..\\..\\windows\\system32\\evil.jpg", "evil.jpg"),
        ("/abs/path/photo.jpg", "photo.jpg"),
        ("..", "upload.jpg"),
        ("", "upload.jpg"),
        (None, "upload.jpg"),
        (".hidden.jpg", "hidden.jpg"),
        ("bell\x07\x00name.jpg", "bellname.jpg"),
        ("holiday photo.JPG", "holiday photo.JPG"),
    ],
)
def test_display_name_is_a_clean_base_name(raw: str | None, expected: str) -> None:
    assert display_name(raw, fallback="upload.jpg") == expected


def test_display_name_is_bounded() -> None:
    assert len(display_name("a" * 1000 + ".jpg", fallback="x")) == 200
