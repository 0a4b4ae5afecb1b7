"""The whole pipeline for one item: decode, classify, detect faces, measure colour, tag, describe."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

from celeriac_site.media.pipeline import colour, decode, registry, video
from celeriac_site.media.pipeline.captioner import Captioner
from celeriac_site.media.pipeline.describe import (
    DESCRIBE_MIN_CONFIDENCE,
    TEMPLATE_SOURCE,
    DescriptionFacts,
    describe,
)
from celeriac_site.media.pipeline.errors import CaptionerError
from celeriac_site.media.pipeline.tagging import DEFAULT_TABLE, Source, TagScore, TagTable, merge

TOP_LABELS = 5


@dataclass(frozen=True)
class Analysis:
    """What the pipeline found in one image, ready to be stored."""

    tags: tuple[TagScore, ...]
    subject: TagScore | None
    description: str
    description_source: str
    model_name: str
    model_version: str
    faces: int
    details: dict[str, Any] = field(default_factory=dict)

    def tag_names(self) -> list[str]:
        return [t.name for t in self.tags]


@dataclass(frozen=True)
class PhotoResult:
    analysis: Analysis
    info: decode.ImageInfo
    exif: dict[str, Any]


@dataclass(frozen=True)
class VideoResult:
    analysis: Analysis
    info: video.VideoInfo
    frame_at_s: float | None


def analyse_image(
    image: Image.Image,
    *,
    kind: str = "photo",
    duration_s: float | None = None,
    captioner: Captioner | None = None,
    models: registry.Models | None = None,
    table: TagTable = DEFAULT_TABLE,
) -> Analysis:
    """Run the models on an RGB analysis copy and build tags and a description."""
    models = models or registry.get()
    started = time.perf_counter()
    probs = models.classifier.probabilities(image)
    classified = time.perf_counter()
    faces = models.faces.detect(image)
    detected = time.perf_counter()
    facts = colour.measure(image)
    face_tags = [TagScore("face", 1.0, Source.FACES)] if faces else []
    tags = merge(
        table.score(probs),
        table.with_ancestors(face_tags),
        table.with_ancestors(colour.tags(facts)),
    )
    subject = table.subject(tags, min_confidence=DESCRIBE_MIN_CONFIDENCE)
    description = describe(
        DescriptionFacts(
            kind=kind,
            subject=table.phrase(subject.name) if subject else None,
            subject_confidence=subject.confidence if subject else 0.0,
            faces=len(faces),
            colour=facts.colour_name,
            brightness=facts.brightness,
            duration_s=duration_s,
        )
    )
    source = TEMPLATE_SOURCE
    details: dict[str, Any] = {
        "labels": [asdict(label) for label in models.classifier.top(probs, TOP_LABELS)],
        "faces": [asdict(face) for face in faces],
        "colour": asdict(facts),
        "models": dict(models.versions),
    }
    if captioner is not None:
        try:
            description, source = captioner.caption(image), captioner.source
        except CaptionerError as exc:
            details["captioner_error"] = str(exc)  # the template description stands
    details["timings_ms"] = {
        "classify": round((classified - started) * 1000, 1),
        "faces": round((detected - classified) * 1000, 1),
        "total": round((time.perf_counter() - started) * 1000, 1),
    }
    return Analysis(
        tags=tuple(tags),
        subject=subject,
        description=description,
        description_source=source,
        model_name=models.classifier.name,
        model_version=models.classifier.version,
        faces=len(faces),
        details=details,
    )


def analyse_photo(path: str | Path, *, captioner: Captioner | None = None) -> PhotoResult:
    """Decode the photo at ``path`` (read-only) and analyse it."""
    decoded = decode.load(path)
    analysis = analyse_image(decoded.image, kind="photo", captioner=captioner)
    return PhotoResult(analysis, decoded.info, decoded.exif)


def analyse_video(path: str | Path, *, captioner: Captioner | None = None) -> VideoResult:
    """Analyse the middle frame of the video at ``path``, recording the video's duration."""
    frame = video.middle_frame(path)
    analysis = analyse_image(frame.image, kind="video", duration_s=frame.info.duration_s, captioner=captioner)
    return VideoResult(analysis, frame.info, frame.at_s)
