"""The comparison rules: what must agree between the two paths, and what is only a measurement."""

from __future__ import annotations

import copy
from typing import Any

from celeriac.ops.compare import Difference, diff
from celeriac_site.bridge.services.compare import compare, view


def payload(*outputs: str, verdict: str = "AC", exit_code: int | None = 0) -> dict[str, Any]:
    return {
        "verdict": verdict,
        "language": "python",
        "compile_output": "",
        "compile_time_ms": 12.5,
        "passed": len(outputs),
        "failed": 0,
        "error": "",
        "tests": [
            {
                "index": i,
                "verdict": verdict,
                "time_ms": 8.1 + i,
                "memory_kb": 9000 + i,
                "exit_code": exit_code,
                "stdout_excerpt": out,
                "expected_excerpt": out,
                "stderr_excerpt": "",
                "detail": "",
            }
            for i, out in enumerate(outputs)
        ],
    }


def test_identical_results_match() -> None:
    a = payload("3\n", "12\n")
    assert compare(a, copy.deepcopy(a)) == []


def test_measurements_are_not_compared() -> None:
    a, b = payload("3\n"), payload("3\n")
    b["compile_time_ms"] = 99.0
    b["tests"][0].update(time_ms=400.0, memory_kb=1, detail="used 400 ms CPU")
    assert compare(a, b) == []


def test_trailing_whitespace_is_a_difference_with_both_outputs() -> None:
    diffs = compare(payload("3"), payload("3\n"))
    assert diffs == [Difference("tests[0].output", "3", "3\n")]


def test_time_limit_difference_shows_verdict_and_exit_code() -> None:
    legacy = payload("", verdict="TLE", exit_code=-9)
    legacy["verdict"] = "TLE"
    celery = payload("3\n")
    fields = {d.field for d in compare(legacy, celery)}
    assert fields == {"verdict", "tests[0].verdict", "tests[0].exit_code", "tests[0].output"}


def test_error_and_compiler_output_are_compared() -> None:
    a, b = payload("3\n"), payload("3\n")
    b["error"] = "runner error: OSError"
    b["compile_output"] = "warning: unused"
    assert {d.field for d in compare(a, b)} == {"error", "compile_output"}


def test_a_missing_test_is_reported_as_a_length_difference() -> None:
    diffs = compare(payload("3\n", "12\n"), payload("3\n"))
    assert diffs == [Difference("tests.length", 2, 1)]


def test_view_uses_the_report_names() -> None:
    v = view(payload("3\n"))
    assert v["tests"] == [{"verdict": "AC", "exit_code": 0, "output": "3\n", "error": ""}]
    assert set(v) == {"verdict", "error", "compile_output", "tests"}


def test_diff_is_strict_about_types_but_not_about_int_and_float() -> None:
    assert diff({"a": 1}, {"a": 1.0}) == []
    assert diff({"a": 1}, {"a": True}) == [Difference("a", 1, True)]
    assert diff({"a": 0}, {"a": None}) == [Difference("a", 0, None)]
    assert diff({"a": [1, 2]}, {"a": [1, 3]}) == [Difference("a[1]", 2, 3)]
    assert diff({"a": 1}, {}) == [Difference("a", 1, None)]
    assert diff("x", "x") == [] and diff("x", "y") == [Difference("value", "x", "y")]
