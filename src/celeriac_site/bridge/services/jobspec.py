"""A job as both paths run it: language, code, tests and limits; validated JSON on the legacy wire (pure)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from celeriac_site.judge.services.validation import SubmissionError, check_submission

MAX_TESTS = 500
TIME_LIMIT_MS = (100, 20_000)
MEMORY_LIMIT_MB = (16, 2048)
CHECKERS = ("exact", "whitespace", "float")


class PayloadError(ValueError):
    """A job payload that cannot be run as sent; the message names the field."""


@dataclass(frozen=True)
class JobSpec:
    """Everything a path needs to evaluate one job, and nothing that differs between the paths."""

    job_id: str
    language: str
    code: str
    tests: tuple[tuple[str, str], ...]
    time_limit_ms: int
    memory_limit_mb: int
    checker: str = "whitespace"

    def to_json(self) -> str:
        data = asdict(self)
        data["tests"] = [list(t) for t in self.tests]
        return json.dumps(data)

    @classmethod
    def from_json(cls, raw: str | bytes) -> JobSpec:
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise PayloadError(f"not JSON: {exc}") from None
        return cls.parse(data)

    @classmethod
    def parse(cls, data: Any) -> JobSpec:
        """Validate a decoded payload; every problem is a :class:`PayloadError` naming the field."""
        if not isinstance(data, dict):
            raise PayloadError("the payload must be a JSON object")
        job_id = _field(data, "job_id", str)
        if not 0 < len(job_id) <= 64:
            raise PayloadError("job_id: 1 to 64 characters")
        language, code = _field(data, "language", str), _field(data, "code", str)
        try:
            check_submission(code, language)
        except SubmissionError as exc:
            raise PayloadError(str(exc)) from None
        tests = _tests(data.get("tests"))
        time_ms = _bounded(data, "time_limit_ms", TIME_LIMIT_MS)
        memory_mb = _bounded(data, "memory_limit_mb", MEMORY_LIMIT_MB)
        checker = data.get("checker", "whitespace")
        if checker not in CHECKERS:
            raise PayloadError(f"checker: one of {', '.join(CHECKERS)}, not {checker!r}")
        return cls(job_id, language, code, tests, time_ms, memory_mb, checker)


def _field(data: dict[str, Any], name: str, kind: type) -> Any:
    value = data.get(name)
    if not isinstance(value, kind):
        raise PayloadError(f"{name}: missing or not a {kind.__name__}")
    return value


def _bounded(data: dict[str, Any], name: str, bounds: tuple[int, int]) -> int:
    value = data.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or not bounds[0] <= value <= bounds[1]:
        raise PayloadError(f"{name}: an integer from {bounds[0]} to {bounds[1]}, not {value!r}")
    return value


def _tests(value: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, list) or not 0 < len(value) <= MAX_TESTS:
        raise PayloadError(f"tests: a list of 1 to {MAX_TESTS} [input, expected output] pairs")
    out = []
    for i, test in enumerate(value):
        if not (isinstance(test, list | tuple) and len(test) == 2 and all(isinstance(s, str) for s in test)):
            raise PayloadError(f"tests[{i}]: an [input, expected output] pair of strings")
        out.append((test[0], test[1]))
    return tuple(out)
