"""Self-test of every model on images bundled with the app; ``check_ai_models`` and doctor use it."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from celeriac_site.media.pipeline import analyse, registry, video

ASSETS = Path(__file__).resolve().parent.parent / "assets"
#: Chelsea the cat (scikit-image sample, CC0 by Stefan van der Walt).
CAT_IMAGE = ASSETS / "selftest-cat.jpg"
#: Eileen Collins (scikit-image sample, NASA, public domain), cropped to her face.
FACE_IMAGE = ASSETS / "selftest-face.jpg"
#: Frame colours of the generated self-test video; the middle one must come back.
VIDEO_COLOURS = ((255, 0, 0),) * 4 + ((0, 0, 255),) * 3 + ((0, 255, 0),) * 4


@dataclass(frozen=True)
class Check:
    """One self-test step: what was checked, whether it passed, what was seen, how long it took."""

    name: str
    ok: bool
    detail: str
    ms: float


@dataclass
class SelfTestReport:
    """Every check, and the versions of everything loaded."""

    checks: list[Check] = field(default_factory=list)
    versions: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)


def _timed(report: SelfTestReport, name: str, step: Callable[[], tuple[bool, str]]) -> None:
    started = time.perf_counter()
    try:
        ok, detail = step()
    except Exception as exc:  # a self-test reports every failure instead of stopping at the first
        ok, detail = False, f"{type(exc).__name__}: {exc}"
    report.checks.append(Check(name, ok, detail, round((time.perf_counter() - started) * 1000, 1)))


def _load() -> tuple[bool, str]:
    models = registry.get()
    return True, f"{models.classifier.name} from {models.classifier.weights}"


def _cat() -> tuple[bool, str]:
    result = analyse.analyse_photo(CAT_IMAGE)
    tags = result.analysis.tag_names()
    return "cat" in tags, f"tags {', '.join(tags)}; {result.analysis.description!r}"


def _face() -> tuple[bool, str]:
    result = analyse.analyse_photo(FACE_IMAGE)
    return result.analysis.faces >= 1, f"{result.analysis.faces} face(s); tags {result.analysis.tag_names()}"


def _video() -> tuple[bool, str]:
    import av

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "selftest.mp4"
        with av.open(str(path), "w") as out:
            stream = out.add_stream("mpeg4", rate=10)
            stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
            for rgb in VIDEO_COLOURS:
                pixels = np.full((48, 64, 3), rgb, dtype=np.uint8)
                for packet in stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")):
                    out.mux(packet)
            for packet in stream.encode():
                out.mux(packet)
        frame = video.middle_frame(path)
    r, g, b = frame.image.getpixel((32, 24))  # type: ignore[misc]
    ok = b > 150 and r < 100 and g < 100
    return ok, f"middle frame at {frame.at_s} s of {frame.info.duration_s} s is rgb({r}, {g}, {b})"


def run() -> SelfTestReport:
    """Load every model and run it on the bundled images; nothing is downloaded."""
    report = SelfTestReport()
    _timed(report, "load models from their packages", _load)
    _timed(report, "classify the bundled cat photo", _cat)
    _timed(report, "detect the face in the bundled photo", _face)
    _timed(report, "decode the middle frame of a generated video", _video)
    if registry.is_loaded():
        report.versions = dict(registry.get().versions)
    return report
