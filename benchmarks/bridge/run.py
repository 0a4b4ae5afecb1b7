"""``python -m benchmarks.bridge.run [--quick]``: legacy queue vs Celery on the same job set, in one run."""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.bridge import report
from benchmarks.bridge.measure import Bench, Phase
from benchmarks.bridge.stack import ROOT, services, start_paths

RESULTS_JSON = ROOT / "benchmarks" / "bridge" / "results.json"
LOG_DIR = ROOT / "var" / "bench" / "bridge"
PROCESSES = 2  #: legacy executors, and Celery pool children: one per core of this machine


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bridge.run", description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="1 repetition, small phases: checks that it works"
    )
    parser.add_argument("--reps", type=int, help="repetitions (default 5; 1 with --quick)")
    parser.add_argument("--burst", type=int, help="jobs per burst phase (default 200; 40 with --quick)")
    parser.add_argument("--paced", type=int, help="jobs per paced phase (default 60; 20 with --quick)")
    parser.add_argument("--rate", type=float, default=300.0, help="paced arrivals per minute (default 300)")
    parser.add_argument("--json", type=Path, default=RESULTS_JSON, help="raw results (JSON)")
    args = parser.parse_args(argv)
    reps = args.reps or (1 if args.quick else 5)
    burst = args.burst or (40 if args.quick else 200)
    paced = args.paced or (20 if args.quick else 60)
    began = time.monotonic()
    load_start = round(os.getloadavg()[0], 2)
    with services() as svc:
        os.environ.update(svc.env)  # this process is the gateway: it writes rows and sends jobs
        import django

        django.setup()
        executors, workers = start_paths(svc.env, LOG_DIR, processes=PROCESSES)
        try:
            bench = Bench(executors, workers, svc.broker_url, svc.bridge_url)
            for mode in ("legacy", "celery"):
                bench.run(mode, "burst", 8, rep=-1)  # warm-up: imports, sandbox probe, connections
            phases: list[Phase] = []
            order = ["legacy", "celery"]
            for rep in range(reps):
                for mode in order[rep % 2 :] + order[: rep % 2]:  # interleaved, rotated each repetition
                    for kind, n in (("burst", burst), ("paced", paced)):
                        phase = bench.run(
                            mode, kind, n, rep, rate_per_min=args.rate if kind == "paced" else None, seed=rep
                        )
                        phases.append(phase)
                        print(f"[{rep + 1}/{reps}] {_line(phase)}", flush=True)
            mirror = bench.run("mirror", "burst", burst, reps)
            phases.append(mirror)
            print(f"[mirror] {_line(mirror)}", flush=True)
        finally:
            for proc in executors + workers:
                proc.stop()
    meta: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": "python -m benchmarks.bridge.run" + (" --quick" if args.quick else ""),
        "elapsed_s": round(time.monotonic() - began, 1),
        "reps": reps,
        "burst_jobs": burst,
        "paced_jobs": paced,
        "paced_rate_per_min": args.rate,
        "processes": PROCESSES,
        "nproc": os.cpu_count(),
        "load_1m_start": load_start,
        "python": platform.python_version(),
    }
    results = report.build(meta, phases)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n")
    print()
    print(report.markdown(results))


def _line(p: Phase) -> str:
    parts = [
        f"{path}: {p.tasks_per_min.get(path, 0):.0f}/min p50 {p.p50_ms.get(path, 0):.0f} ms "
        f"p99 {p.p99_ms.get(path, 0):.0f} ms wait {p.wait_p50_ms.get(path, 0):.0f} ms "
        f"cpu {p.cpu_ms_per_task.get(path, 0):.0f} ms/task "
        f"lost {p.lost.get(path, 0)}"
        for path in p.lost
    ]
    extra = f" match {p.matched}/{p.jobs}" if p.matched is not None else ""
    return f"{p.mode} {p.kind} n={p.jobs}: " + "; ".join(parts) + extra + f" (load {p.load_1m})"


if __name__ == "__main__":
    main()
