"""What a dual run produces: per job, each path's result (or none) and the differences found (pure)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

#: The two paths of a migration, in the order reports show them.
PATHS = ("legacy", "celery")

#: ``progress(phase, done, total)``: called while a dual run waits for its results.
Progress = Callable[[str, int, int], None]


class Outcome(StrEnum):
    MATCH = "match"  #: both results in, no compared field differs
    MISMATCH = "mismatch"  #: both results in, at least one compared field differs
    MISSING = "missing"  #: a result never arrived: never counted as a match


@dataclass(frozen=True)
class Difference:
    """One compared field that differs: where (``tests[0].output``) and both paths' values."""

    field: str
    legacy: Any
    celery: Any

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "legacy": self.legacy, "celery": self.celery}


@dataclass(frozen=True)
class PathResult:
    """One path's result of one job: its payload and when it finished (epoch seconds)."""

    payload: Mapping[str, Any]
    latency_ms: float  #: submitted → result written by the path
    finished_at: float


@dataclass(frozen=True)
class Pair:
    """One job sent to both paths. The outcome follows from the data: a missing side is MISSING."""

    job_id: str
    submitted_at: float  #: epoch seconds
    legacy: PathResult | None
    celery: PathResult | None
    differences: tuple[Difference, ...] = ()
    note: str = ""  #: why a side is missing, when known (e.g. "legacy send failed: ...")

    @property
    def outcome(self) -> Outcome:
        if self.legacy is None or self.celery is None:
            return Outcome.MISSING
        return Outcome.MISMATCH if self.differences else Outcome.MATCH

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(p for p in PATHS if self.result(p) is None)

    def result(self, path: str) -> PathResult | None:
        if path not in PATHS:
            raise KeyError(f"unknown path {path!r}; paths are {', '.join(PATHS)}")
        return self.legacy if path == "legacy" else self.celery


class CompareSource(Protocol):
    """Where pairs come from: a fresh dual run of ``jobs`` jobs, or the results stored by live traffic."""

    def run(self, jobs: int, *, timeout_s: float, progress: Progress) -> Sequence[Pair]:
        """Send ``jobs`` jobs through both paths and wait up to ``timeout_s`` for their results."""
        ...

    def stored(self, *, since_s: float | None, limit: int) -> Sequence[Pair]:
        """Pairs recorded in the last ``since_s`` seconds (all when None), newest ``limit`` first."""
        ...
