"""Job payloads on the legacy wire: a valid one round-trips, every bad one is refused with its field named."""

from __future__ import annotations

import json
from typing import Any

import pytest

from celeriac_site.bridge.services.jobspec import JobSpec, PayloadError

GOOD = JobSpec("j1", "python", "print(1)\n", (("", "1\n"),), 1000, 256, "exact")


def test_round_trip() -> None:
    assert JobSpec.from_json(GOOD.to_json()) == GOOD


def mutate(**changes: Any) -> str:
    data = json.loads(GOOD.to_json())
    data.update(changes)
    return json.dumps({k: v for k, v in data.items() if v is not ...})


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("{not json", "not JSON"),
        ("[1, 2]", "JSON object"),
        (mutate(job_id=...), "job_id"),
        (mutate(job_id="x" * 65), "job_id"),
        (mutate(language="cobol"), "unknown language"),
        (mutate(code="   "), "empty"),
        (mutate(tests=[]), "tests"),
        (mutate(tests=[["only input"]]), "tests[0]"),
        (mutate(tests=[["in", 3]]), "tests[0]"),
        (mutate(time_limit_ms=50), "time_limit_ms"),
        (mutate(time_limit_ms=True), "time_limit_ms"),
        (mutate(memory_limit_mb="256"), "memory_limit_mb"),
        (mutate(checker="regex"), "checker"),
    ],
)
def test_bad_payloads_name_the_field(raw: str, message: str) -> None:
    with pytest.raises(PayloadError, match=message.replace("[", r"\[")):
        JobSpec.from_json(raw)
