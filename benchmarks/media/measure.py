"""One measured run: a prefork worker on the media queue, warmed up, then N photos through it."""

from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from benchmarks.media.worker import CELERY, Worker, tree_cpu_s

POLL_S = 0.05
RUN_TIMEOUT_S = 600.0


@dataclass(frozen=True)
class RunResult:
    """What one run measured; CPU and wall in seconds over the measured window, RSS in MiB."""

    concurrency: int
    n: int
    wall_s: float
    worker_cpu_s: float
    producer_cpu_s: float
    failed: int
    peak_rss_mib_children: list[float]
    peak_rss_mib_main: float
    load_avg_1m: float  # the machine's load at the end of the run: other jobs share these cores

    @property
    def photos_per_s(self) -> float:
        return self.n / self.wall_s

    @property
    def cpu_ms_per_photo(self) -> float:
        return 1000 * self.worker_cpu_s / self.n


def node_name(concurrency: int) -> str:
    return f"media-bench-c{concurrency}@{socket.gethostname()}"


def worker_argv(concurrency: int) -> list[str]:
    """The cpu family's worker command line (celeriac fleet), on the media queue only."""
    return [
        CELERY,
        *("-A", "celeriac_site", "worker", "-n", node_name(concurrency)),
        *("-Q", "media", "-P", "prefork", "-c", str(concurrency), "--prefetch-multiplier", "1"),
        *("-E", "-l", "INFO", "--max-tasks-per-child", "1000", "-O", "fair"),
        *("--without-mingle", "--without-gossip"),
    ]


def peak_rss_mib(pid: int) -> float:
    """VmHWM: the most resident memory the process ever had, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError(f"no VmHWM for pid {pid}")


def _store(photos: list[bytes], n: int) -> list[int]:
    from celeriac_site.media.examples import store_item

    return [store_item("photo", f"bench-{i}.jpg", photos[i % len(photos)]) for i in range(n)]


def _wait(ids: list[int]) -> tuple[float, int]:
    """Wait until every item is completed or failed; returns the last processed_at and the failures."""
    from django.db.models import Max

    from celeriac_site.media.models import Photo

    deadline = time.monotonic() + RUN_TIMEOUT_S
    items = Photo.objects.filter(pk__in=ids)
    while items.filter(processing_status__in=("pending", "processing")).exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"photos not processed within {RUN_TIMEOUT_S:.0f}s")
        time.sleep(POLL_S)
    last = items.aggregate(last=Max("processed_at"))["last"]
    return last.timestamp(), items.filter(processing_status="failed").count()


def _send(ids: list[int]) -> None:
    from celeriac_site.media import tasks

    for pk in ids:
        tasks.process_photo_ai.apply_async((pk,))


def run(concurrency: int, n: int, photos: list[bytes], env: dict[str, str], log: Path) -> RunResult:
    """Start a worker, warm every pool child up (models loaded), then time ``n`` photos."""
    worker = Worker(worker_argv(concurrency), node_name(concurrency), env, log)
    try:
        worker.wait_ready()
        children = psutil.Process(worker.pid).children()
        # Warm-up: each child loads its models on its first photo (lazily, once per process).
        _send(warm := _store(photos, 2 * concurrency))
        _wait(warm)
        ids = _store(photos, n)
        cpu0, producer0 = tree_cpu_s(worker.pid), time.process_time()
        started = time.time()
        _send(ids)
        producer = time.process_time() - producer0
        finished, failed = _wait(ids)
        cpu = tree_cpu_s(worker.pid) - cpu0
        peaks = [peak_rss_mib(c.pid) for c in children if c.is_running()]
        main = peak_rss_mib(worker.pid)
    finally:
        worker.stop()
    load = round(os.getloadavg()[0], 2)
    return RunResult(concurrency, n, finished - started, cpu, producer, failed, peaks, main, load)


def pipeline_cpu_ms(paths: list[Path], rounds: int) -> dict[str, Any]:
    """CPU per photo of the pipeline alone (decode + models + tags), in this process: no Celery, no DB."""
    from celeriac_site.media.pipeline import analyse, registry

    registry.get()
    analyse.analyse_photo(paths[0])  # first inference allocates; not part of the steady state
    samples = []
    for _ in range(rounds):
        for path in paths:
            t0 = time.process_time()
            analyse.analyse_photo(path)
            samples.append(1000 * (time.process_time() - t0))
    samples.sort()
    return {
        "median_ms": round(samples[len(samples) // 2], 1),
        "min_ms": round(samples[0], 1),
        "n": len(samples),
    }
