"""Which paths a job goes to and which one answers: the gateway's decision, pure."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum


class Mode(StrEnum):
    LEGACY = "legacy"  #: the legacy queue only (before the migration)
    CELERY = "celery"  #: Celery only (after it)
    MIRROR = "mirror"  #: the answering path always, the other one for a shadow share of the jobs


class PathName(StrEnum):
    LEGACY = "legacy"
    CELERY = "celery"

    @property
    def other(self) -> PathName:
        return PathName.CELERY if self is PathName.LEGACY else PathName.LEGACY


@dataclass(frozen=True)
class Switches:
    """The settings the decision reads, as they were when the request came in."""

    mode: Mode
    answer: PathName  #: who answers in mirror mode; legacy/celery mode answer from their own path
    shadow_percentage: int  #: 0-100: share of mirror-mode jobs also sent to the non-answering path


@dataclass(frozen=True)
class Route:
    paths: frozenset[PathName]
    answer: PathName

    @property
    def both(self) -> bool:
        return len(self.paths) == 2


def bucket(job_id: str) -> int:
    """0-99, stable per job id: the same job is shadowed or not whoever asks, on any process."""
    return int.from_bytes(hashlib.sha256(job_id.encode()).digest()[:8], "big") % 100


def route(switches: Switches, job_id: str) -> Route:
    if not 0 <= switches.shadow_percentage <= 100:
        raise ValueError(f"shadow_percentage {switches.shadow_percentage} is outside 0-100")
    if switches.mode is Mode.LEGACY:
        return Route(frozenset({PathName.LEGACY}), PathName.LEGACY)
    if switches.mode is Mode.CELERY:
        return Route(frozenset({PathName.CELERY}), PathName.CELERY)
    answer = switches.answer
    if bucket(job_id) < switches.shadow_percentage:
        return Route(frozenset(PathName), answer)
    return Route(frozenset({answer}), answer)


def after_send_failure(route_: Route, failed: frozenset[PathName]) -> Route | None:
    """The route once some sends failed: the other path answers if it got the job; None if none did."""
    reached = route_.paths - failed
    if not reached:
        return None
    answer = route_.answer if route_.answer in reached else next(iter(reached))
    return Route(frozenset(reached), answer)


class Status(StrEnum):
    QUEUED = "queued"  #: no result to give yet
    COMPLETED = "completed"
    MISSING = "missing"  #: the result timeout passed with no result from any path that got the job


@dataclass(frozen=True)
class Answer:
    status: Status
    path: PathName | None = None  #: whose result answers
    fallback: bool = False  #: the answering path had nothing, the other one answered


def pick_answer(
    answer: PathName,
    results: dict[PathName, bool],
    sent: dict[PathName, bool],
    age_s: float,
    *,
    fallback_after_s: float,
    result_timeout_s: float,
) -> Answer:
    """Whose result the user gets: the answering path's; the other's once the answering one is late."""
    if results.get(answer):
        return Answer(Status.COMPLETED, answer)
    other = answer.other
    if results.get(other) and (not sent.get(answer) or age_s >= fallback_after_s):
        return Answer(Status.COMPLETED, other, fallback=True)
    if age_s >= result_timeout_s:
        return Answer(Status.MISSING)
    return Answer(Status.QUEUED)
