"""The rule-based hint analyzer and the problem-page parsers (pure)."""

from __future__ import annotations

import pytest

from celeriac_site.judge.services.extract import ExtractError, parse, problem_id_from_url
from celeriac_site.judge.services.hints import analyze, first_difference
from tests.fixtures_judge import BAEKJOON_1000, CODEFORCES_4A


def test_first_difference_names_the_line() -> None:
    assert first_difference("1\n2\n3\n", "1\n5\n3\n") == "line 2: expected '2', got '5'"
    assert "stops after 1 line" in first_difference("1\n2\n", "1\n")
    assert "extra line" in first_difference("1\n", "1\n2\n")


def test_analyzer_explains_the_first_failing_test() -> None:
    results = [
        {"index": 0, "verdict": "AC"},
        {"index": 1, "verdict": "WA", "expected_excerpt": "42\n", "stdout_excerpt": "41\n"},
        {"index": 2, "verdict": "TLE"},
    ]
    hints = analyze(results)
    assert hints[0] == "Test 1 failed with WA."
    assert "line 1: expected '42', got '41'" in hints[1]
    assert analyze([{"index": 0, "verdict": "TLE"}])[1].startswith("The program ran out of time")
    assert "Compiler says: x.c:1: error" in analyze([{"index": 0, "verdict": "CE"}], "x.c:1: error\nmore")[2]
    assert analyze([{"index": 0, "verdict": "AC"}]) == ["All tests passed: nothing to hint."]


def test_baekjoon_page() -> None:
    info = parse(BAEKJOON_1000, "https://www.acmicpc.net/problem/1000")
    assert (info.platform, info.problem_id, info.title) == ("baekjoon", "1000", "A+B")
    assert (info.time_limit_ms, info.memory_limit_mb) == (2000, 128)
    assert info.samples == [("1 2\n", "3\n")]
    assert "A+B" in info.statement


def test_codeforces_page() -> None:
    info = parse(CODEFORCES_4A, "https://codeforces.com/problemset/problem/4/A")
    assert (info.platform, info.problem_id, info.title) == ("codeforces", "4A", "Watermelon")
    assert (info.time_limit_ms, info.memory_limit_mb) == (1000, 64)
    assert info.samples == [("8\n", "YES\n")]
    assert "w (1 ≤ w ≤ 100)" in info.input_spec


def test_unknown_pages_fail_with_a_reason() -> None:
    with pytest.raises(ExtractError, match="neither"):
        parse("<html><body>hello</body></html>", "https://example.org/x")
    with pytest.raises(ExtractError, match="problem id"):
        problem_id_from_url("https://www.acmicpc.net/board")
