"""Helpers that turn a live probe's outcome into a Finding, timing it and never letting it raise."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from celeriac.ops.report import Finding, Severity, Status


def one_line(exc: BaseException) -> str:
    """``ConnectionError: Error 111 connecting to 127.0.0.1:1``: the first line of an error, with its type."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def timed(
    id: str,
    title: str,
    probe: Callable[[], Finding],
    *,
    fix: str = "",
    severity: Severity = Severity.ERROR,
    failure: str = "{error}",
) -> Finding:
    """Run ``probe``; an exception becomes a failed finding whose message is ``failure`` with the error."""
    started = time.perf_counter()
    try:
        found = probe()
    except Exception as exc:  # a probe reports; it never raises
        found = Finding(id, title, Status.FAIL, severity, failure.format(error=one_line(exc)), fix)
    seconds = time.perf_counter() - started
    return Finding(
        found.id, found.title, found.status, found.severity, found.message, found.fix, seconds, found.details
    )


def skipped(id: str, title: str, reason: str, severity: Severity = Severity.ERROR) -> Finding:
    return Finding(id, title, Status.SKIP, severity, reason)


def passed(id: str, title: str, message: str, severity: Severity = Severity.ERROR, **details: Any) -> Finding:
    return Finding(id, title, Status.PASS, severity, message, details=details)


def failed(
    id: str, title: str, message: str, fix: str = "", severity: Severity = Severity.ERROR, **details: Any
) -> Finding:
    status = Status.FAIL if severity is Severity.ERROR else Status.WARN
    return Finding(id, title, status, severity, message, fix, details=details)
