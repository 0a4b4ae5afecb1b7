"""Readiness when a box is killed early: has bwrap's init forked the program? Real processes play init."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest

from celeriac_site.judge.sandbox.supervise import init_forked

READY = "import sys; print('ready', flush=True)\n"
WAIT = "import time; time.sleep(60)\n"


def _start(code: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    return proc


@pytest.fixture
def procs() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for proc in started:
        proc.kill()
        proc.wait()


def test_an_init_that_has_not_forked_is_not_started(procs: list[subprocess.Popen[str]]) -> None:
    procs.append(_start(READY + WAIT))
    assert not init_forked(procs[-1].pid)


def test_an_init_whose_program_runs_is_started(procs: list[subprocess.Popen[str]]) -> None:
    code = "import subprocess; child = subprocess.Popen(['sleep', '60'])\n" + READY + WAIT
    procs.append(_start(code))
    assert init_forked(procs[-1].pid)


def test_an_init_that_already_reaped_its_program_is_started(procs: list[subprocess.Popen[str]]) -> None:
    # The race this guards: the program died and init reaped it just before the wall clock ran out.
    code = "import subprocess; subprocess.run(['true'], check=True)\n" + READY + WAIT
    procs.append(_start(code))
    pid = procs[-1].pid
    with open(f"/proc/{pid}/task/{pid}/children") as f:
        assert f.read().split() == []  # nothing left in the children file...
    assert init_forked(pid)  # ...but its reaped child's page faults are on record


def test_a_vanished_init_counts_as_started() -> None:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()  # reaped: /proc has nothing for it any more
    assert init_forked(proc.pid)
