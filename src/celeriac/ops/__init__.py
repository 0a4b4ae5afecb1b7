"""Operations engines (doctor, verify, load, chaos, advise, compare): each returns a Report."""

from celeriac.ops.report import Finding, Report, Severity, Status

__all__ = ["Finding", "Report", "Severity", "Status"]
