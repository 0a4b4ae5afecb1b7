"""The real models on scikit-image's sample photos and a made video: acceptance, offline, one thread."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest

from celeriac_site.media.pipeline import analyse, registry
from celeriac_site.media.pipeline.describe import DESCRIBE_MIN_CONFIDENCE, TEMPLATE_SOURCE
from tests.unit.media.fake_openai import Script, serve
from tests.unit.media.samples import EXPECTED_TAGS, cat_in_the_middle_video, sample_image, sample_jpeg


@pytest.fixture(scope="module")
def models(request: pytest.FixtureRequest) -> registry.Models:
    """Load the models with every network connection refused: they must come from the packages."""
    real_connect = socket.socket.connect

    def refuse(self: socket.socket, address: Any) -> None:
        raise OSError(f"network is off in this test (tried {address})")

    socket.socket.connect = refuse  # type: ignore[method-assign,assignment]
    try:
        return registry.get()
    finally:
        socket.socket.connect = real_connect  # type: ignore[method-assign]


@pytest.mark.parametrize("name", sorted(EXPECTED_TAGS))
def test_sample_photos_get_sensible_tags(name: str, models: registry.Models, tmp_path: Path) -> None:
    path = tmp_path / f"{name}.jpg"
    path.write_bytes(sample_jpeg(name))
    result = analyse.analyse_photo(path)
    tags = set(result.analysis.tag_names())
    assert tags & EXPECTED_TAGS[name], f"{name}: {sorted(tags)}"
    assert result.analysis.description_source == TEMPLATE_SOURCE
    assert result.analysis.model_name == "efficientnet-lite0"


def test_chelsea_is_described_as_a_cat(models: registry.Models) -> None:
    result = analyse.analyse_image(sample_image("chelsea"))
    assert result.description.startswith("A photo of a cat.")
    assert result.subject is not None and result.subject.name == "cat"
    assert result.subject.confidence >= DESCRIBE_MIN_CONFIDENCE
    assert result.details["labels"][0]["index"] in range(281, 286)  # a domestic cat class


def test_astronaut_has_one_face(models: registry.Models) -> None:
    result = analyse.analyse_image(sample_image("astronaut"))
    assert result.faces == 1
    assert "one person" in result.description


def test_no_subject_below_the_threshold_is_named(models: registry.Models) -> None:
    # skimage's "page" (scanned text): the classifier spreads over menu/plaque/crossword
    result = analyse.analyse_image(sample_image("page"))
    assert result.subject is None
    assert "no subject was recognised" in result.description
    assert all(t.confidence < DESCRIBE_MIN_CONFIDENCE for t in result.tags if t.source == "classifier")


def test_a_made_video_gets_the_tags_of_its_middle_frame(models: registry.Models, tmp_path: Path) -> None:
    path = tmp_path / "cat.mp4"
    path.write_bytes(cat_in_the_middle_video())
    result = analyse.analyse_video(path)
    assert "cat" in result.analysis.tag_names()
    assert "coffee" not in result.analysis.tag_names()
    assert result.info.duration_s is not None and 3.0 <= result.info.duration_s <= 3.2
    assert result.analysis.description.startswith("A 3.1-second video; its middle frame shows a cat.")


def test_models_load_once_per_process_with_one_thread(models: registry.Models) -> None:
    import torch

    assert registry.get() is models
    assert torch.get_num_threads() == 1
    assert Path(models.classifier.weights).is_relative_to(Path(torch.__file__).parents[1])  # site-packages
    assert models.classifier.version == "0.1.0 (57934424)"


def test_an_enabled_captioner_describes_and_is_recorded(models: registry.Models) -> None:
    from celeriac_site.media.pipeline.captioner import OpenAICompatibleCaptioner

    with serve(Script(caption="A ginger cat on a rug.")) as base:
        result = analyse.analyse_image(
            sample_image("chelsea"), captioner=OpenAICompatibleCaptioner(base, "vl")
        )
    assert (result.description, result.description_source) == ("A ginger cat on a rug.", "captioner:vl")
    assert "cat" in result.tag_names()  # tags still come from the classifier


def test_a_failing_captioner_falls_back_to_the_template(models: registry.Models) -> None:
    from celeriac_site.media.pipeline.captioner import OpenAICompatibleCaptioner

    with serve(Script(status=503, raw_body=b"{}")) as base:
        result = analyse.analyse_image(
            sample_image("chelsea"), captioner=OpenAICompatibleCaptioner(base, "vl")
        )
    assert result.description_source == TEMPLATE_SOURCE
    assert "HTTP 503" in result.details["captioner_error"]
