"""P013: the application's own health figures, from the callables named in ``celeriac_health_checks``."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

from celery import Celery

from celeriac.ops import probes
from celeriac.ops.appload import django_configured
from celeriac.ops.doctor.findings import failed, one_line, passed, skipped
from celeriac.ops.report import Finding, Severity

#: The setting (``CELERY_CELERIAC_HEALTH_CHECKS`` in Django) listing dotted paths of health callables.
SETTING = "celeriac_health_checks"
ID = "P013"
TITLE = "application health figures"
NONE_CONFIGURED = f"no health callables configured ({SETTING} is empty)"
NOT_A_LIST = f"{SETTING} must be a list of dotted paths, got {{value!r}}"
NOT_FIGURES = "returned {value}; a health callable returns a dict with 'ok' (and 'problems')"
CALL_FAILED = "calling {path} failed: {error}"
HEALTH_FIX = "look at the figures and the items they count (the application's own health page)"
BROKEN_FIX = f"fix the callable, or the {SETTING} setting that names it"


def probe_health(app: Celery, timeout_s: float) -> list[Finding]:
    """One finding per configured callable: PASS when ``ok``, WARN with its problems, FAIL if it raises."""
    value = app.conf.get(SETTING) or []
    paths = [value] if isinstance(value, str) else value
    if not isinstance(paths, list | tuple) or not all(isinstance(p, str) for p in paths):
        return [failed(ID, TITLE, NOT_A_LIST.format(value=value), BROKEN_FIX)]
    if not paths:
        return [skipped(ID, TITLE, NONE_CONFIGURED, Severity.WARNING)]
    return [_one(path, timeout_s) for path in paths]


def load(path: str) -> Callable[[], Any]:
    """``package.module.function`` (or ``package.module:function``) to the function it names."""
    module, sep, attr = path.partition(":") if ":" in path else path.rpartition(".")
    if not sep or not module or not attr:
        raise ValueError(f"{path!r} is not a dotted path to a callable")
    found = getattr(importlib.import_module(module), attr)
    if not callable(found):
        raise TypeError(f"{path} is a {type(found).__name__}, not a callable")
    return found  # type: ignore[no-any-return]


def _call(path: str) -> Any:
    try:
        return load(path)()
    finally:
        if django_configured():  # Django connections are per thread: this probe thread's must not leak
            from django.db import connections

            connections.close_all()


def _one(path: str, timeout_s: float) -> Finding:
    try:
        figures = probes.bounded(lambda: _call(path), timeout_s)
    except Exception as exc:  # a probe reports; it never raises
        return failed(ID, TITLE, CALL_FAILED.format(path=path, error=one_line(exc)), BROKEN_FIX, path=path)
    if not isinstance(figures, Mapping) or "ok" not in figures:
        return failed(ID, TITLE, f"{path} {NOT_FIGURES.format(value=_short(figures))}", BROKEN_FIX, path=path)
    if figures["ok"]:
        return passed(ID, TITLE, f"{path}: ok; {_summary(figures)}", path=path, figures=dict(figures))
    problems = [str(p) for p in figures.get("problems") or []] or ["not ok (no problem listed)"]
    return failed(
        ID,
        TITLE,
        f"{path}: {'; '.join(problems)}",
        HEALTH_FIX,
        Severity.WARNING,
        path=path,
        figures=dict(figures),
    )


def _summary(figures: Mapping[str, Any]) -> str:
    """The totals when the callable gives them (the media app's do), else its top-level numbers."""
    totals = figures.get("totals")
    source = totals if isinstance(totals, Mapping) else figures
    numbers = [f"{k} {v}" for k, v in source.items() if isinstance(v, int) and not isinstance(v, bool)]
    return ", ".join(numbers) or "no figures"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
