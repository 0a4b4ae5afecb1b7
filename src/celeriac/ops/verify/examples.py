"""Run every declared smoke example through the real broker and workers, and check its output."""

from __future__ import annotations

import difflib
import json
import pprint
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from celery import Celery

from celeriac.app import topology_of
from celeriac.ops.doctor.findings import failed, one_line, passed, skipped
from celeriac.ops.probes import WorkerView
from celeriac.ops.report import Finding
from celeriac.workloads import NOTHING, Workload

TITLE = "{task} output"
NO_CONSUMER = "no worker consumes queue {queue!r}, so {task} cannot run"
CONSUMER_FIX = "start a worker with -Q {queue} (see `celeriac fleet`)"
NOT_REGISTERED = "{task} is declared with an example but no task of that name is registered"
REGISTER_FIX = "register it with @celeriac.task(WORKLOAD) in a tasks module the app imports"
MISMATCH = "expected {expected}, got {actual}"
DIFFERS = "output differs from the example (- expected, + actual):"
#: Lines of a diff shown in the table; the JSON report keeps the whole diff.
DIFF_LINES = 12
MISMATCH_FIX = "the task's output changed: fix the task, or its Example if the new output is right"
RAISED = "raised {error}"
TIMED_OUT = "no result within {timeout:g} s (state {state})"
IGNORED = "ignore_result=True: the output is never stored, so it cannot be checked"
#: Shown values are cut to this many characters; the JSON report keeps them whole.
SHOWN_CHARS = 120


@dataclass
class ExampleRun:
    """One example sent through the broker: where it ran, what came back, and when."""

    workload: Workload
    kwargs: dict[str, Any]
    task_id: str | None = None
    value: Any = None
    worker: str | None = None
    finished_at: float = 0.0
    ok: bool = False
    cache_touched: dict[str, dict[str, int]] = field(default_factory=dict)


def examples_of(app: Celery) -> list[Workload]:
    """Declared workloads with an ``Example``, in declaration order."""
    topology = topology_of(app)
    if topology is None:
        return []
    return [wl for wl in topology.workloads.values() if wl.example is not None]


def run_example(
    app: Celery,
    wl: Workload,
    workers: WorkerView,
    timeout_s: float,
    cache_stats: Callable[[], Mapping[str, Mapping[str, int]]] | None = None,
) -> tuple[Finding, ExampleRun | None]:
    """Send one example, wait for its result, compare it; the run is returned for later checks."""
    title = TITLE.format(task=wl.name)
    example = wl.example
    assert example is not None  # examples_of() only yields workloads with one
    task = app.tasks.get(wl.name)
    if task is None:
        return failed("V001", title, NOT_REGISTERED.format(task=wl.name), REGISTER_FIX), None
    if not workers.consumers(wl.queue):
        return failed(
            "V001",
            title,
            NO_CONSUMER.format(queue=wl.queue, task=wl.name),
            CONSUMER_FIX.format(queue=wl.queue),
        ), None
    if wl.ignore_result:
        return skipped("V001", title, IGNORED), None
    try:
        kwargs = {**example.kwargs, **(example.setup() if example.setup else {})}
    except Exception as exc:
        return failed("V001", title, f"the example's setup() failed: {one_line(exc)}"), None
    run = ExampleRun(wl, kwargs)
    before = cache_stats() if cache_stats else {}
    started = time.perf_counter()
    result = task.apply_async(args=example.args, kwargs=kwargs)
    run.task_id = result.id
    try:
        value = result.get(timeout=timeout_s, propagate=False)
    except Exception:  # celery.exceptions.TimeoutError: the task is still queued or running
        return failed("V001", title, TIMED_OUT.format(timeout=timeout_s, state=result.state)), run
    seconds = time.perf_counter() - started
    run.finished_at = time.time()
    run.worker = getattr(result, "worker", None)
    if cache_stats:
        run.cache_touched = cache_delta(before, cache_stats())
    if result.failed():
        return failed(
            "V001",
            title,
            RAISED.format(error=one_line(value) if isinstance(value, BaseException) else repr(value)),
        ), run
    run.value = value
    problem = judge(example.expect, example.check, value)
    if problem is not None:
        message, details = problem
        return failed("V001", title, message, MISMATCH_FIX, **details), run
    run.ok = True
    where = f" on {run.worker}" if run.worker else ""
    return passed("V001", title, f"{_show(value)} in {seconds:.2f} s{where}", value=value), run


def judge(
    expect: Any, check: Callable[[Any], str | None] | None, actual: Any
) -> tuple[str, dict[str, Any]] | None:
    """``None`` when ``actual`` is right; else the message (expected vs actual) and details with a diff."""
    if check is not None:
        try:
            verdict = check(actual)
        except Exception as exc:
            return f"check() raised {one_line(exc)} on {_show(actual)}", {"actual": actual}
        if verdict:
            return f"{verdict} (got {_show(actual)})", {"actual": actual}
    if expect is NOTHING or actual == expect or actual == _as_sent(expect):
        return None
    diff = list(
        difflib.unified_diff(
            pprint.pformat(expect).splitlines(),
            pprint.pformat(actual).splitlines(),
            "expected",
            "actual",
            lineterm="",
        )
    )
    details = {"expected": expect, "actual": actual, "diff": "\n".join(diff)}
    if max(len(repr(expect)), len(repr(actual))) <= SHOWN_CHARS:
        return MISMATCH.format(expected=_show(expect), actual=_show(actual)), details
    # Long values would be cut before the point where they differ: show the changed lines instead.
    body = [line for line in diff[2:] if not line.startswith("@@")][:DIFF_LINES]
    return "\n".join([DIFFERS, *body]), details


def _as_sent(value: Any) -> Any:
    """The value as it comes back through a JSON result backend (tuples become lists)."""
    try:
        return json.loads(json.dumps(value))
    except (TypeError, ValueError):
        return value


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 3] + "..."


def cache_delta(
    before: Mapping[str, Mapping[str, int]], after: Mapping[str, Mapping[str, int]]
) -> dict[str, dict[str, int]]:
    out = {}
    for name, counts in after.items():
        prev = before.get(name, {})
        change = {k: int(counts.get(k, 0)) - int(prev.get(k, 0)) for k in ("hit", "miss")}
        if any(change.values()):
            out[name] = change
    return out
