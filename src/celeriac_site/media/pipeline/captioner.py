"""Optional captions from an external vision model over the OpenAI-compatible chat completions API."""

from __future__ import annotations

import base64
import io
from typing import Any, Protocol

import httpx
from PIL import Image

from celeriac_site.media.pipeline.errors import CaptionerError

PROMPT = "Describe this image in one short sentence. Name only what you can clearly see."
#: The image sent is at most this long on its longest side (tokens and bandwidth).
SEND_MAX_SIDE_PX = 512
MAX_TOKENS = 60
CAPTION_MAX_CHARS = 500


class Captioner(Protocol):
    """Anything that turns an image into one sentence; ``source`` is recorded with the caption."""

    @property
    def source(self) -> str: ...

    def caption(self, image: Image.Image) -> str: ...


def jpeg_data_url(image: Image.Image, max_side_px: int = SEND_MAX_SIDE_PX) -> str:
    copy = image.convert("RGB")
    copy.thumbnail((max_side_px, max_side_px))
    buf = io.BytesIO()
    copy.save(buf, format="JPEG", quality=85)
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


class OpenAICompatibleCaptioner:
    """POST ``{base_url}/chat/completions`` with the image as a data URL; off unless configured."""

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str = "",
        timeout_s: float = 20.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._timeout_s = timeout_s
        self._transport = transport

    @property
    def source(self) -> str:
        return f"captioner:{self.model}"

    def request_body(self, image: Image.Image) -> dict[str, Any]:
        return {
            "model": self.model,
            "max_tokens": MAX_TOKENS,
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": PROMPT},
                        {"type": "image_url", "image_url": {"url": jpeg_data_url(image)}},
                    ],
                }
            ],
        }

    def caption(self, image: Image.Image) -> str:
        url = f"{self.base_url}/chat/completions"
        try:
            with httpx.Client(timeout=self._timeout_s, transport=self._transport) as client:
                resp = client.post(url, json=self.request_body(image), headers=self._headers)
        except httpx.HTTPError as exc:
            raise CaptionerError(f"captioner unreachable: {type(exc).__name__}: {exc}") from None
        if resp.status_code != 200:
            raise CaptionerError(f"captioner answered HTTP {resp.status_code}: {resp.text[:200]}")
        try:
            text = resp.json()["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError):
            raise CaptionerError(f"captioner answered without a message content: {resp.text[:200]}") from None
        if not isinstance(text, str) or not text.strip():
            raise CaptionerError("captioner answered with an empty caption")
        return " ".join(text.split())[:CAPTION_MAX_CHARS]
