"""What one sandboxed process did (RunOutcome) and what the compile step produced (CompileResult)."""

from __future__ import annotations

import signal
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RunOutcome:
    """Raw facts about one run; ``verdicts.judge_run`` turns them into a verdict.

    ``returncode`` follows subprocess: the exit status, or ``-N`` when killed by signal N; None when the
    program never started (``setup_error``). ``time_ms`` is CPU time (user + system) of the whole tree.
    """

    returncode: int | None
    time_ms: float
    wall_ms: float
    memory_kb: int
    stdout: bytes = b""
    stderr: bytes = b""
    timed_out: bool = False  # killed by the supervisor's wall clock
    output_exceeded: str | None = None  # "stdout" or "stderr" when a stream passed its cap
    oom_killed: bool = False  # the cgroup's OOM killer fired during this run
    memory_limit_hit: bool = False  # usage reached the cgroup limit (reclaim, maybe thrashing) at least once
    memory_bound: str = "cgroup"  # "cgroup" or "rlimit": which mechanism bounded memory
    setup_error: str | None = None  # the sandbox failed before the program started: IE, never RE
    static_memory_exceeded: bool = False  # a binary's static data alone exceeds the limit; not run
    notes: tuple[str, ...] = field(default=())

    @property
    def signal(self) -> int | None:
        return -self.returncode if self.returncode is not None and self.returncode < 0 else None

    @property
    def succeeded(self) -> bool:
        return self.setup_error is None and self.returncode == 0

    def describe_exit(self) -> str:
        if self.returncode is None:
            return "did not start"
        if self.returncode < 0:
            try:
                name = signal.Signals(-self.returncode).name
            except ValueError:
                name = f"signal {-self.returncode}"
            return f"killed by {name}"
        return f"exit code {self.returncode}"


@dataclass(frozen=True)
class CompileResult:
    """The compile (or syntax-check) step: ``ok`` False with ``output`` is CE; ``internal_error`` is IE."""

    ok: bool
    output: str = ""
    time_ms: float = 0.0
    memory_kb: int = 0
    internal_error: str | None = None
