"""The sandbox's errors: one small hierarchy, each message says what to do."""

from __future__ import annotations


class SandboxError(Exception):
    """Base class of every error the sandbox raises on purpose."""


class SandboxUnavailable(SandboxError):
    """This host cannot run the requested language safely (missing tool, no memory bound, no free uid)."""


class UnknownLanguage(SandboxError, ValueError):
    """The language key is not one the judge knows; the message lists the known keys."""

    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(f"unknown language {name!r}; known: {', '.join(known)}")
        self.name = name
        self.known = known


class ArtifactError(SandboxError):
    """A compile artifact is missing (``missing``: the submission's fault, CE) or unsafe to copy (IE)."""

    def __init__(self, message: str, *, missing: bool = False) -> None:
        super().__init__(message)
        self.missing = missing
