"""The legacy executor loop: take a job, run it with the shared runner, write the result back, one by one."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import redis

from celeriac_site.bridge import conf
from celeriac_site.bridge.services import runner
from celeriac_site.bridge.services.jobspec import JobSpec, PayloadError
from celeriac_site.bridge.services.legacy_queue import Delivery, LegacyQueue

log = logging.getLogger("celeriac.bridge.executor")
#: Seconds between retries when the queue Redis does not answer (the executor waits, it does not exit).
REDIS_RETRY_S = 1.0


@dataclass(frozen=True)
class Options:
    """How one executor behaves. The two ``legacy_*`` quirks exist to prove the comparison catches them."""

    name: str
    trim_trailing_whitespace: bool = False  #: strip each test's output on the right, as old code did
    time_limit_ms: int | None = None  #: run every job with this CPU limit instead of the job's
    heartbeat_ttl_s: float = conf.HEARTBEAT_TTL_S
    poll_s: int = 1  #: longest block on the queue: how often stop requests and dead peers are seen


def apply_quirks(spec: JobSpec, options: Options) -> JobSpec:
    if options.time_limit_ms is None:
        return spec
    return dataclasses.replace(spec, time_limit_ms=options.time_limit_ms)


def post_process(payload: dict[str, Any], options: Options) -> dict[str, Any]:
    if options.trim_trailing_whitespace:
        for test in payload.get("tests", []):
            test["stdout_excerpt"] = str(test.get("stdout_excerpt", "")).rstrip()
    return payload


def evaluate(
    delivery: Delivery, options: Options, run: Callable[[JobSpec], dict[str, Any]] = runner.run
) -> dict[str, Any]:
    """The result payload of one delivery; a bad or vanished payload is answered IE, never dropped."""
    if delivery.deliveries > conf.MAX_DELIVERIES:
        return runner.failure(f"gave up: delivered {delivery.deliveries} times, its executors kept dying")
    if delivery.raw is None:
        return runner.failure("the job's payload is gone from the queue (expired or never written)")
    try:
        spec = JobSpec.from_json(delivery.raw)
    except PayloadError as exc:
        return runner.failure(f"invalid job payload: {exc}")
    return post_process(run(apply_quirks(spec, options)), options)


class Executor:
    """One legacy executor process: a main loop and a heartbeat thread."""

    def __init__(
        self,
        queue: LegacyQueue,
        options: Options,
        run: Callable[[JobSpec], dict[str, Any]] = runner.run,
    ) -> None:
        self.queue = queue
        self.options = options
        self.run = run
        self.done = 0

    def serve(self, stop: threading.Event) -> int:
        """Work until ``stop`` is set (the job in hand is finished first); return the jobs done."""
        name = self.options.name
        self._until_redis(stop, lambda: self.queue.heartbeat(name, self.options.heartbeat_ttl_s))
        # Jobs this name held when it last died come back first: no need to wait for its TTL.
        moved = self._until_redis(stop, lambda: self.queue.requeue_from(name)) or 0
        _emit({"event": "executor_start", "executor": name, "requeued_own": moved, **self._quirks()})
        beat = threading.Thread(target=self._heartbeat, args=(stop,), name=f"{name}-heartbeat", daemon=True)
        beat.start()
        last_sweep = 0.0
        while not stop.is_set():
            try:
                if time.monotonic() - last_sweep > self.options.heartbeat_ttl_s / 2:
                    last_sweep = time.monotonic()
                    for dead, n in self.queue.recover(exclude=name).items():
                        _emit({"event": "requeued", "executor": name, "dead": dead, "jobs": n})
                delivery = self.queue.take(name, self.options.poll_s)
                if delivery is not None:
                    self._handle(delivery)
            except redis.RedisError as exc:
                log.warning("executor %s: queue Redis unavailable (%s); retrying", name, exc)
                stop.wait(REDIS_RETRY_S)
        beat.join(timeout=5)
        with contextlib.suppress(redis.RedisError):  # else its heartbeat simply expires
            self.queue.retire(name)
        _emit({"event": "executor_stop", "executor": name, "jobs": self.done})
        return self.done

    def _handle(self, delivery: Delivery) -> None:
        started = time.time()
        payload = evaluate(delivery, self.options, self.run)
        finished = time.time()
        # The result must not be lost to a Redis blip after the work was done: retry until written.
        while True:
            try:
                self.queue.complete(
                    self.options.name, delivery.job_id, payload, started_at=started, finished_at=finished
                )
                break
            except redis.RedisError as exc:
                log.warning(
                    "executor %s: cannot write result of %s (%s)", self.options.name, delivery.job_id, exc
                )
                time.sleep(REDIS_RETRY_S)
        self.done += 1
        _emit(
            {
                "event": "legacy_job",
                "executor": self.options.name,
                "job": delivery.job_id,
                "verdict": payload.get("verdict"),
                "deliveries": delivery.deliveries,
                "duration_ms": round((finished - started) * 1000, 1),
            }
        )

    def _heartbeat(self, stop: threading.Event) -> None:
        # Its own thread: a long evaluation must not make a live executor look dead to its peers.
        while not stop.wait(self.options.heartbeat_ttl_s / 3):
            try:
                self.queue.heartbeat(self.options.name, self.options.heartbeat_ttl_s)
            except redis.RedisError as exc:
                log.warning("executor %s: heartbeat failed (%s)", self.options.name, exc)

    def _until_redis(self, stop: threading.Event, call: Callable[[], Any]) -> Any:
        while not stop.is_set():
            try:
                return call()
            except redis.RedisError as exc:
                log.warning("executor %s: queue Redis unavailable (%s); retrying", self.options.name, exc)
                stop.wait(REDIS_RETRY_S)
        return None

    def _quirks(self) -> dict[str, Any]:
        return {
            "trim_trailing_whitespace": self.options.trim_trailing_whitespace,
            "time_limit_ms": self.options.time_limit_ms,
        }


def _emit(fields: dict[str, Any]) -> None:
    """One JSON line per event on stdout, like the Celery workers' task log."""
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()
