"""A local server speaking the OpenAI chat completions protocol, for the captioner's tests."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Script:
    """What the server answers, and every request it received."""

    status: int = 200
    caption: str = "A ginger cat lying on a rug."
    raw_body: bytes | None = None  # answer these bytes instead of a well-formed completion
    delay_s: float = 0.0
    requests: list[dict[str, Any]] = field(default_factory=list)


def completion(text: str, model: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


@contextmanager
def serve(script: Script) -> Iterator[str]:
    """Run the server on an ephemeral port; yields its base URL (``http://127.0.0.1:PORT/v1``)."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            script.requests.append(
                {"path": self.path, "auth": self.headers.get("Authorization"), "body": body}
            )
            if script.delay_s:
                threading.Event().wait(script.delay_s)
            if self.path != "/v1/chat/completions":
                self.send_error(404)
                return
            payload = (
                script.raw_body or json.dumps(completion(script.caption, body.get("model", ""))).encode()
            )
            self.send_response(script.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()
