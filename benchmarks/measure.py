"""One closed measurement, run as the producer process: warm up, send N tasks, wait, read CPU counters."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import time
from dataclasses import asdict, dataclass
from typing import Any

import psutil
import redis

from benchmarks.apps.common import DONE_KEY

POLL_S = 0.01
#: Set when a run starts; gone means someone else flushed the DB mid-run (the machine is shared).
SENTINEL_KEY = "bench:sentinel"
#: Exit status for that case, so the harness can tell it from a real failure and repeat the run.
EXIT_FLUSHED = 75


class ForeignFlush(RuntimeError):
    """The benchmark DB was flushed by another client during a run: queued tasks and the counter are gone."""


@dataclass(frozen=True)
class Sample:
    """Raw counters of one run; every CPU figure is in seconds over the measured window."""

    n: int
    wall_s: float
    producer_cpu_s: float
    worker_cpu_s: float  # summed over every worker process tree
    worker_cpu_s_each: list[float]  # per worker process tree, in the order of --worker-pid
    redis_cpu_s: float
    redis_commands: int
    machine_busy_s: float  # every core's non-idle time (user, nice, system, irq, softirq), all processes
    machine_steal_s: float  # time the hypervisor gave this VM's cores to someone else
    loadavg_1m: float  # at the end of the window


def tree_cpu_s(pid: int) -> float:
    """User + system CPU of a process, its live descendants and the children it has reaped."""
    root = psutil.Process(pid)
    times = root.cpu_times()
    total = times.user + times.system + times.children_user + times.children_system
    for child in root.children(recursive=True):
        try:
            ct = child.cpu_times()
        except psutil.NoSuchProcess:
            continue  # reaped since the listing: its time is now in the parent's children_* fields
        total += ct.user + ct.system
    return total


def machine_counters() -> tuple[float, float]:
    """System-wide busy and steal CPU seconds so far, summed over cores (/proc/stat)."""
    t = psutil.cpu_times()
    busy = t.user + t.nice + t.system + getattr(t, "irq", 0.0) + getattr(t, "softirq", 0.0)
    return busy, getattr(t, "steal", 0.0)


def redis_counters(client: redis.Redis) -> tuple[float, int]:
    """Server CPU seconds (main process, not forked children) and commands processed so far."""
    cpu = client.info("cpu")
    stats = client.info("stats")
    return float(cpu["used_cpu_sys"]) + float(cpu["used_cpu_user"]), int(stats["total_commands_processed"])


def wait_done(client: redis.Redis, n: int, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        done, mark = client.mget(DONE_KEY, SENTINEL_KEY)  # one command per poll, as before
        if mark is None:
            raise ForeignFlush(f"{SENTINEL_KEY} vanished: another client flushed the benchmark DB mid-run")
        if int(done or 0) >= n:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"{int(done or 0)} of {n} tasks ran within {timeout_s:.0f}s")
        time.sleep(POLL_S)


def measure(
    app: str, task: str, n: int, warmup: int, worker_pids: list[int], url: str, timeout_s: float
) -> Sample:
    """Warm the worker with ``warmup`` no-ops, then send ``n`` tasks as fast as possible and wait for them."""
    module = importlib.import_module(f"benchmarks.apps.{app}")
    send = getattr(module, task)
    client = redis.Redis.from_url(url)
    client.delete(DONE_KEY)
    client.set(SENTINEL_KEY, 1)
    for _ in range(warmup):
        module.noop.apply_async()
    wait_done(client, warmup, timeout_s)
    client.set(DONE_KEY, 0)
    worker0 = [tree_cpu_s(pid) for pid in worker_pids]
    redis0, commands0 = redis_counters(client)
    busy0, steal0 = machine_counters()
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for _ in range(n):
        send.apply_async()
    producer_cpu = time.process_time() - cpu0
    wait_done(client, n, timeout_s)
    wall = time.perf_counter() - wall0
    worker1 = [tree_cpu_s(pid) for pid in worker_pids]
    redis1, commands1 = redis_counters(client)
    busy1, steal1 = machine_counters()
    return Sample(
        n=n,
        wall_s=wall,
        producer_cpu_s=producer_cpu,
        worker_cpu_s=sum(worker1) - sum(worker0),
        worker_cpu_s_each=[b - a for a, b in zip(worker0, worker1, strict=True)],
        redis_cpu_s=redis1 - redis0,
        redis_commands=commands1 - commands0,
        machine_busy_s=busy1 - busy0,
        machine_steal_s=steal1 - steal0,
        loadavg_1m=os.getloadavg()[0],
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--app", required=True, choices=("stock", "bare", "celeriac_profile"))
    parser.add_argument("--task", required=True, choices=("noop", "sleep50"))
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument(
        "--worker-pid", type=int, action="append", required=True, help="repeat once per worker process"
    )
    parser.add_argument("--url", required=True)
    parser.add_argument("--timeout", type=float, default=180.0)
    args = parser.parse_args(argv)
    try:
        sample = measure(args.app, args.task, args.n, args.warmup, args.worker_pid, args.url, args.timeout)
    except ForeignFlush as exc:
        print(exc, file=sys.stderr)
        raise SystemExit(EXIT_FLUSHED) from None
    out: dict[str, Any] = asdict(sample)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
