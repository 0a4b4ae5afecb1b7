"""Verdicts, pure: a run's facts and the expected output give a test verdict; tests give the overall one."""

from __future__ import annotations

import signal as signals
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from .checkers import FLOAT_TOLERANCE, Checker, check_output
from .outcome import RunOutcome

__all__ = [
    "Checker",
    "Evaluation",
    "TestVerdict",
    "Verdict",
    "check_output",
    "excerpt",
    "judge_run",
    "overall_verdict",
]

EXCERPT_BYTES = 1024
#: On hosts without a memory cgroup, a crash at this share of RLIMIT_AS's budget is read as MLE
#: (malloc returned NULL and the program died of it).
RLIMIT_MLE_SHARE = 0.9


class Verdict(StrEnum):
    """Outcome of one test or of a whole submission."""

    AC = "AC"  # accepted
    WA = "WA"  # wrong answer
    TLE = "TLE"  # time limit exceeded (CPU or wall clock)
    MLE = "MLE"  # memory limit exceeded
    OLE = "OLE"  # output limit exceeded
    RE = "RE"  # runtime error (non-zero exit, signal)
    CE = "CE"  # compilation error
    IE = "IE"  # internal error: the judge could not decide; never counted as accepted


def excerpt(data: str | bytes, limit: int = EXCERPT_BYTES) -> str:
    """At most ``limit`` bytes of valid UTF-8 (bad bytes and NULs become U+FFFD), for storage and display."""
    raw = data.encode("utf-8", "replace") if isinstance(data, str) else data
    cut = min(len(raw), limit)
    while True:
        text = raw[:cut].decode("utf-8", "replace").replace("\x00", "\ufffd")
        # A replacement character is 3 bytes for 1 input byte, so decoding can grow the text past the limit.
        if len(text.encode("utf-8")) <= limit or cut == 0:
            return text
        cut -= max(1, (len(text.encode("utf-8")) - limit) // 2)


@dataclass(frozen=True)
class TestVerdict:
    """One test's verdict with its measurements; excerpts are at most 1 KiB of valid UTF-8."""

    __test__ = False  # a data class, not a pytest test case

    index: int
    verdict: Verdict
    time_ms: float
    memory_kb: int
    exit_code: int | None
    stdout_excerpt: str = ""
    expected_excerpt: str = ""
    stderr_excerpt: str = ""
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["verdict"] = self.verdict.value
        data["time_ms"] = round(self.time_ms, 1)
        return data


def overall_verdict(verdicts: Sequence[Verdict], *, compiled: bool = True) -> Verdict:
    """CE when compilation failed; IE if any test is IE or there are no tests; else the first non-AC."""
    if not compiled:
        return Verdict.CE
    if not verdicts or Verdict.IE in verdicts:
        return Verdict.IE
    return next((v for v in verdicts if v is not Verdict.AC), Verdict.AC)


@dataclass
class Evaluation:
    """A whole submission's result: overall verdict, compiler output, and every test's verdict."""

    verdict: Verdict
    compile_output: str = ""
    tests: list[TestVerdict] = field(default_factory=list)
    language: str = ""
    compile_time_ms: float = 0.0

    @property
    def passed(self) -> int:
        return sum(1 for t in self.tests if t.verdict is Verdict.AC)

    @property
    def failed(self) -> int:
        return len(self.tests) - self.passed

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict.value,
            "language": self.language,
            "compile_output": self.compile_output,
            "compile_time_ms": round(self.compile_time_ms, 1),
            "passed": self.passed,
            "failed": self.failed,
            "tests": [t.to_dict() for t in self.tests],
        }


#: A run that times out with its peak memory this close to the limit ran out of memory, not of time.
NEAR_MEMORY_LIMIT = 0.9


def _limit_verdict(
    out: RunOutcome, time_limit_ms: int, memory_mb: int, markers: Sequence[bytes]
) -> tuple[Verdict, str] | None:
    """The resource verdict of a run, or None when it stayed within every limit."""
    if out.static_memory_exceeded:
        return Verdict.MLE, "static data alone exceeds the memory limit"
    if out.oom_killed:
        return Verdict.MLE, "killed by the out-of-memory killer at the memory limit"
    if out.output_exceeded:
        return Verdict.OLE, f"{out.output_exceeded} passed its size limit"
    if out.signal == signals.SIGXFSZ:
        return Verdict.OLE, "a file passed the file size limit"
    too_slow = out.time_ms > time_limit_ms or out.signal == signals.SIGXCPU
    near_limit = out.memory_kb >= NEAR_MEMORY_LIMIT * memory_mb * 1024
    if (out.timed_out or too_slow) and (out.memory_limit_hit or near_limit):
        # At the memory limit the kernel reclaims the program's own code pages over and over (or a managed
        # runtime collects garbage without end, just under its heap cap): it thrashes instead of being
        # OOM-killed, and runs out of time because it ran out of memory.
        return Verdict.MLE, "reached the memory limit and could not finish (thrashing)"
    if out.timed_out:
        return Verdict.TLE, f"stopped after {out.wall_ms:.0f} ms wall clock"
    if out.signal == signals.SIGXCPU:
        return (
            Verdict.TLE,
            f"stopped by the CPU limit after {out.time_ms:.0f} ms CPU (limit {time_limit_ms} ms)",
        )
    if too_slow:
        return Verdict.TLE, f"used {out.time_ms:.0f} ms CPU (limit {time_limit_ms} ms)"
    if out.succeeded:
        return None
    # The JVM prints its ExitOnOutOfMemoryError line on stdout, the others on stderr.
    if any(marker in out.stderr or marker in out.stdout for marker in markers):
        return Verdict.MLE, "the runtime reported it ran out of memory"
    if out.memory_bound == "rlimit" and out.memory_kb >= RLIMIT_MLE_SHARE * memory_mb * 1024:
        return Verdict.MLE, f"crashed at {out.memory_kb // 1024} MiB, the address-space limit"
    return None


def judge_run(
    index: int,
    out: RunOutcome,
    expected: str | bytes,
    *,
    time_limit_ms: int,
    memory_mb: int,
    checker: Checker = Checker.WHITESPACE,
    tolerance: float = FLOAT_TOLERANCE,
    oom_markers: Sequence[bytes] = (),
) -> TestVerdict:
    """The verdict of test ``index``: IE, then MLE/OLE/TLE, then RE, then the checker's AC or WA."""

    def verdict(v: Verdict, detail: str) -> TestVerdict:
        return TestVerdict(
            index=index,
            verdict=v,
            time_ms=out.time_ms,
            memory_kb=out.memory_kb,
            exit_code=out.returncode,
            stdout_excerpt=excerpt(out.stdout),
            expected_excerpt=excerpt(expected),
            stderr_excerpt=excerpt(out.setup_error or out.stderr),
            detail=detail,
        )

    if out.setup_error is not None:
        return verdict(Verdict.IE, f"sandbox set-up failed: {out.setup_error}")
    limited = _limit_verdict(out, time_limit_ms, memory_mb, oom_markers)
    if limited is not None:
        return verdict(*limited)
    if not out.succeeded:
        return verdict(Verdict.RE, out.describe_exit())
    if check_output(expected, out.stdout, checker, tolerance=tolerance):
        return verdict(Verdict.AC, "")
    return verdict(Verdict.WA, "output differs from the expected output")
