"""Django system checks (Celeriac's celeriac.W001/E001/W002 among them) as doctor findings."""

from __future__ import annotations

from celeriac.ops.doctor.findings import one_line
from celeriac.ops.report import Finding, Severity, Status

TITLE = "Django system checks"
#: Long check messages are cut to this many characters in the title column; the message keeps them whole.
TITLE_CHARS = 60


def django_findings() -> list[Finding]:
    """Run every registered system check once; one finding per message, plus D000 for the run itself."""
    from django.core import checks

    try:
        messages = [m for m in checks.run_checks() if not m.is_silenced()]
    except Exception as exc:  # a check that crashes is itself worth reporting, not a traceback
        return [
            Finding("D000", TITLE, Status.FAIL, Severity.ERROR, f"running the checks failed: {one_line(exc)}")
        ]
    out = [
        Finding(
            "D000",
            TITLE,
            Status.PASS,
            Severity.INFO,
            f"{len(messages)} message(s)" if messages else "no issues",
        )
    ]
    for msg in messages:
        if msg.level >= checks.ERROR:
            status, severity = Status.FAIL, Severity.ERROR
        elif msg.level >= checks.WARNING:
            status, severity = Status.WARN, Severity.WARNING
        else:
            status, severity = Status.PASS, Severity.INFO
        text = str(msg.msg)
        title = text if len(text) <= TITLE_CHARS else text[: TITLE_CHARS - 3] + "..."
        where = f"{msg.obj}: " if msg.obj is not None else ""
        out.append(Finding(msg.id or "django", title, status, severity, where + text, str(msg.hint or "")))
    return out
