"""Medians and spreads per path, and the Markdown section of the bridge benchmark."""

from __future__ import annotations

import statistics
from dataclasses import asdict
from typing import Any

from benchmarks.bridge.measure import Phase

#: Seed 003's measurement of the system it migrated: the bar to clear by a wide margin.
PATHS = ("legacy", "celery")
SEED = {"legacy": {"tasks_per_min": 100, "p99_ms": 2100}, "celery": {"tasks_per_min": 150, "p99_ms": 1800}}


def spread(values: list[float]) -> dict[str, float] | None:
    if not values:
        return None
    return {
        "median": round(statistics.median(values), 1),
        "min": round(min(values), 1),
        "max": round(max(values), 1),
    }


def build(meta: dict[str, Any], phases: list[Phase]) -> dict[str, Any]:
    out: dict[str, Any] = {"meta": meta, "paths": {}, "mirror": None, "phases": [asdict(p) for p in phases]}
    for path in ("legacy", "celery"):
        burst = [p for p in phases if p.mode == path and p.kind == "burst"]
        paced = [p for p in phases if p.mode == path and p.kind == "paced"]
        out["paths"][path] = {
            "tasks_per_min": spread([p.tasks_per_min[path] for p in burst if path in p.tasks_per_min]),
            "burst_p99_ms": spread([p.p99_ms[path] for p in burst if path in p.p99_ms]),
            "paced_p50_ms": spread([p.p50_ms[path] for p in paced if path in p.p50_ms]),
            "paced_p99_ms": spread([p.p99_ms[path] for p in paced if path in p.p99_ms]),
            "paced_wait_p50_ms": spread([p.wait_p50_ms[path] for p in paced if path in p.wait_p50_ms]),
            "cpu_ms_per_task": spread([p.cpu_ms_per_task[path] for p in burst if path in p.cpu_ms_per_task]),
            "lost": sum(p.lost.get(path, 0) for p in burst + paced),
        }
    mirror = [p for p in phases if p.mode == "mirror"]
    if mirror:
        out["mirror"] = {
            "jobs": sum(p.jobs for p in mirror),
            "matched": sum(p.matched or 0 for p in mirror),
            "mismatched": sum(p.mismatched or 0 for p in mirror),
            "lost": {path: sum(p.lost.get(path, 0) for p in mirror) for path in ("legacy", "celery")},
            "tasks_per_min": {
                path: spread([p.tasks_per_min.get(path, 0) for p in mirror]) for path in ("legacy", "celery")
            },
            "p99_ms": {
                path: spread([p.p99_ms.get(path, 0) for p in mirror]) for path in ("legacy", "celery")
            },
        }
    return out


def _fmt(s: dict[str, float] | None, unit: str = "") -> str:
    if s is None:
        return "-"
    return f"{s['median']:,.0f}{unit} ({s['min']:,.0f}-{s['max']:,.0f})"


def markdown(results: dict[str, Any]) -> str:
    m = results["meta"]
    rate = f"{m['paced_rate_per_min']:.0f}/min"
    rows = []
    for path in PATHS:
        p = results["paths"][path]
        seed = SEED[path]
        ratio = p["tasks_per_min"]["median"] / seed["tasks_per_min"] if p["tasks_per_min"] else 0
        rows.append(
            f"| {path} | {_fmt(p['tasks_per_min'])} | {ratio:.1f}x {seed['tasks_per_min']} | "
            f"{_fmt(p['paced_p50_ms'], ' ms')} | {_fmt(p['paced_p99_ms'], ' ms')} | {seed['p99_ms']:,} ms | "
            f"{_fmt(p['burst_p99_ms'], ' ms')} | {_fmt(p['cpu_ms_per_task'])} | {p['lost']} |"
        )
    waits = ", ".join(f"{path} {_fmt(results['paths'][path]['paced_wait_p50_ms'], ' ms')}" for path in PATHS)
    header = (
        f"| path | tasks/min (burst of {m['burst_jobs']}) | vs seed | p50 at {rate} | p99 at {rate} "
        "| seed p99 | p99 in the burst | CPU ms/task | lost |\n|---|---|---|---|---|---|---|---|---|"
    )
    mirror = results["mirror"]
    mirror_line = ""
    if mirror:
        mirror_line = (
            f"\nMirror mode, the same job set through both paths at once ({mirror['jobs']} jobs, "
            "100 % shadow): "
            f"{mirror['matched']} match, {mirror['mismatched']} mismatch, lost: legacy "
            f"{mirror['lost']['legacy']}, celery {mirror['lost']['celery']}. Sharing the cores: legacy "
            f"{_fmt(mirror['tasks_per_min']['legacy'])}, celery {_fmt(mirror['tasks_per_min']['celery'])} "
            "tasks/min.\n"
        )
    return f"""## Legacy bridge: legacy queue vs Celery (seed 003)

`{m["command"]}` on {m["date"]} ({m["nproc"]} cores, load {m["load_1m_start"]} at start, {m["elapsed_s"]} s).
The same job set through each path in one run: A+B (3 tests) in Python and C, right, wrong, crashing and
not compiling, judged by the same sandbox runner. {m["processes"]} legacy executors vs one Celery prefork
worker with {m["processes"]} children on the `execution` queue; each path has its own embedded Valkey;
every job goes through the bridge's gateway (row written, then sent). {m["reps"]} repetitions, the paths
interleaved and their order rotated each time; median (min-max).

{header}
{chr(10).join(rows)}
{mirror_line}
- Throughput: a burst of {m["burst_jobs"]} jobs sent at once; results per minute from the first submission
  to the path's last result. Latency: submission (row written) to result written by the path, for
  {m["paced_jobs"]} jobs arriving at random (Poisson) at {rate}, twice the seed's best throughput.
  "p99 in the burst" is mostly time spent queueing behind the burst. Of the paced latency, the wait
  from submission to the path starting the job was (p50): {waits}.
- CPU ms/task: the path's process trees (the executors, or the worker and its pool children; sandboxed
  runs included) plus its Redis server, over the burst. PostgreSQL is left out (shared with other work
  on this machine): the Celery path writes to it per task, the legacy executors never do.
- Seed 003 measured 100 tasks/min (legacy) and 150 tasks/min (Celery), p99 2.1 s and 1.8 s, on a
  workload it does not describe; the figures above are for this job set on this machine.
"""
