"""Workload declarations: what each task *is*, validated the moment it is declared."""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from celeriac import defaults
from celeriac.errors import DeclarationError

_QUEUE_NAME = re.compile(r"^[a-z][a-z0-9_.-]{0,63}$")
_TASK_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")


class Kind(StrEnum):
    """What a task spends its time on; decides its pool, concurrency and prefetch."""

    CPU = "cpu"  #: computes: sandboxed runs, image inference, PDF rendering
    IO = "io"  #: waits on sockets/disks it owns: DB bulk work, e-mail, URL fetches
    AI = "ai"  #: waits on an external API with its own limits and outages (LLMs)
    MAINTENANCE = "maintenance"  #: housekeeping: cache warmers, cleanup; one at a time

    @classmethod
    def parse(cls, value: Kind | str) -> Kind:
        if isinstance(value, Kind):
            return value
        try:
            return cls(value)
        except ValueError:
            raise DeclarationError(
                f"unknown workload kind {value!r}{_hint(str(value), [k.value for k in cls])}; "
                f"choose one of {', '.join(k.value for k in cls)}"
            ) from None


@dataclass(frozen=True, kw_only=True)
class RetryPolicy:
    """Retry only on declared transient errors, with capped exponential backoff and jitter."""

    on: tuple[type[BaseException], ...] = ()
    max_retries: int = defaults.RETRY_MAX_RETRIES
    backoff_base_s: float = defaults.RETRY_BACKOFF_BASE_S
    backoff_cap_s: float = defaults.RETRY_BACKOFF_CAP_S
    jitter: bool = True

    def __post_init__(self) -> None:
        for exc in self.on:
            if not (isinstance(exc, type) and issubclass(exc, BaseException)):
                raise DeclarationError(f"retry on={exc!r}: list exception classes, not instances")
            if exc in (Exception, BaseException):
                raise DeclarationError(
                    "retry on=Exception retries programming errors too; list the transient errors "
                    "(e.g. ConnectionError, TimeoutError, httpx.TransportError)"
                )
        if self.max_retries < 0:
            raise DeclarationError("retry max_retries must be >= 0")
        if not 0 < self.backoff_base_s <= self.backoff_cap_s:
            raise DeclarationError("retry needs 0 < backoff_base_s <= backoff_cap_s")

    @property
    def longest_delay_s(self) -> float:
        """The longest single wait this policy can schedule (before jitter shrinks it)."""
        if not self.on or self.max_retries == 0:
            return 0.0
        return min(self.backoff_cap_s, self.backoff_base_s * 2.0 ** (self.max_retries - 1))


NO_RETRY = RetryPolicy(max_retries=0)


@dataclass(frozen=True, kw_only=True)
class BreakerPolicy:
    """A circuit breaker shared by every worker: open after ``failures`` in ``window_s``."""

    name: str
    failures: int = 5
    window_s: float = 60.0
    cooldown_s: float = 30.0

    def __post_init__(self) -> None:
        if self.failures < 1 or self.window_s <= 0 or self.cooldown_s <= 0:
            raise DeclarationError(f"breaker {self.name!r}: failures >= 1, window_s > 0, cooldown_s > 0")


class _Nothing:
    """Marks an Example without ``expect`` (``None`` is a legitimate expected output)."""

    def __repr__(self) -> str:
        return "NOTHING"


NOTHING: Any = _Nothing()


@dataclass(frozen=True, kw_only=True)
class Example:
    """A smoke example for ``celeriac verify``: arguments and the output they must produce.

    Give ``expect`` (compared with ``==``) or ``check`` (a callable returning ``None`` when the
    output is right, or a message saying what is wrong). ``setup`` runs first in the verifying
    process and returns extra keyword arguments (e.g. the id of a row it created).
    """

    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    expect: Any = NOTHING
    check: Callable[[Any], str | None] | None = None
    setup: Callable[[], Mapping[str, Any]] | None = None

    def __post_init__(self) -> None:
        if self.expect is NOTHING and self.check is None:
            raise DeclarationError("an Example needs expect= or check=: completion alone proves nothing")


@dataclass(frozen=True, kw_only=True)
class Workload:
    """The declaration of one task: its kind, queue, priority, limits, retries, budget and keys."""

    name: str
    kind: Kind
    queue: str
    priority: int = defaults.PRIORITY
    soft_time_limit_s: float
    time_limit_s: float
    retry: RetryPolicy = NO_RETRY
    query_budget: int | None = None
    idempotency_key: str | None = None
    idempotency_ttl_s: float = defaults.IDEMPOTENCY_TTL_S
    breaker: BreakerPolicy | None = None
    ignore_result: bool = False
    rate_limit: str | None = None
    max_eta_s: float = 0.0
    schedule: float | str | None = None
    example: Example | None = None
    description: str = ""

    @property
    def longest_wait_s(self) -> float:
        """The longest a message of this task can sit unacked in a worker: run, retry wait or ETA.

        A breaker's refusal is retried like a transient error, after at least its cool-down.
        """
        retry_wait = self.retry.longest_delay_s
        if self.breaker is not None and self.retry.max_retries > 0:
            ceiling = self.retry.backoff_base_s * 2.0 ** (self.retry.max_retries - 1)
            retry_wait = max(retry_wait, self.breaker.cooldown_s, min(self.retry.backoff_cap_s, ceiling))
        return max(self.time_limit_s, retry_wait, self.max_eta_s)

    @property
    def key_fields(self) -> tuple[str, ...]:
        """Argument names the idempotency key template refers to."""
        if self.idempotency_key is None:
            return ()
        return tuple(re.findall(r"{(\w+)", self.idempotency_key))


