"""Where ReliableTask's per-task cost goes: its ``__call__`` timed in-process against ``run``, prints JSON.

The worker's tracer calls ``task.run`` directly for a plain Task and ``task(...)`` for a task class
with its own ``__call__``, so ``__call__`` minus ``run`` is exactly what the task base adds per run.
The body's Redis ``INCR`` is replaced by a no-op here; logging goes to a file at INFO, as in the fleet.
"""

from __future__ import annotations

import cProfile
import io
import json
import logging
import pstats
import tempfile
import time
import uuid
from collections.abc import Callable
from typing import Any

CALLS = 20000
ROUNDS = 5


class _NullCounter:
    def incr(self, key: str) -> int:
        return 0


def _best_us(fn: Callable[[], object], calls: int) -> float:
    """Best of ROUNDS loops, microseconds per call (the minimum is the least disturbed by neighbours)."""
    best = float("inf")
    for _ in range(ROUNDS):
        t0 = time.process_time()
        for _ in range(calls):
            fn()
        best = min(best, time.process_time() - t0)
    return best / calls * 1e6


def _profile(fn: Callable[[], object], calls: int, top: int = 8) -> list[str]:
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(calls):
        fn()
    prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(top)
    rows = [ln.strip() for ln in out.getvalue().splitlines() if ln.strip() and ln.strip()[0].isdigit()]
    return rows[:top]


def attribute(calls: int = CALLS) -> dict[str, Any]:
    from benchmarks.apps import celeriac_profile, common

    common._client = _NullCounter()  # type: ignore[assignment]
    app = celeriac_profile.app
    task = app.tasks["bench.noop"]
    tasklog = logging.getLogger("celeriac.task")
    with tempfile.NamedTemporaryFile("w", suffix=".log") as logfile:
        app.log.setup_logging_subsystem(
            loglevel="INFO", logfile=logfile.name, format=app.conf.worker_log_format, colorize=False
        )
        task.push_request(
            id=str(uuid.uuid4()), delivery_info={"routing_key": "bench_io"}, retries=0, called_directly=False
        )
        try:
            run_us = _best_us(task.run, calls)
            call_us = _best_us(task, calls)
            tasklog.setLevel(logging.WARNING)
            call_nolog_us = _best_us(task, calls)
            profile = _profile(task, calls // 4)
            tasklog.setLevel(logging.NOTSET)
            profile_logged = _profile(task, calls // 4)
        finally:
            task.pop_request()
    return {
        "calls": calls,
        "run_us": run_us,
        "call_us": call_us,
        "wrapper_us": call_us - run_us,
        "log_line_us": call_us - call_nolog_us,
        "wrapper_without_log_us": call_nolog_us - run_us,
        "profile_top_tottime_without_log": profile,
        "profile_top_tottime_with_log": profile_logged,
    }


if __name__ == "__main__":
    print(json.dumps(attribute()))
