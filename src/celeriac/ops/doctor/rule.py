"""A doctor rule: a stable id, a severity, the reason and the fix, and a pure check over a snapshot."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from celeriac.ops.doctor.snapshot import Snapshot
from celeriac.ops.report import Finding, Severity, Status

RULE_CRASHED = "could not evaluate this rule: {error}"


@dataclass(frozen=True)
class Verdict:
    """What a rule found: ``fired`` means the problem is present."""

    fired: bool
    message: str
    details: Mapping[str, Any] = field(default_factory=dict)
    applicable: bool = True


def fired(message: str, **details: Any) -> Verdict:
    return Verdict(True, message, details)


def clean(message: str, **details: Any) -> Verdict:
    return Verdict(False, message, details)


def not_applicable(reason: str) -> Verdict:
    """The rule has nothing to judge here (e.g. a visibility timeout on a broker that has none)."""
    return Verdict(False, reason, applicable=False)


Check = Callable[[Snapshot], Verdict]


@dataclass(frozen=True)
class Rule:
    """One lint rule. ``reason`` says why the problem matters; ``fix`` what to change."""

    id: str
    title: str
    severity: Severity
    reason: str
    fix: str
    check: Check

    def run(self, snap: Snapshot) -> Finding:
        started = time.perf_counter()
        try:
            verdict = self.check(snap)
        except Exception as exc:  # an odd config must not crash the whole doctor
            return Finding(
                self.id,
                self.title,
                Status.WARN,
                Severity.WARNING,
                RULE_CRASHED.format(error=f"{type(exc).__name__}: {exc}"),
            )
        seconds = time.perf_counter() - started
        if not verdict.applicable:
            return Finding(self.id, self.title, Status.SKIP, self.severity, verdict.message, seconds=seconds)
        if not verdict.fired:
            return Finding(self.id, self.title, Status.PASS, self.severity, verdict.message, seconds=seconds)
        status = Status.FAIL if self.severity is Severity.ERROR else Status.WARN
        return Finding(
            self.id,
            self.title,
            status,
            self.severity,
            f"{verdict.message}. {self.reason[:1].upper()}{self.reason[1:]}",
            self.fix,
            seconds,
            dict(verdict.details),
        )


def rule(id: str, title: str, severity: Severity, *, reason: str, fix: str) -> Callable[[Check], Rule]:
    """Decorate a check function into a :class:`Rule`."""

    def wrap(check: Check) -> Rule:
        return Rule(id, title, severity, reason, fix, check)

    return wrap


def names(items: Any, limit: int = 6) -> str:
    """``a, b, c and 4 more``: keeps a finding readable when many tasks match."""
    seq = sorted(str(i) for i in items)
    head = ", ".join(seq[:limit])
    return head + (f" and {len(seq) - limit} more" if len(seq) > limit else "")