_OPTIONS = {f.name for f in dataclasses.fields(Workload)} - {"name"}


def declare(name: str, **options: Any) -> Workload:
    """Declare a workload; unknown or inconsistent options raise :class:`DeclarationError` now.

    Required: ``kind``. Defaults: the queue is named after the kind, the hard limit comes from
    :data:`celeriac.defaults.HARD_TIME_LIMIT_S` and the soft limit is 90 % of the hard one.
    """
    unknown = sorted(set(options) - _OPTIONS)
    if unknown:
        opt = unknown[0]
        raise DeclarationError(f"workload {name!r}: unknown option {opt!r}{_hint(opt, _OPTIONS)}")
    if "kind" not in options:
        raise DeclarationError(f"workload {name!r}: declare its kind= (cpu, io, ai or maintenance)")
    if not _TASK_NAME.match(name):
        raise DeclarationError(f"workload name {name!r} is not a dotted task name")
    kind = Kind.parse(options.pop("kind"))
    queue = options.pop("queue", kind.value)
    hard = float(options.pop("time_limit_s", defaults.HARD_TIME_LIMIT_S[kind.value]))
    soft = float(options.pop("soft_time_limit_s", hard * defaults.SOFT_TIME_LIMIT_FRACTION))
    wl = Workload(name=name, kind=kind, queue=queue, soft_time_limit_s=soft, time_limit_s=hard, **options)
    _validate(wl)
    return wl


def _validate(wl: Workload) -> None:
    where = f"workload {wl.name!r}"
    if not _QUEUE_NAME.match(wl.queue):
        raise DeclarationError(f"{where}: queue {wl.queue!r} must be lower-case letters, digits, . _ -")
    if isinstance(wl.priority, bool) or not isinstance(wl.priority, int) or not 0 <= wl.priority <= 9:
        raise DeclarationError(f"{where}: priority {wl.priority!r} must be an int 0-9 (9 = most urgent)")
    if wl.time_limit_s <= 0:
        raise DeclarationError(f"{where}: time_limit_s must be > 0")
    if not 0 < wl.soft_time_limit_s < wl.time_limit_s:
        raise DeclarationError(
            f"{where}: soft_time_limit_s ({wl.soft_time_limit_s}) must be below time_limit_s "
            f"({wl.time_limit_s}), or the task is killed before it can clean up"
        )
    if wl.query_budget is not None and wl.query_budget < 0:
        raise DeclarationError(f"{where}: query_budget must be >= 0")
    if wl.idempotency_key is not None and not wl.key_fields:
        raise DeclarationError(
            f"{where}: idempotency_key {wl.idempotency_key!r} names no argument; use a template "
            "such as 'credit:{account}:{request_id}'"
        )
    if wl.idempotency_ttl_s <= wl.time_limit_s:
        raise DeclarationError(f"{where}: idempotency_ttl_s must outlive time_limit_s")
    if wl.max_eta_s < 0:
        raise DeclarationError(f"{where}: max_eta_s must be >= 0")
    if isinstance(wl.schedule, str):
        _check_crontab(where, wl.schedule)
    if isinstance(wl.schedule, int | float) and wl.schedule <= 0:
        raise DeclarationError(f"{where}: schedule seconds must be > 0")


def _check_crontab(where: str, expr: str) -> None:
    fields = expr.split()
    if len(fields) != 5:
        raise DeclarationError(f"{where}: schedule {expr!r} is not a 5-field crontab ('0 2 * * *')")
    from celery.schedules import crontab

    minute, hour, dom, month, dow = fields
    try:
        crontab(minute=minute, hour=hour, day_of_month=dom, month_of_year=month, day_of_week=dow)
    except ValueError as exc:
        raise DeclarationError(f"{where}: schedule {expr!r}: {exc}") from None


def check_signature(wl: Workload, parameters: Iterable[str]) -> None:
    """Raise if the idempotency key names an argument the task function does not take."""
    params = list(parameters)
    for key in wl.key_fields:
        if key not in params:
            raise DeclarationError(
                f"workload {wl.name!r}: idempotency_key uses {{{key}}}, which is not an argument of "
                f"the task{_hint(key, params)}"
            )


class Declarations(Mapping[str, Workload]):
    """An ordered, duplicate-free set of workloads, keyed by task name."""

    def __init__(self, *workloads: Workload | Iterable[Workload]) -> None:
        self._by_name: dict[str, Workload] = {}
        for item in workloads:
            for wl in [item] if isinstance(item, Workload) else item:
                if wl.name in self._by_name:
                    raise DeclarationError(f"workload {wl.name!r} is declared twice")
                self._by_name[wl.name] = wl

    def __getitem__(self, name: str) -> Workload:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"no workload named {name!r}{_hint(name, self._by_name)}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_name)

    def __len__(self) -> int:
        return len(self._by_name)


def _hint(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
