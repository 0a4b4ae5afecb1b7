"""Hints for a failed submission: from the LLM when configured, else a rule-based analyzer (labelled so)."""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from typing import Any

#: Recorded as ``hints_source`` so nobody mistakes the analyzer for a model.
RULE_BASED_SOURCE = "rule-based:v1"

_BY_VERDICT = {
    "CE": "The program does not compile. Read the first compiler error; fix it before anything else.",
    "RE": "The program crashed (non-zero exit). Look for index errors, division by zero, or unread input.",
    "TLE": "The program ran out of time. Estimate its complexity against the limits; avoid quadratic loops "
    "over the largest inputs and read input in bulk.",
    "MLE": "The program used too much memory. Avoid storing all input at once or huge static arrays.",
    "OLE": "The program printed far more than expected. Check for a loop that never stops printing.",
    "IE": "The judge could not evaluate this run; it is not your program's fault. Submit again.",
}


def first_difference(expected: str, actual: str) -> str:
    """Where two outputs first differ, line by line, in one sentence."""
    exp_lines, act_lines = expected.strip().splitlines(), actual.strip().splitlines()
    for i, (e, a) in enumerate(zip(exp_lines, act_lines, strict=False), start=1):
        if e.split() != a.split():
            return f"line {i}: expected {e[:80]!r}, got {a[:80]!r}"
    if len(act_lines) < len(exp_lines):
        return f"your output stops after {len(act_lines)} line(s); {len(exp_lines)} expected"
    if len(act_lines) > len(exp_lines):
        return f"your output has {len(act_lines) - len(exp_lines)} extra line(s) after line {len(exp_lines)}"
    return "the outputs differ only in spacing"


def analyze(test_results: Sequence[Mapping[str, Any]], compile_output: str = "") -> list[str]:
    """Explain the first failing test from its verdict and diff. Deterministic, no model involved."""
    failing = next((t for t in test_results if t.get("verdict") != "AC"), None)
    if failing is None:
        return ["All tests passed: nothing to hint."] if test_results else ["No tests were run."]
    verdict = str(failing.get("verdict"))
    hints = [f"Test {failing.get('index', '?')} failed with {verdict}."]
    if verdict == "WA":
        hints.append(
            "Wrong answer: "
            + first_difference(failing.get("expected_excerpt", ""), failing.get("stdout_excerpt", ""))
        )
        ratio = difflib.SequenceMatcher(
            None, failing.get("expected_excerpt", ""), failing.get("stdout_excerpt", "")
        ).ratio()
        if ratio > 0.8:
            hints.append("Your output is close to the expected one: check edge cases and formatting.")
        else:
            hints.append("Your output is far from the expected one: re-read the output format.")
    elif verdict in _BY_VERDICT:
        hints.append(_BY_VERDICT[verdict])
        if verdict == "CE" and compile_output:
            hints.append("Compiler says: " + compile_output.strip().splitlines()[0][:200])
    return hints
