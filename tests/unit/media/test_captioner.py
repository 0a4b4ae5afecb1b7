"""The OpenAI-compatible captioner against a local server speaking the protocol."""

from __future__ import annotations

import base64
import io

import pytest
from PIL import Image

from celeriac_site.media.pipeline.captioner import PROMPT, OpenAICompatibleCaptioner
from celeriac_site.media.pipeline.errors import CaptionerError
from tests.unit.media.fake_openai import Script, serve

IMAGE = Image.new("RGB", (1024, 768), (200, 120, 40))


def test_sends_the_image_as_a_data_url_and_returns_the_caption() -> None:
    script = Script(caption="  A ginger cat\n lying on a rug.  ")
    with serve(script) as base:
        captioner = OpenAICompatibleCaptioner(base, "vision-mini", api_key="sk-test")
        assert captioner.caption(IMAGE) == "A ginger cat lying on a rug."
        assert captioner.source == "captioner:vision-mini"
    (request,) = script.requests
    assert request["path"] == "/v1/chat/completions"
    assert request["auth"] == "Bearer sk-test"
    body = request["body"]
    assert body["model"] == "vision-mini"
    text, image = body["messages"][0]["content"]
    assert text == {"type": "text", "text": PROMPT}
    prefix = "data:image/jpeg;base64,"
    assert image["type"] == "image_url" and image["image_url"]["url"].startswith(prefix)
    sent = Image.open(io.BytesIO(base64.b64decode(image["image_url"]["url"][len(prefix) :])))
    assert sent.format == "JPEG" and max(sent.size) == 512


def test_no_key_no_authorization_header() -> None:
    script = Script()
    with serve(script) as base:
        OpenAICompatibleCaptioner(base, "m").caption(IMAGE)
    assert script.requests[0]["auth"] is None


@pytest.mark.parametrize(
    ("script", "message"),
    [
        (Script(status=500, raw_body=b'{"error": "overloaded"}'), "HTTP 500"),
        (Script(raw_body=b"not json"), "without a message content"),
        (Script(raw_body=b'{"choices": []}'), "without a message content"),
        (Script(caption="   "), "empty caption"),
    ],
)
def test_bad_answers_raise_captioner_error(script: Script, message: str) -> None:
    with serve(script) as base, pytest.raises(CaptionerError, match=message):
        OpenAICompatibleCaptioner(base, "m").caption(IMAGE)


def test_timeout_and_refused_connection_raise_captioner_error() -> None:
    with serve(Script(delay_s=1.0)) as base, pytest.raises(CaptionerError, match="unreachable"):
        OpenAICompatibleCaptioner(base, "m", timeout_s=0.2).caption(IMAGE)
    with pytest.raises(CaptionerError, match="unreachable"):
        OpenAICompatibleCaptioner("http://127.0.0.1:9/v1", "m", timeout_s=1).caption(IMAGE)
