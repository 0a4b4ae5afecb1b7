"""The one runner both paths use: the judge's sandbox ``evaluate`` on a job spec, as a result payload."""

from __future__ import annotations

from typing import Any

from celeriac_site.bridge.services.jobspec import JobSpec


def run(spec: JobSpec) -> dict[str, Any]:
    """Compile once and run every test; the payload is the judge's ``Evaluation.to_dict()`` plus ``error``.

    Never raises: the sandbox turns any failure into IE, and so does this for a runner that cannot load.
    """
    try:
        from celeriac_site.judge.sandbox import Checker, Limits, evaluate

        ev = evaluate(
            spec.language,
            spec.code,
            spec.tests,
            limits=Limits(time_ms=spec.time_limit_ms, memory_mb=spec.memory_limit_mb),
            checker=Checker(spec.checker),
        )
    except Exception as exc:  # fail closed: a runner error is an answer (IE), never a lost job
        return failure(f"runner error: {type(exc).__name__}: {exc}")
    return {**ev.to_dict(), "error": ""}


def failure(reason: str, *, language: str = "") -> dict[str, Any]:
    """The payload of a job that could not be evaluated at all (bad payload, runner gone): IE with why."""
    return {
        "verdict": "IE",
        "language": language,
        "compile_output": "",
        "compile_time_ms": 0.0,
        "passed": 0,
        "failed": 0,
        "tests": [],
        "error": reason,
    }
