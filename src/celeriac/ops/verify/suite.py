"""A project's own verify checks: a registry of named check functions, discovered from the app's settings."""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from celery import Celery

from celeriac.ops.doctor.findings import one_line
from celeriac.ops.probes import WorkerView
from celeriac.ops.report import Finding, Severity, Status
from celeriac.ops.verify.examples import ExampleRun

#: The setting (``CELERY_CELERIAC_VERIFY_SUITE`` in Django) or app attribute naming the suite module.
SETTING = "celeriac_verify_suite"
#: The module-level name a suite module binds its :class:`Suite` to.
ATTRIBUTE = "SUITE"
PENDING_NO_TASKS = "{app} app has no tasks yet"
PENDING_UNWRITTEN = "the {app} app has tasks, but no automated check yet"
PENDING_FIX = "register one in {module}"
CHECK_CRASHED = "the check raised {error}"


@dataclass(frozen=True)
class Outcome:
    """What one suite check found."""

    status: Status
    message: str
    fix: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)


def ok(message: str, **details: Any) -> Outcome:
    return Outcome(Status.PASS, message, details=details)


def bad(message: str, fix: str = "", **details: Any) -> Outcome:
    return Outcome(Status.FAIL, message, fix, details)


def cannot(reason: str) -> Outcome:
    """The item cannot be checked here; says why. Never a pass."""
    return Outcome(Status.SKIP, reason)


@dataclass
class Context:
    """What a check may use: the app, the workers that answered, the example runs, a shared memo."""

    app: Celery
    workers: WorkerView
    timeout_s: float
    runs: Mapping[str, ExampleRun] = field(default_factory=dict)
    memo: dict[str, Any] = field(default_factory=dict)

    def call(self, task: str, *args: Any, **kwargs: Any) -> Any:
        """Send ``task`` through the broker with its declared route and wait for its output."""
        return self.app.tasks[task].apply_async(args=args, kwargs=kwargs).get(timeout=self.timeout_s)

    def once(self, key: str, compute: Callable[[], Any]) -> Any:
        """Compute something several checks read (a batch of 50 tasks) only once."""
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]

    def has_tasks(self, prefix: str) -> bool:
        return any(name.startswith(prefix) for name in self.app.tasks)


CheckFn = Callable[[Context], Outcome]


@dataclass(frozen=True)
class Check:
    """A checklist item: automated (``fn``) or pending until the app it needs has tasks."""

    id: str
    title: str
    source: str
    fn: CheckFn | None = None
    severity: Severity = Severity.ERROR
    pending_app: str = ""
    pending_prefix: str = ""


class Suite:
    """The checks of one deployment, in report order; ids are stable so CI history stays comparable."""

    def __init__(self, module: str) -> None:
        self.module = module
        self.checks: list[Check] = []

    def check(
        self, id: str, title: str, *, source: str, severity: Severity = Severity.ERROR
    ) -> Callable[[CheckFn], CheckFn]:
        """Register ``fn`` as the automated check of the checklist item ``title``."""

        def register(fn: CheckFn) -> CheckFn:
            self._add(Check(id, title, source, fn, severity))
            return fn

        return register

    def pending(self, id: str, title: str, *, source: str, app: str, prefix: str) -> None:
        """A checklist item that needs ``app``'s tasks (named ``prefix``...); SKIP while it has none."""
        self._add(Check(id, title, source, None, Severity.WARNING, app, prefix))

    def _add(self, check: Check) -> None:
        if any(c.id == check.id for c in self.checks):
            raise ValueError(f"suite {self.module}: check id {check.id} is used twice")
        self.checks.append(check)


def suite_module(app: Celery, override: str | None = None) -> str | None:
    """The suite module named by ``--suite``, the app attribute, or the setting, in that order."""
    return override or getattr(app, SETTING, None) or app.conf.get(SETTING) or None


def load_suite(module: str) -> Suite:
    suite = getattr(importlib.import_module(module), ATTRIBUTE, None)
    if not isinstance(suite, Suite):
        raise LookupError(f"{module} defines no {ATTRIBUTE} = Suite(...)")
    return suite


def run_check(check: Check, ctx: Context, module: str) -> Finding:
    """One finding per checklist item, named after it; a crashing check fails, it never raises."""
    details = {"source": check.source}
    started = time.perf_counter()
    if check.fn is None:
        if ctx.has_tasks(check.pending_prefix):
            return Finding(
                check.id,
                check.title,
                Status.WARN,
                Severity.WARNING,
                PENDING_UNWRITTEN.format(app=check.pending_app),
                PENDING_FIX.format(module=module),
                details=details,
            )
        return Finding(
            check.id,
            check.title,
            Status.SKIP,
            Severity.WARNING,
            PENDING_NO_TASKS.format(app=check.pending_app),
            details=details,
        )
    try:
        out = check.fn(ctx)
    except Exception as exc:
        out = bad(CHECK_CRASHED.format(error=one_line(exc)))
    status = out.status
    if status is Status.FAIL and check.severity is not Severity.ERROR:
        status = Status.WARN
    return Finding(
        check.id,
        check.title,
        status,
        check.severity,
        out.message,
        out.fix,
        time.perf_counter() - started,
        {**details, **out.details},
    )
