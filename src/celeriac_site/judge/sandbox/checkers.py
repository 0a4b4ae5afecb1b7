"""Output checkers: exact bytes, whitespace-tolerant tokens, and floating-point tolerance."""

from __future__ import annotations

import math
import re
from enum import StrEnum

#: Default absolute-or-relative tolerance of the floating-point checker.
FLOAT_TOLERANCE = 1e-6

# A decimal number as contest outputs write it; Python's float() alone would also accept "1_000",
# "0x1p3"-style text via other paths, or surrounding spaces, which a checker must not.
_NUMBER = re.compile(rb"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_SPECIAL = {b"nan": math.nan, b"inf": math.inf, b"infinity": math.inf}


class Checker(StrEnum):
    """How a test's output is compared with the expected output."""

    EXACT = "exact"  # byte for byte, including every space and the final newline
    WHITESPACE = "whitespace"  # same tokens in the same order; any run of whitespace equals any other
    FLOAT = "float"  # like WHITESPACE, but numeric tokens may differ by an absolute or relative tolerance


def _as_bytes(text: str | bytes) -> bytes:
    return text.encode("utf-8", "surrogateescape") if isinstance(text, str) else text


def parse_number(token: bytes) -> float | None:
    """The token's value if it is a plain decimal number, inf or nan (any case, optional sign); else None."""
    lowered = token.lower()
    sign = -1.0 if lowered[:1] == b"-" else 1.0
    bare = lowered[1:] if lowered[:1] in (b"-", b"+") else lowered
    if bare in _SPECIAL:
        return sign * _SPECIAL[bare]
    if _NUMBER.fullmatch(token):
        return float(token)
    return None


def numbers_match(expected: float, actual: float, tolerance: float) -> bool:
    """nan equals only nan, an infinity only itself; finite values within absolute OR relative tolerance."""
    if math.isnan(expected) or math.isnan(actual):
        return math.isnan(expected) and math.isnan(actual)
    if math.isinf(expected) or math.isinf(actual):
        return expected == actual
    diff = abs(expected - actual)
    return diff <= tolerance or diff <= tolerance * abs(expected)


def _tokens_match(expected: bytes, actual: bytes, tolerance: float) -> bool:
    want, got = expected.split(), actual.split()
    if len(want) != len(got):
        return False
    for w, g in zip(want, got, strict=True):
        if w == g:
            continue
        w_num, g_num = parse_number(w), parse_number(g)
        # A garbage token never matches a number, and two non-numbers must be identical (checked above).
        if w_num is None or g_num is None or not numbers_match(w_num, g_num, tolerance):
            return False
    return True


def check_output(
    expected: str | bytes,
    actual: str | bytes,
    checker: Checker = Checker.WHITESPACE,
    *,
    tolerance: float = FLOAT_TOLERANCE,
) -> bool:
    """True when ``actual`` is an accepted answer for ``expected`` under ``checker``.

    Works on bytes so that output that is not UTF-8 is compared, never decoded into a crash.
    """
    checker = Checker(checker)
    want, got = _as_bytes(expected), _as_bytes(actual)
    if checker is Checker.EXACT:
        return want == got
    if checker is Checker.WHITESPACE:
        return want.split() == got.split()
    if checker is Checker.FLOAT:
        if not (tolerance >= 0 and math.isfinite(tolerance)):
            raise ValueError(f"tolerance must be a finite number >= 0, got {tolerance!r}")
        return _tokens_match(want, got, tolerance)
    raise ValueError(f"unknown checker {checker!r}")
