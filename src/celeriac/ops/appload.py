"""Load any Celery 5 app from ``module:attr`` for the ops engines, turning every failure into a message."""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

from celery import Celery

from celeriac.errors import CeleriacError
from celeriac.ops.report import Finding, Report, Severity, Status

NOT_FOUND = "cannot load the Celery app {spec!r}: {error}"
IMPORT_FAILED = "the Celery app {spec!r} failed to import: {error}"
NOT_AN_APP = "{spec!r} is {kind}, not a Celery app; pass module:attribute of a Celery() instance"
TASKS_FAILED = "importing the task modules of {spec!r} failed: {error}"
FIX_SPEC = "pass -A module:app as for `celery -A`, run from the project directory (it is put on sys.path)"
FIX_IMPORT = "run `python -c 'import {module}'` to see the full error, then fix the module"


class AppLoadError(CeleriacError):
    """The app named by ``-A`` could not be imported, or is not a Celery app."""

    def __init__(self, message: str, fix: str) -> None:
        super().__init__(message)
        self.fix = fix


def load_app(spec: str) -> Celery:
    """Import ``module:attr`` (or ``module``, finding its Celery app) the way ``celery -A`` does."""
    from celery.app.utils import find_app

    from celeriac.supervise.state import use_running_deployment

    use_running_deployment()
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    module = spec.partition(":")[0]
    try:
        if ":" in spec:
            found: Any = getattr(importlib.import_module(module), spec.partition(":")[2])
        else:
            found = find_app(spec)
    except (ImportError, AttributeError) as exc:
        raise AppLoadError(NOT_FOUND.format(spec=spec, error=_one_line(exc)), FIX_SPEC) from None
    except Exception as exc:  # any error raised by the user's module: one line, never a traceback
        raise AppLoadError(
            IMPORT_FAILED.format(spec=spec, error=_one_line(exc)), FIX_IMPORT.format(module=module)
        ) from None
    if not isinstance(found, Celery):
        kind = type(found).__name__
        raise AppLoadError(NOT_AN_APP.format(spec=spec, kind=f"a {kind}"), FIX_SPEC)
    return found


def import_task_modules(app: Celery, spec: str) -> None:
    """Register every task the way a worker does (``imports``, ``include``, Django autodiscovery).

    For a Django project Celery's fixup runs ``django.setup()`` first, so settings, caches and the
    database are usable afterwards.
    """
    try:
        app.loader.import_default_modules()
    except Exception as exc:  # a broken tasks module must be a finding, not a traceback
        raise AppLoadError(
            TASKS_FAILED.format(spec=spec, error=_one_line(exc)), "fix the module named in the error"
        ) from None


def django_configured() -> bool:
    """Whether this process runs a configured Django project (so its checks, DB and cache apply)."""
    if "django" not in sys.modules:
        return False
    from django.apps import apps
    from django.conf import settings

    return bool(settings.configured and apps.ready)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def load_for_report(spec: str, report: Report) -> Celery | None:
    """Load the app and register its tasks, adding A001/A002 to ``report``; ``None`` if it cannot load."""
    try:
        app = load_app(spec)
    except AppLoadError as exc:
        report.add(Finding("A001", "app loads", Status.FAIL, Severity.ERROR, str(exc), exc.fix))
        return None
    report.add(
        Finding("A001", "app loads", Status.PASS, Severity.ERROR, f"{spec} is Celery app {app.main!r}")
    )
    try:
        import_task_modules(app, spec)
    except AppLoadError as exc:
        report.add(Finding("A002", "task modules import", Status.FAIL, Severity.ERROR, str(exc), exc.fix))
        return app
    count = len([n for n in app.tasks if not n.startswith("celery.")])
    report.add(
        Finding("A002", "task modules import", Status.PASS, Severity.ERROR, f"{count} tasks registered")
    )
    return app
