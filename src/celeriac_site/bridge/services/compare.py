"""The comparison rules: which fields of two results must agree, under which names (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from celeriac.ops.compare import Difference, diff

#: Per test: the judge's field name → the name a report shows. Times and memory are measurements
#: (they differ between any two runs); ``detail`` repeats them in words; neither is compared.
TEST_FIELDS = {
    "verdict": "verdict",
    "exit_code": "exit_code",
    "stdout_excerpt": "output",
    "stderr_excerpt": "error",
}
#: Per job, likewise. ``compile_time_ms`` and ``language`` are not results.
JOB_FIELDS = {"verdict": "verdict", "error": "error", "compile_output": "compile_output"}


def view(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The compared part of a result payload, under the report's names."""
    tests = payload.get("tests") or []
    return {
        **{name: payload.get(key) for key, name in JOB_FIELDS.items()},
        "tests": [{name: t.get(key) for key, name in TEST_FIELDS.items()} for t in tests],
    }


def compare(legacy: Mapping[str, Any], celery: Mapping[str, Any]) -> list[Difference]:
    """Every compared field that differs, e.g. ``tests[0].output: '3' vs '3\\n'``; [] when they match."""
    return diff(view(legacy), view(celery))
