"""A local server speaking the OpenAI chat-completions protocol, so the real HTTP client code runs.

Answers are queued by the test: a string becomes a well-formed completion; an ``int`` is an HTTP status
with an error body; ``bytes`` are sent raw (garbage). Requests are recorded after their shape is checked.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeOpenAI:
    def __init__(self, default: str | int | bytes = "ok") -> None:
        self.answers: deque[str | int | bytes] = deque()
        self.default = default
        self.requests: list[dict[str, Any]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                if self.path != "/v1/chat/completions":
                    self._send(404, b'{"error": {"message": "not found"}}')
                    return
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if not isinstance(body.get("messages"), list) or not body.get("model"):
                    self._send(400, b'{"error": {"message": "model and messages are required"}}')
                    return
                fake.requests.append({"body": body, "auth": self.headers.get("Authorization")})
                answer = fake.answers.popleft() if fake.answers else fake.default
                if isinstance(answer, int):
                    self._send(answer, json.dumps({"error": {"message": f"status {answer}"}}).encode())
                elif isinstance(answer, bytes):
                    self._send(200, answer)
                else:
                    payload = {
                        "id": "chatcmpl-test",
                        "object": "chat.completion",
                        "created": int(time.time()),
                        "model": body["model"],
                        "choices": [
                            {
                                "index": 0,
                                "finish_reason": "stop",
                                "message": {"role": "assistant", "content": answer},
                            }
                        ],
                        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                    }
                    self._send(200, json.dumps(payload).encode())

            def _send(self, status: int, data: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
