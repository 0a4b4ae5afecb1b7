"""The judge's part of the main job: every language x every verdict through the live HTTP API."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx

from celeriac_site.mainjob.report import Matrix, Outcome, Section

SUBMISSION_TIMEOUT_S = 180


def _wait(client: httpx.Client, path: str, done: tuple[str, ...], key: str = "status") -> dict[str, Any]:
    deadline = time.monotonic() + SUBMISSION_TIMEOUT_S
    while True:
        data: dict[str, Any] = client.get(path).json()
        if data.get(key) in done or time.monotonic() > deadline:
            return data
        time.sleep(0.2)


def run(web_url: str | None) -> list[Section]:
    """Submit A+B in five languages six ways, generate tests from a spec, ask for hints."""
    if not web_url:
        return []
    from celeriac_site.judge.problemset.load import load
    from celeriac_site.judge.problemset.submissions import APLUSB, LANGUAGES, VERDICTS

    problems = {p.problem_id: p for p in load()}
    aplusb = problems["aplusb"].pk
    api = f"{web_url}/api/judge"
    with httpx.Client(base_url=api, timeout=30) as client:
        started = time.monotonic()
        sent = {}
        for (language, want), code in APLUSB.items():
            body = {"problem": aplusb, "language": language, "code": code, "user_identifier": "demo@celeriac"}
            sent[(language, want)] = client.post("/submissions", json=body).json()["id"]
        got = {
            key: _wait(client, f"/submissions/{sid}", ("completed", "failed")) for key, sid in sent.items()
        }
        seconds = time.monotonic() - started
        rows = tuple(
            (
                lang,
                tuple(
                    (got[(lang, v)].get("verdict") or "?", got[(lang, v)].get("verdict") == v)
                    for v in VERDICTS
                ),
            )
            for lang in LANGUAGES
        )
        matrix = Section(
            f"judge: A+B in {len(LANGUAGES)} languages, one submission per verdict ({seconds:.1f}s via HTTP)",
            matrix=Matrix("language \\ expected", VERDICTS, rows),
        )
        extra = Section("judge: generation and hints")
        extra.outcomes.append(_generation(client))
        extra.outcomes.append(_hints(client, sent[("python", "WA")]))
    return [matrix, extra]


def _generation(client: httpx.Client) -> Outcome:
    started = time.monotonic()
    body = {
        "platform": "demo",
        "problem_id": uuid.uuid4().hex[:8],
        "title": "A+B",
        "constraints": "1 ≤ A, B ≤ 10",
        "input_spec": {"vars": {"A": {"int": None}, "B": {"int": None}}, "lines": [["A", "B"]]},
        "num_cases": 20,
    }
    job = client.post("/jobs", json=body).json()
    final = _wait(client, f"/jobs/{job['id']}", ("completed", "failed"))
    ok = final.get("status") == "completed" and final.get("cases_created") == 20
    return Outcome(
        "tests generated from an input spec",
        "generation",
        "cpu",
        "completed, 20 cases",
        f"{final.get('status')}, {final.get('cases_created')} cases",
        ok,
        round(time.monotonic() - started, 2),
    )


def _hints(client: httpx.Client, sid: str) -> Outcome:
    started = time.monotonic()
    client.post(f"/submissions/{sid}/hints")
    final = _wait(client, f"/submissions/{sid}", ("rule-based:v1",), key="hints_source")
    hints = final.get("hints") or []
    ok = bool(hints) and "expected '3'" in " ".join(hints)
    return Outcome(
        "hints for a wrong answer (rule-based)",
        "ai",
        "ai",
        "names the first difference",
        (hints[1] if len(hints) > 1 else str(hints))[:60],
        ok,
        round(time.monotonic() - started, 2),
    )
