"""Checkers: exact bytes, whitespace-tolerant tokens, floating-point tolerance (nan, inf, garbage)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from celeriac_site.judge.sandbox import Checker, check_output
from celeriac_site.judge.sandbox.checkers import numbers_match, parse_number

E, W, F = Checker.EXACT, Checker.WHITESPACE, Checker.FLOAT


def test_exact_is_byte_for_byte() -> None:
    assert check_output("1 2\n", b"1 2\n", E)
    assert not check_output("1 2\n", b"1 2", E)  # the final newline counts
    assert not check_output("1 2\n", b"1  2\n", E)
    assert not check_output("1 2\n", b"1 2\r\n", E)


def test_whitespace_tolerant_is_the_default() -> None:
    assert check_output("1 2\n3\n", b"1   2 3")
    assert check_output("1 2\n3\n", b"\n\n1\t2\r\n3\n\n\n")
    assert not check_output("1 2 3", b"1 2")
    assert not check_output("1 2", b"12")
    assert not check_output("abc", b"ABC")
    assert check_output("", b"   \n")


def test_float_within_absolute_or_relative_tolerance() -> None:
    assert check_output("0.3333333", b"0.33333333333", F)
    assert check_output("1000000", b"1000000.5", F)  # relative: 5e-7
    assert not check_output("1.0", b"1.00001", F)
    assert check_output("1.0", b"1.00001", F, tolerance=1e-4)
    assert check_output("1e-9", b"0", F)  # absolute
    assert check_output("1 2.5 x", b"1.0000000001 2.4999999999 x", F)


def test_float_nan_inf_and_garbage() -> None:
    assert check_output("nan", b"NaN", F)
    assert not check_output("nan", b"0", F)
    assert not check_output("0", b"nan", F)
    assert check_output("inf -inf", b"Infinity -INF", F)
    assert not check_output("inf", b"-inf", F)
    assert not check_output("inf", b"1e308", F)
    assert check_output("inf", b"1e999", F)  # overflows to inf, as the expected value
    assert not check_output("1.5", b"abc", F)
    assert not check_output("abc", b"1.5", F)
    assert check_output("YES 1.5", b"YES 1.5000000001", F)
    assert not check_output("YES 1.5", b"yes 1.5", F)
    assert not check_output("1.5", b"1_5", F)  # float() would take "1_5"; a checker must not
    assert not check_output("1 2", b"1", F)


def test_float_rejects_negative_or_nan_tolerance() -> None:
    with pytest.raises(ValueError):
        check_output("1", b"1", F, tolerance=-1.0)
    with pytest.raises(ValueError):
        check_output("1", b"1", F, tolerance=math.nan)


def test_output_that_is_not_utf8_never_crashes() -> None:
    junk = b"\xff\xfe\x00\x80 42"
    for checker in Checker:
        assert not check_output("42", junk, checker)
    assert check_output("42", b"\n42\n", W)


def test_checker_accepts_its_string_value() -> None:
    assert check_output("1", b"1.0000000001", Checker("float"))


def test_parse_number() -> None:
    assert parse_number(b"-12.5e3") == -12500.0
    assert parse_number(b".5") == 0.5
    assert parse_number(b"5.") == 5.0
    assert parse_number(b"+inf") == math.inf
    assert parse_number(b"-Infinity") == -math.inf
    assert parse_number(b"nan") is not None and math.isnan(parse_number(b"nan") or 0.0)
    for bad in (b"1_000", b"0x10", b"1e", b"e5", b"", b"--1", b"infinit", b"1.2.3"):
        assert parse_number(bad) is None, bad


@given(st.floats(allow_nan=False, allow_infinity=False, width=64))
def test_every_finite_float_matches_its_repr(x: float) -> None:
    assert check_output(repr(x), repr(x).encode(), F)
    assert numbers_match(x, x, 0.0)


@given(st.lists(st.text(alphabet="ab1 \n\t", max_size=8), max_size=6))
def test_whitespace_checker_ignores_only_whitespace(tokens: list[str]) -> None:
    text = " ".join(tokens)
    assert check_output(text, "\n".join(text.split()).encode(), W)
