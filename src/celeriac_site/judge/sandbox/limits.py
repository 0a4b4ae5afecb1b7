"""Resource limits of one submission: per-test run limits and the compile step's own limits."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Limits:
    """Limits per test run (and for the single compile). Units are in the names.

    ``time_ms`` is CPU time of the whole process tree; the wall clock gets ``wall_time_ms``
    (default ``2 * time_ms + 500``) so that sleeping or blocked programs are stopped too.
    """

    time_ms: int = 2000
    memory_mb: int = 256
    output_kb: int = 64
    stderr_kb: int = 64
    wall_time_ms: int | None = None
    processes: int = 32  # processes + threads of the submission (pids cgroup and RLIMIT_NPROC)
    open_files: int = 64
    file_size_kb: int = 16 * 1024  # largest file the program may write (RLIMIT_FSIZE)
    scratch_mb: int = 16  # size of the tmpfs mounted on /tmp, the only writable place during runs
    source_kb: int = 256
    compile_time_ms: int = 15000
    compile_memory_mb: int = 1024

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value <= 0):
                raise ValueError(f"Limits.{f.name} must be a positive int, got {value!r}")
        if self.memory_mb < 16:
            raise ValueError("Limits.memory_mb below 16 cannot start any of the judge's runtimes")

    @property
    def wall_ms(self) -> int:
        """Wall-clock budget of one run."""
        return self.wall_time_ms if self.wall_time_ms is not None else 2 * self.time_ms + 500

    @property
    def cpu_rlimit_s(self) -> int:
        """RLIMIT_CPU soft limit: a whole-second backstop well above the budget (the verdict is exact)."""
        return _backstop_s(self.time_ms)

    @property
    def compile_cpu_rlimit_s(self) -> int:
        return _backstop_s(self.compile_time_ms)


#: RLIMIT_CPU fires early on a virtual machine: measured here, SIGXCPU came at 0.77-0.95 of the CPU time
#: getrusage and cpuacct report (more under host contention). The margin keeps it from cutting short a
#: program that is within its budget; the verdict compares the measured time with time_ms itself.
RLIMIT_CPU_MARGIN = 1.5


def _backstop_s(budget_ms: int) -> int:
    return max(1, math.ceil(budget_ms * RLIMIT_CPU_MARGIN / 1000))


#: Limits for the judge's own helper runs (test generators, reference solutions) when none are given.
GENERATOR_LIMITS = Limits(time_ms=10000, memory_mb=512, output_kb=16 * 1024, stderr_kb=64)
