"""``verify``: smoke-run every declared example on the real broker and workers, then the project suite."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

import celery

from celeriac.app import topology_of
from celeriac.ops import appload, probes
from celeriac.ops.doctor.findings import failed, one_line, skipped
from celeriac.ops.doctor.services import BROKER_DOWN, BROKER_FIX
from celeriac.ops.report import Finding, Report, Severity, Status
from celeriac.ops.verify import behaviour
from celeriac.ops.verify.examples import ExampleRun, examples_of, run_example
from celeriac.ops.verify.suite import Context, Suite, load_suite, run_check, suite_module

Progress = Callable[[str, int, int], None]
NO_EXAMPLES = "no task declares an Example: verify has nothing to prove"
EXAMPLES_FIX = "declare example=Example(args=..., expect=...) on the workloads (celeriac.declare)"
BROKER_SKIP = "the broker did not answer (P001)"


def _quiet(label: str, done: int, total: int) -> None:
    """The default progress callback: engines stay silent unless a CLI asks."""


def run_verify(
    spec: str, *, timeout_s: float = 60.0, suite: str | None = None, progress: Progress = _quiet
) -> Report:
    """Run the examples (V001), budgets (V002), cache (V003), result expiry (V004), then the suite."""
    report = Report("verify", spec)
    progress("loading the app", 0, 1)
    app = appload.load_for_report(spec, report)
    if app is None:
        return report
    workloads = examples_of(app)
    module = suite_module(app, suite)
    loaded = _load(report, module)
    total = 3 + 3 * len(workloads) + (len(loaded.checks) if loaded else 0)
    progress("broker and workers", 1, total)
    try:
        latency = probes.ping_broker(app, min(timeout_s, 5.0))
    except Exception as exc:
        url = probes.safe_url(app.conf.broker_url)
        report.add(
            failed("P001", "broker answers", BROKER_DOWN.format(url=url, error=one_line(exc)), BROKER_FIX)
        )
        report.extend(skipped("V001", f"{wl.name} output", BROKER_SKIP) for wl in workloads)
        return report
    report.add(
        Finding("P001", "broker answers", Status.PASS, Severity.ERROR, f"answered in {latency * 1000:.1f} ms")
    )
    probe_s = min(timeout_s, 5.0)
    try:
        workers = probes.bounded(lambda: probes.inspect_workers(app, probe_s), 4 * probe_s + 2)
    except Exception as exc:  # examples then fail one by one with "no worker consumes queue X"
        report.add(failed("P006", "workers answer", f"inspecting workers failed: {one_line(exc)}"))
        workers = probes.WorkerView()
    if not workloads:
        report.add(failed("V000", "tasks declare examples", NO_EXAMPLES, EXAMPLES_FIX))
    django = appload.django_configured()
    stats = behaviour.cache_stats_reader() if django else None
    runs: dict[str, ExampleRun] = {}
    done = 2
    for wl in workloads:
        progress(f"example {wl.name}", done, total)
        started = time.perf_counter()
        finding, run = run_example(app, wl, workers, timeout_s, stats)
        report.add(replace(finding, seconds=time.perf_counter() - started))
        if run is not None:
            runs[wl.name] = run
        if django and wl.query_budget is not None:
            report.add(behaviour.query_budget(app, wl))
        if stats is not None and run is not None and run.ok and run.cache_touched:
            report.add(behaviour.cache_second_call(app, run, stats, timeout_s))
        done += 3
    report.extend(_budgets_without_examples(app, django))
    if stats is not None and not any(r.cache_touched for r in runs.values()):
        report.add(skipped("V003", "cache hit on the second call", "no example task reads a cached function"))
    report.add(behaviour.result_expiry(app, list(runs.values())))
    if loaded is not None and module is not None:
        ctx = Context(app, workers, timeout_s, runs)
        for check in loaded.checks:
            progress(check.title, done, total)
            report.add(run_check(check, ctx, module))
            done += 1
    progress("done", total, total)
    report.summary = {
        "app": app.main or "",
        "celery": celery.__version__,
        "broker": probes.safe_url(app.conf.broker_url),
        "workers": len(workers.workers),
        "examples": len(workloads),
        "suite": module or "none",
    }
    return report


def _load(report: Report, module: str | None) -> Suite | None:
    if module is None:
        return None
    try:
        return load_suite(module)
    except Exception as exc:  # a broken suite module is a finding, the examples still run
        report.add(
            failed(
                "S000",
                "suite loads",
                f"cannot load the suite {module!r}: {one_line(exc)}",
                "fix the module, or the celeriac_verify_suite setting that names it",
            )
        )
        return None


def _budgets_without_examples(app: celery.Celery, django: bool) -> list[Finding]:
    topology = topology_of(app)
    if topology is None or not django:
        return []
    return [
        behaviour.query_budget(app, wl)
        for wl in topology.workloads.values()
        if wl.query_budget is not None and wl.example is None
    ]


__all__ = ["Context", "Suite", "run_verify"]
