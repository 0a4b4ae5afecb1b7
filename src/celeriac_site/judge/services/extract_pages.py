"""Sample problem pages shaped like Baekjoon's and Codeforces', and a local server for them.

``celeriac verify`` and the tests extract from these, since the real sites are not reachable from CI.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

BAEKJOON_1000 = """<!DOCTYPE html><html><head><title>1000번: A+B</title></head><body>
<div class="page-header"><h1><span id="problem_title">A+B</span></h1></div>
<table class="table" id="problem-info"><thead><tr><th>시간 제한</th><th>메모리 제한</th><th>제출</th></tr></thead>
<tbody><tr><td>2 초 </td><td>128 MB</td><td>1000</td></tr></tbody></table>
<div id="problem_description" class="problem-text"><p>두 정수 A와 B를 입력받은 다음, A+B를 출력하는 프로그램을 작성하시오.</p></div>
<div id="problem_input" class="problem-text"><p>첫째 줄에 A와 B가 주어진다. (0 &lt; A, B &lt; 10)</p></div>
<div id="problem_output" class="problem-text"><p>첫째 줄에 A+B를 출력한다.</p></div>
<pre class="sampledata" id="sample-input-1">1 2
</pre><pre class="sampledata" id="sample-output-1">3
</pre></body></html>"""

CODEFORCES_4A = """<html><body><div class="problem-statement">
<div class="header"><div class="title">A. Watermelon</div>
<div class="time-limit"><div class="property-title">time limit per test</div>1 second</div>
<div class="memory-limit"><div class="property-title">memory limit per test</div>64 megabytes</div></div>
<div><p>Pete and Billy bought a watermelon weighing w kilos. Can it be split into two even parts?</p></div>
<div class="input-specification"><div class="section-title">Input</div><p>The only line: w (1 ≤ w ≤ 100).</p></div>
<div class="output-specification"><div class="section-title">Output</div><p>Print YES or NO.</p></div>
<div class="sample-tests"><div class="sample-test"><div class="input"><div class="title">Input</div><pre>8
</pre></div><div class="output"><div class="title">Output</div><pre>YES
</pre></div></div></div>
</div></body></html>"""

PAGES = {"/problem/1000": BAEKJOON_1000, "/problemset/problem/4/A": CODEFORCES_4A}


@contextlib.contextmanager
def serve_sample_pages() -> Iterator[str]:
    """Serve :data:`PAGES` on 127.0.0.1 (404 for anything else); yields the base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            page = PAGES.get(self.path.split("?")[0])
            body = (page or "<html>not here</html>").encode()
            self.send_response(200 if page else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
