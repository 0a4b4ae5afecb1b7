"""Turn raw runs into medians, spreads and target ratios; render them for the console and Markdown."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.plan import NOOP, SLEEP, RunSpec

#: (metric, label, format) in table order; CPU figures are milliseconds per task.
METRICS = (
    ("tasks_per_s", "tasks/s", "{:,.0f}"),
    ("worker_ms", "worker CPU ms/task", "{:.3f}"),
    ("redis_ms", "Redis CPU ms/task", "{:.3f}"),
    ("producer_ms", "producer CPU ms/task", "{:.3f}"),
    ("total_ms", "total CPU ms/task", "{:.3f}"),
    ("redis_cmds", "Redis commands/task", "{:.1f}"),
    ("bench_cores", "cores busy with this run", "{:.2f}"),
    ("others_cores", "cores busy with other jobs", "{:.2f}"),
    ("loadavg_1m", "load average (1 min)", "{:.1f}"),
)
IO_TARGET = 10.0  # Celeriac's I/O queue vs stock prefork, 50 ms tasks: at least 10x the throughput
OVERHEAD_TARGET = 0.05  # ReliableTask vs Celery's Task, worker CPU per no-op: at most +5 %


def record(spec: RunSpec, rep: int, position: int, sample: dict[str, Any]) -> dict[str, Any]:
    n = sample["n"]
    per_task = 1000.0 / n
    worker, redis, producer = (
        sample[k] * per_task for k in ("worker_cpu_s", "redis_cpu_s", "producer_cpu_s")
    )
    ours_s = sample["worker_cpu_s"] + sample["redis_cpu_s"] + sample["producer_cpu_s"]
    return {
        "config": spec.config,
        "workload": spec.workload,
        "app": spec.app,
        "processes": spec.processes,
        "rep": rep,
        "position": position,
        **sample,
        "tasks_per_s": n / sample["wall_s"],
        "worker_ms": worker,
        "redis_ms": redis,
        "producer_ms": producer,
        "total_ms": worker + redis + producer,
        "redis_cmds": sample["redis_commands"] / n,
        # Cores this run's processes kept busy over the window, and what the rest of the machine used.
        "bench_cores": ours_s / sample["wall_s"],
        "others_cores": max(0.0, sample["machine_busy_s"] - ours_s) / sample["wall_s"],
        "steal_cores": sample["machine_steal_s"] / sample["wall_s"],
    }


def line(rec: dict[str, Any]) -> str:
    return (
        f"{rec['config']:<40} {rec['workload']:<8} {rec['tasks_per_s']:>7,.0f} tasks/s  "
        f"worker {rec['worker_ms']:.3f}  total {rec['total_ms']:.3f} CPU ms/task  "
        f"other jobs {rec['others_cores']:.2f} cores, load {rec['loadavg_1m']:.1f}"
    )


def spread(values: Sequence[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def _runs(records: Sequence[dict[str, Any]], app: str, workload: str) -> list[dict[str, Any]]:
    return [r for r in records if r["app"] == app and r["workload"] == workload]


def _paired(
    records: Sequence[dict[str, Any]], a: tuple[str, str], b: tuple[str, str], metric: str
) -> list[float]:
    """Per repetition, metric(a) / metric(b): both ran in the same round, minutes apart at most."""
    out = []
    for rep in sorted({r["rep"] for r in records}):
        ra = [r[metric] for r in _runs(records, *a) if r["rep"] == rep]
        rb = [r[metric] for r in _runs(records, *b) if r["rep"] == rep]
        if ra and rb:
            out.append(ra[0] / rb[0])
    return out


def _ratio(
    records: Sequence[dict[str, Any]], a: tuple[str, str], b: tuple[str, str], metric: str
) -> dict[str, Any]:
    med_a = statistics.median(r[metric] for r in _runs(records, *a))
    med_b = statistics.median(r[metric] for r in _runs(records, *b))
    pairs = _paired(records, a, b, metric)
    return {"value": med_a / med_b, "paired": spread(pairs), "pairs": pairs}


def build(meta: dict[str, Any], plan: Sequence[RunSpec], records: list[dict[str, Any]]) -> dict[str, Any]:
    summary = []
    for spec in plan:
        runs = _runs(records, spec.app, spec.workload)
        summary.append(
            {
                "config": spec.config,
                "workload": spec.workload,
                "app": spec.app,
                "processes": spec.processes,
                "n": spec.n,
                "runs": len(runs),
                **{metric: spread([r[metric] for r in runs]) for metric, _, _ in METRICS},
            }
        )
    io = _ratio(records, ("celeriac_profile", SLEEP), ("stock", SLEEP), "tasks_per_s")
    io["target"] = IO_TARGET
    io["pass"] = io["value"] >= IO_TARGET
    base = _ratio(records, ("celeriac_profile", NOOP), ("bare", NOOP), "worker_ms")
    base["target"] = OVERHEAD_TARGET
    base["pass"] = base["value"] - 1 <= OVERHEAD_TARGET
    extra = {
        "celeriac_vs_stock_noop_total_cpu": _ratio(
            records, ("celeriac_profile", NOOP), ("stock", NOOP), "total_ms"
        ),
        "bare_vs_stock_noop_total_cpu": _ratio(records, ("bare", NOOP), ("stock", NOOP), "total_ms"),
        "celeriac_vs_bare_noop_total_cpu": _ratio(
            records, ("celeriac_profile", NOOP), ("bare", NOOP), "total_ms"
        ),
    }
    return {
        "meta": meta,
        "summary": summary,
        "targets": {"io_throughput": io, "task_base_overhead": base},
        "ratios": extra,
        "runs": records,
    }


def _cell(s: dict[str, float], fmt: str) -> str:
    return f"{fmt.format(s['median'])} ({fmt.format(s['min'])}-{fmt.format(s['max'])})"


def _verdict(ok: bool) -> str:
    return "**PASS**" if ok else "**FAIL**"


def target_lines(results: dict[str, Any]) -> list[str]:
    io, base = results["targets"]["io_throughput"], results["targets"]["task_base_overhead"]
    p_io, p_base = io["paired"], base["paired"]
    pct = (base["value"] - 1) * 100
    lines = [
        f"Celeriac I/O queue vs stock prefork, 50 ms I/O throughput: {io['value']:.1f}x "
        f"(target ≥ {IO_TARGET:.0f}x) {_verdict(io['pass'])} — per-round pairs "
        f"{p_io['min']:.1f}-{p_io['max']:.1f}x (their median {p_io['median']:.1f}x)",
        f"task base overhead: celeriac_profile vs bare worker CPU ms per no-op task: {pct:+.1f} % "
        f"(target ≤ {OVERHEAD_TARGET * 100:.0f} %) {_verdict(base['pass'])} — per-round pairs "
        f"{(p_base['min'] - 1) * 100:+.1f}…{(p_base['max'] - 1) * 100:+.1f} % (their median "
        f"{(p_base['median'] - 1) * 100:+.1f} %)",
    ]
    if base["pass"] != (p_base["median"] - 1 <= OVERHEAD_TARGET):
        lines[-1] += (
            "; the verdict is on the ratio of the medians, and the median of the per-round pairs "
            f"{'misses' if base['pass'] else 'meets'} the target: within this machine's noise"
        )
    if not base["pass"]:
        lines[-1] += f"; misses the target by {pct - OVERHEAD_TARGET * 100:.1f} points"
    return lines


def console(results: dict[str, Any]) -> str:
    rows = [
        f"{s['config']:<40} {s['workload']:<8} {_cell(s['tasks_per_s'], '{:,.0f}'):>22}  "
        f"worker {_cell(s['worker_ms'], '{:.3f}')}  total {_cell(s['total_ms'], '{:.3f}')}"
        for s in results["summary"]
    ]
    return "\n".join(["", *rows, "", *(t.replace("**", "") for t in target_lines(results))])


def markdown(results: dict[str, Any], existing: str | None = None) -> str:
    """The whole BENCHMARKS.md: ``existing``'s intro and other sections kept, the Core section replaced."""
    from benchmarks.report_md import merge, render

    return merge(existing, render(results, target_lines(results)))


def write_markdown(path: Path, results: dict[str, Any]) -> None:
    existing = path.read_text() if path.exists() else None
    path.write_text(markdown(results, existing))
