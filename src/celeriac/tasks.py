"""The reliable task base: declared retries, idempotency, breaker, cancellation, budgets and logs."""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from celery import Task, shared_task
from celery.exceptions import Ignore, Retry, SoftTimeLimitExceeded

from celeriac import retry as backoff
from celeriac.breaker_store import RedisBreaker
from celeriac.cancellation import is_cancelled
from celeriac.connections import client_for, state_url
from celeriac.errors import (
    CircuitOpenError,
    DeclarationError,
    QueryBudgetExceededError,
    TaskCancelledError,
)
from celeriac.idempotency import ClaimState, IdempotencyStore, render_key
from celeriac.observe import queries, tasklog
from celeriac.topology import broker_priority
from celeriac.workloads import Workload, check_signature

P = ParamSpec("P")
R = TypeVar("R")

#: Options that belong on the workload declaration; passing them to ``task()`` too would mean two
#: sources of truth.
_DECLARED = {
    "name",
    "queue",
    "priority",
    "time_limit",
    "soft_time_limit",
    "max_retries",
    "ignore_result",
    "rate_limit",
    "autoretry_for",
    "retry_backoff",
    "acks_late",
    "reject_on_worker_lost",
}


class ReliableTask(Task):  # type: ignore[type-arg]
    """Runs the task body inside the declared policies; the body itself stays plain Python."""

    workload: Workload
    acks_late = True
    reject_on_worker_lost = True

    @property
    def priority(self) -> int:  # type: ignore[override]
        return broker_priority(self.workload.priority, self.app.conf.broker_url or "")

    # -- state held in Redis ------------------------------------------------------------------------

    def _redis(self) -> Any:
        return client_for(state_url(self.app.conf.broker_url))

    def check_cancelled(self) -> None:
        """Cooperative cancellation point: raises :class:`TaskCancelledError` if ``cancel()`` was called."""
        task_id = self.request.id
        if task_id and is_cancelled(self._redis(), task_id):
            raise TaskCancelledError(task_id)

    def breaker(self) -> RedisBreaker | None:
        policy = self.workload.breaker
        return RedisBreaker(self._redis(), policy) if policy else None

    # -- the run ------------------------------------------------------------------------------------

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        wl = self.workload
        req = self.request
        started = time.perf_counter()
        fields: dict[str, Any] = {
            "event": "task",
            "task_id": req.id,
            "name": self.name,
            "queue": (req.delivery_info or {}).get("routing_key") or wl.queue,
            "attempt": (req.retries or 0) + 1,
        }
        outcome = "failed"
        idem_key: str | None = None
        store: IdempotencyStore | None = None
        try:
            if wl.idempotency_key is not None and req.id:
                idem_key = render_key(wl.idempotency_key, self._arguments(args, kwargs))
                store = IdempotencyStore(self._redis())
                claim = store.claim(idem_key, req.id, wl.idempotency_ttl_s)
                if claim.state is not ClaimState.CLAIMED:
                    outcome = "duplicate"
                    fields["duplicate_of"] = claim.owner or "done"
                    return claim.result
            result = self._run_guarded(args, kwargs, fields)
            if store is not None and idem_key is not None:
                store.complete(idem_key, result, wl.idempotency_ttl_s)
            outcome = "succeeded"
            return result
        except Retry:
            outcome = "retry"
            raise
        except TaskCancelledError:
            outcome = "cancelled"
            self._release(store, idem_key, req.id)
            if req.id and not req.called_directly and not wl.ignore_result:
                self.backend.mark_as_revoked(req.id, reason="cancelled", request=req)
            raise Ignore() from None
        except SoftTimeLimitExceeded:
            outcome = "timeout"
            self._release(store, idem_key, req.id)
            raise
        except BaseException:
            self._release(store, idem_key, req.id)
            raise
        finally:
            fields["outcome"] = outcome
            fields["duration_ms"] = round((time.perf_counter() - started) * 1000, 3)
            tasklog.emit(fields)

    def _run_guarded(self, args: tuple[Any, ...], kwargs: dict[str, Any], fields: dict[str, Any]) -> Any:
        wl = self.workload
        brk = self.breaker()
        try:
            if brk is not None:
                brk.before_call()
            with queries.counting() as counter:
                result = self.run(*args, **kwargs)
            if counter is not None:
                fields["queries"] = counter.count
                budget = wl.query_budget
                if budget is not None and counter.count > budget:
                    fields["over_budget"] = True
                    if self.app.conf.get("celeriac_enforce_query_budgets"):
                        raise QueryBudgetExceededError(self.name, counter.count, budget)
        except CircuitOpenError as exc:
            self._retry_or_raise(
                exc, max(exc.retry_after_s, backoff.delay_for(wl.retry, self.request.retries))
            )
            raise
        except Exception as exc:
            if not backoff.is_transient(wl.retry, exc):
                raise
            if brk is not None:
                brk.record_failure()
            self._retry_or_raise(exc, backoff.delay_for(wl.retry, self.request.retries or 0))
            raise
        if brk is not None:
            brk.record_success()
        return result

    def _retry_or_raise(self, exc: Exception, countdown: float) -> None:
        """Schedule the next attempt with ``countdown`` if retries are left; otherwise return."""
        retries = self.request.retries or 0
        if retries >= self.workload.retry.max_retries or self.request.called_directly:
            return
        raise self.retry(exc=exc, countdown=countdown, max_retries=self.workload.retry.max_retries)

    def _arguments(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
        bound = inspect.signature(self.run).bind(*args, **kwargs)
        bound.apply_defaults()
        return dict(bound.arguments)

    @staticmethod
    def _release(store: IdempotencyStore | None, key: str | None, task_id: str | None) -> None:
        if store is not None and key is not None and task_id:
            store.release(key, task_id)


def task(workload: Workload, **options: Any) -> Callable[[Callable[P, R]], Task[P, R]]:
    """Register ``fun`` as a Celery task shaped by its workload declaration.

    ``options`` are passed to Celery (``bind=True``, ``typing=False``, ...); anything the workload
    declares (queue, limits, retries, ...) must be declared there, once.
    """
    clash = sorted(set(options) & _DECLARED)
    if clash:
        raise DeclarationError(
            f"task {workload.name!r}: {clash[0]!r} belongs on the workload declaration, not on task()"
        )

    def decorate(fun: Callable[P, R]) -> Task[P, R]:
        params = list(inspect.signature(fun).parameters)
        if options.get("bind"):
            params = params[1:]
        check_signature(workload, params)
        registered: Task[P, R] = shared_task(  # type: ignore[call-overload]
            name=workload.name,
            base=ReliableTask,
            workload=workload,
            time_limit=workload.time_limit_s,
            soft_time_limit=workload.soft_time_limit_s,
            max_retries=workload.retry.max_retries,
            ignore_result=workload.ignore_result,
            rate_limit=workload.rate_limit,
            **options,
        )(fun)
        return registered

    return decorate
