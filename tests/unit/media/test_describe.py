"""Template descriptions: their wording, and never a subject below the confidence threshold."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from celeriac_site.media.pipeline.describe import (
    DESCRIBE_MIN_CONFIDENCE,
    TEMPLATE_SOURCE,
    DescriptionFacts,
    describe,
)


def test_source_is_versioned() -> None:
    assert TEMPLATE_SOURCE == "template:v1"


def test_photo_with_a_subject_and_appearance() -> None:
    facts = DescriptionFacts("photo", "a cat", 0.91, colour="orange", brightness="bright")
    assert describe(facts) == "A photo of a cat. Mostly orange, bright."


def test_photo_with_faces_only() -> None:
    assert describe(DescriptionFacts("photo", faces=1)) == "A photo of one person."
    assert describe(DescriptionFacts("photo", faces=3, colour="black and white")) == (
        "A photo of 3 people. In black and white."
    )


def test_photo_with_subject_and_faces() -> None:
    assert describe(DescriptionFacts("photo", "a dog", 0.8, faces=2)) == "A photo of a dog, with 2 faces."


def test_nothing_recognised_says_so() -> None:
    assert describe(DescriptionFacts("photo", brightness="dark")) == (
        "A photo; no subject was recognised with confidence. Dark."
    )


def test_video_mentions_its_length_and_middle_frame() -> None:
    assert describe(DescriptionFacts("video", "a cat", 0.9, duration_s=3.14)) == (
        "A 3.1-second video; its middle frame shows a cat."
    )
    assert describe(DescriptionFacts("video")) == (
        "A video; nothing in its middle frame was recognised with confidence."
    )


def test_a_subject_just_below_the_threshold_is_not_named() -> None:
    text = describe(DescriptionFacts("photo", "a rocket", DESCRIBE_MIN_CONFIDENCE - 0.001))
    assert "rocket" not in text


@given(
    kind=st.sampled_from(["photo", "video"]),
    confidence=st.floats(min_value=0.0, max_value=DESCRIBE_MIN_CONFIDENCE, exclude_max=True),
    faces=st.integers(min_value=0, max_value=5),
    colour=st.sampled_from([None, "orange", "black and white"]),
    brightness=st.sampled_from([None, "dark", "bright"]),
    duration=st.one_of(st.none(), st.floats(min_value=0.1, max_value=3600)),
)
def test_never_names_a_subject_below_the_threshold(
    kind: str,
    confidence: float,
    faces: int,
    colour: str | None,
    brightness: str | None,
    duration: float | None,
) -> None:
    facts = DescriptionFacts(kind, "a zebra", confidence, faces, colour, brightness, duration)
    assert "zebra" not in describe(facts)


@given(confidence=st.floats(min_value=DESCRIBE_MIN_CONFIDENCE, max_value=1.0))
def test_names_the_subject_at_or_above_the_threshold(confidence: float) -> None:
    assert "a zebra" in describe(DescriptionFacts("photo", "a zebra", confidence))
