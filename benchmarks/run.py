"""``python -m benchmarks.run [--quick] [--write BENCHMARKS.md]``: measure, print, write the report."""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import time
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from benchmarks import report, service
from benchmarks.measure import EXIT_FLUSHED, ForeignFlush
from benchmarks.plan import FULL, QUICK, RunSpec, Sizes, specs
from benchmarks.workers import ROOT, Fleet, anyone_answers

RESULTS_JSON = ROOT / "benchmarks" / "results.json"
LOG_DIR = ROOT / "var" / "bench" / "logs"
MEASURE_TIMEOUT_S = 300.0
#: Celery's warning when result_compression is set without a result backend (Celeriac no longer sets it).
COMPRESSION_WARNING = "cannot store compressed payloads"


def child_env(url: str) -> dict[str, str]:
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "BENCH_BROKER_URL": url, "PYTHONPATH": path}


def settings_check(env: dict[str, str]) -> dict[str, Any]:
    """Compare bare's and celeriac_profile's effective settings, in a process of its own."""
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.apps.compare"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def attribution(env: dict[str, str]) -> dict[str, Any]:
    """Time ReliableTask.__call__ against the bare body in a process of its own (see attribute.py)."""
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.attribute"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def run_one(spec: RunSpec, sizes: Sizes, url: str, env: dict[str, str]) -> dict[str, Any]:
    """Flush the DB, start every worker process, let the producer measure, stop them all."""
    service.flush(url)
    slug = re.sub(r"\W+", "_", f"{spec.config}-{spec.workload}").strip("_")
    fleet = Fleet(spec.argvs, env, LOG_DIR / slug)
    try:
        fleet.wait_ready(url)
        cmd = [
            sys.executable,
            "-m",
            "benchmarks.measure",
            f"--app={spec.app}",
            f"--task={spec.workload}",
            f"--n={spec.n}",
            f"--warmup={sizes.warmup}",
            *(f"--worker-pid={pid}" for pid in fleet.pids),
            f"--url={url}",
        ]
        out = subprocess.run(
            cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=MEASURE_TIMEOUT_S
        )
        if out.returncode == EXIT_FLUSHED:
            raise ForeignFlush(f"{spec.key}: {out.stderr.strip()[-500:]}")
        if out.returncode != 0:
            raise RuntimeError(
                f"{spec.key}: producer failed:\n{out.stderr[-2000:]}\nworker log tails:\n{fleet.tail()}"
            )
        sample: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    finally:
        fleet.stop()
    sample["logs_with_compression_warning"] = sum(
        COMPRESSION_WARNING in w.log.read_text(errors="replace") for w in fleet.workers
    )
    return sample


def run_once_more_if_flushed(spec: RunSpec, sizes: Sizes, url: str, env: dict[str, str]) -> dict[str, Any]:
    """``run_one``, repeated once if another client flushed the shared Redis DB during it."""
    try:
        return run_one(spec, sizes, url, env)
    except ForeignFlush as exc:
        print(f"  {exc}; repeating the run once", flush=True)
        sample = run_one(spec, sizes, url, env)
        sample["repeated_after_foreign_flush"] = True
        return sample


def machine(url: str, origin: str) -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "celery": version("celery"),
        "kombu": version("kombu"),
        "redis_py": version("redis"),
        "gevent": version("gevent"),
        "server": service.server_version(url),
        "server_origin": origin,
        "broker_url": url,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="R=2 and small N: checks that it works")
    parser.add_argument("--reps", type=int, help="repetitions (default 5; 2 with --quick)")
    parser.add_argument("--write", type=Path, help="write the Markdown report here (e.g. BENCHMARKS.md)")
    parser.add_argument("--json", type=Path, default=RESULTS_JSON, help="raw results (JSON)")
    parser.add_argument(
        "--render-only", action="store_true", help="measure nothing: re-render --write from --json"
    )
    args = parser.parse_args(argv)
    if args.render_only:
        if args.write:
            report.write_markdown(args.write, json.loads(args.json.read_text()))
        return
    sizes = QUICK if args.quick else FULL
    reps = args.reps or (2 if args.quick else 5)

    broker = service.find_broker()
    url = broker.url
    os.environ["BENCH_BROKER_URL"] = url  # read when the orchestrator imports celeriac_profile for its fleet
    env = child_env(url)
    began = time.monotonic()
    try:
        service.flush(url)
        if anyone_answers(url, timeout_s=1.0):
            raise SystemExit(f"a worker already answers on {url}; stop it first")
        check = settings_check(env)
        plan = specs(sizes)
        print(f"broker {url} ({broker.origin}); {reps} repetitions x {len(plan)} runs", flush=True)
        records: list[dict[str, Any]] = []
        for rep in range(reps):
            shift = rep % len(plan)
            for position, spec in enumerate(plan[shift:] + plan[:shift]):
                t0 = time.monotonic()
                sample = run_once_more_if_flushed(spec, sizes, url, env)
                rec = report.record(spec, rep, position, sample)
                records.append(rec)
                print(f"[{rep + 1}/{reps}] {report.line(rec)}  ({time.monotonic() - t0:.1f}s)", flush=True)
        service.flush(url)
        print("timing ReliableTask.__call__ in-process ...", flush=True)
        attributed = attribution(env)
        elapsed = time.monotonic() - began
        meta = {
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": machine(url, broker.origin),
            "repetitions": reps,
            "quick": args.quick,
            "sizes": vars(sizes),
            "elapsed_s": round(elapsed, 1),
            "command": " ".join(["python -m benchmarks.run", *(sys.argv[1:] if argv is None else argv)]),
            "settings_check": check,
            "result_compression_warning": sum(r["logs_with_compression_warning"] for r in records),
            "argvs": {spec.key: [list(a[1:]) for a in spec.argvs] for spec in plan},
        }
        results = report.build(meta, plan, records)
        results["attribution"] = attributed
        args.json.write_text(json.dumps(results, indent=2) + "\n")
        print(report.console(results), flush=True)
        if args.write:
            report.write_markdown(args.write, results)
            print(f"wrote {args.write} and {args.json} in {elapsed:.0f}s")
    finally:
        if broker.embedded:
            service.stop_embedded()


if __name__ == "__main__":
    main()
