"""Fixtures for real sandbox runs: one Sandbox per session on its own uid range, and containment checks."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from celeriac_site.judge.sandbox import Limits, RunOutcome, Sandbox, TestVerdict, get_language, judge_run
from celeriac_site.judge.sandbox.bwrap import find_tool
from celeriac_site.judge.sandbox.slots import processes_of_uid

#: The tests' boxes run as 60500+N so that "no process of this uid is left" cannot be confused with the
#: boxes of a worker running on the same host (they use 60000+N).
TEST_UID_BASE = 60500
FAST = Limits(time_ms=500, memory_mb=128, compile_time_ms=10000, compile_memory_mb=512)


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    if find_tool("bwrap") is None:
        pytest.skip("bubblewrap is not installed (make sysdeps installs it)")
    workdir = Path(tempfile.gettempdir()) / f"celeriac-sandbox-test-{os.getpid()}"
    sb = Sandbox(uid_base=TEST_UID_BASE, workdir=str(workdir))
    caps = sb.capabilities()
    assert caps["available"], caps["error"]  # bwrap present but not working here is a failure, not a skip
    yield sb
    shutil.rmtree(workdir, ignore_errors=True)


@dataclass
class Ran:
    """One program run in a box: the raw outcome, its verdict, and the uid the box used."""

    outcome: RunOutcome
    verdict: TestVerdict
    uid: int
    compile_output: str = ""

    @property
    def stdout(self) -> str:
        return self.outcome.stdout.decode("utf-8", "replace")


def run_in_box(
    sandbox: Sandbox, language: str, source: str, stdin: str = "", expected: str = "", limits: Limits = FAST
) -> Ran:
    """Compile and run once through the lower-level API, so the test knows the box's uid."""
    with sandbox.box(language, limits) as box:
        compiled = box.compile(source)
        assert compiled.ok, compiled.output or compiled.internal_error
        out = box.run(stdin)
        uid = box.uid
    verdict = judge_run(
        0,
        out,
        expected,
        time_limit_ms=limits.time_ms,
        memory_mb=limits.memory_mb,
        oom_markers=get_language(language).oom_markers,
    )
    return Ran(out, verdict, uid, compiled.output)


def _state(pid: int) -> tuple[str, int]:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return fields[0], int(fields[1])


def live_processes(uid: int) -> list[int]:
    """Live processes of ``uid``; zombies we are the parent of (we are a subreaper) are reaped on the way."""
    live = []
    for pid in processes_of_uid(uid):
        try:
            state, ppid = _state(pid)
        except (OSError, IndexError):
            continue
        if state == "Z":
            if ppid == os.getpid():
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(pid, os.WNOHANG)
            continue
        live.append(pid)
    return live


def assert_nothing_left(uid: int, within_s: float = 3.0) -> None:
    deadline = time.monotonic() + within_s
    while (left := live_processes(uid)) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not left, f"processes of box uid {uid} survived: {left}"


@pytest.fixture
def workdir_empty(sandbox: Sandbox) -> Iterator[Path]:
    """After the test, no box directory may be left in the sandbox's work directory."""
    workdir = Path(sandbox.capabilities()["workdir"])
    yield workdir
    assert not any(workdir.iterdir()), f"box directories left behind: {list(workdir.iterdir())}"
