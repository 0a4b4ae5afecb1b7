"""``python -m benchmarks.ablate``: what each Celeriac setting costs, reverted one at a time on bare."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from datetime import UTC, datetime
from typing import Any

from benchmarks import report, service
from benchmarks.plan import NOOP, RunSpec, Sizes
from benchmarks.run import child_env, run_once_more_if_flushed
from benchmarks.workers import ROOT, Argv, anyone_answers, fleet_argvs

ABLATION_JSON = ROOT / "benchmarks" / "ablation.json"


def _argv(base: tuple[Argv, ...], *, events: bool = True, loglevel: str = "INFO") -> tuple[Argv, ...]:
    """Every process's command line with the same change (the io family runs several processes)."""
    changed = []
    for argv in base:
        out = [a for a in argv if events or a != "-E"]
        out[out.index("-l") + 1] = loglevel
        changed.append(tuple(out))
    return tuple(changed)


def variants() -> list[tuple[str, str, tuple[Argv, ...]]]:
    """(name, settings reverted to Celery's defaults, worker argvs); the first is the reference."""
    base = fleet_argvs("benchmarks.apps.bare")
    no_events = "worker_send_task_events,task_send_sent_event"
    return [
        ("bare: all Celeriac settings", "", _argv(base)),
        ("-l WARNING instead of INFO", "", _argv(base, loglevel="WARNING")),
        ("no task events (-E, sent event)", no_events, _argv(base, events=False)),
        ("no priority lists", "priority_lists", _argv(base)),
        ("no acks_late / reject_on_worker_lost", "task_acks_late,task_reject_on_worker_lost", _argv(base)),
        ("no task time limits", "task_time_limit,task_soft_time_limit", _argv(base)),
        ("no events and -l WARNING", no_events, _argv(base, events=False, loglevel="WARNING")),
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ablate", description=__doc__)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--n", type=int, default=2000, help="no-op tasks per run")
    args = parser.parse_args(argv)
    broker = service.find_broker()
    url = broker.url
    os.environ["BENCH_BROKER_URL"] = url
    sizes = Sizes(noop=args.n, sleep_gevent=0, sleep_prefork=0, warmup=100)
    plan = [(RunSpec(name, NOOP, "bare", cmd, args.n), revert) for name, revert, cmd in variants()]
    records: list[dict[str, Any]] = []
    began = time.monotonic()
    try:
        service.flush(url)
        if anyone_answers(url, timeout_s=1.0):
            raise SystemExit(f"a worker already answers on {url}; stop it first")
        for rep in range(args.reps):
            shift = rep % len(plan)
            for position, (spec, revert) in enumerate(plan[shift:] + plan[:shift]):
                env = {**child_env(url), "BENCH_REVERT": revert}
                rec = report.record(spec, rep, position, run_once_more_if_flushed(spec, sizes, url, env))
                records.append(rec)
                print(f"[{rep + 1}/{args.reps}] {report.line(rec)}", flush=True)
        service.flush(url)
    finally:
        if broker.embedded:
            service.stop_embedded()
    rows = []
    reference = statistics.median(r["worker_ms"] for r in records if r["config"] == plan[0][0].config)
    for spec, revert in plan:
        runs = [r for r in records if r["config"] == spec.config]
        worker = statistics.median(r["worker_ms"] for r in runs)
        rows.append(
            {
                "variant": spec.config,
                "reverted": revert.split(",") if revert else [],
                "argvs": [list(a[1:]) for a in spec.argvs],
                "tasks_per_s": report.spread([r["tasks_per_s"] for r in runs]),
                "worker_ms": report.spread([r["worker_ms"] for r in runs]),
                "total_ms": report.spread([r["total_ms"] for r in runs]),
                "worker_vs_reference": worker / reference - 1,
            }
        )
    print(f"\n{'variant':<40} {'tasks/s':>8} {'worker ms':>10} {'total ms':>9} {'worker vs ref':>14}")
    for row in rows:
        print(
            f"{row['variant']:<40} {row['tasks_per_s']['median']:>8,.0f} {row['worker_ms']['median']:>10.3f} "
            f"{row['total_ms']['median']:>9.3f} {row['worker_vs_reference'] * 100:>+13.1f}%"
        )
    date = datetime.now(UTC).isoformat(timespec="seconds")
    out = {
        "date": date,
        "reps": args.reps,
        "n": args.n,
        "processes": plan[0][0].processes,
        "elapsed_s": round(time.monotonic() - began, 1),
        "variants": rows,
        "runs": records,
    }
    ABLATION_JSON.write_text(json.dumps(out, indent=2) + "\n")
    print(f"wrote {ABLATION_JSON} in {time.monotonic() - began:.0f}s")


if __name__ == "__main__":
    main()
