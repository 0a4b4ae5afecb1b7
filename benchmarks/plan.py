"""What to measure: the configurations, their workers, task counts per mode."""

from __future__ import annotations

import os
from dataclasses import dataclass

from benchmarks import workers

STOCK = "stock prefork"
BARE = "bare (Celeriac settings, plain Task)"
CELERIAC = "celeriac_profile io"
NOOP = "noop"
SLEEP = "sleep50"


@dataclass(frozen=True)
class Sizes:
    """Tasks per measured run, chosen so each run lasts roughly 2-10 s on this machine."""

    noop: int
    sleep_gevent: int
    sleep_prefork: int
    warmup: int


FULL = Sizes(noop=3000, sleep_gevent=1500, sleep_prefork=200, warmup=100)
QUICK = Sizes(noop=500, sleep_gevent=300, sleep_prefork=80, warmup=100)


@dataclass(frozen=True)
class RunSpec:
    """One configuration x workload: which app produces, which worker processes consume, how many tasks.

    ``argvs`` holds one command line per worker process; all of them run (and are measured) together.
    """

    config: str
    workload: str
    app: str
    argvs: tuple[workers.Argv, ...]
    n: int

    @property
    def key(self) -> str:
        return f"{self.config} | {self.workload}"

    @property
    def processes(self) -> int:
        return len(self.argvs)


def specs(sizes: Sizes, cores: int | None = None) -> list[RunSpec]:
    ncores = cores or os.cpu_count() or 1
    stock = (workers.stock_argv(ncores),)
    bare = workers.fleet_argvs("benchmarks.apps.bare")
    celeriac = workers.fleet_argvs("benchmarks.apps.celeriac_profile")
    return [
        RunSpec(f"{STOCK} c={ncores}", NOOP, "stock", stock, sizes.noop),
        RunSpec(BARE, NOOP, "bare", bare, sizes.noop),
        RunSpec(CELERIAC, NOOP, "celeriac_profile", celeriac, sizes.noop),
        RunSpec(f"{STOCK} c={ncores}", SLEEP, "stock", stock, sizes.sleep_prefork),
        RunSpec(CELERIAC, SLEEP, "celeriac_profile", celeriac, sizes.sleep_gevent),
    ]
