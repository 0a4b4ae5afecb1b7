"""Lifecycle guarantees: a killed worker leaves nothing, seccomp and capabilities are really in force."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from celeriac_site.judge.sandbox import Language, Limits, Sandbox, Verdict, evaluate, judge_run
from celeriac_site.judge.sandbox.cgroups import detect

from .conftest import FAST, TEST_UID_BASE, assert_nothing_left, live_processes, run_in_box

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.slow
def test_a_worker_killed_with_sigkill_leaves_no_sandboxed_process(sandbox: Sandbox) -> None:
    workdir = Path(tempfile.gettempdir()) / f"celeriac-sandbox-killtest-{os.getpid()}"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    worker = subprocess.Popen(
        [sys.executable, "-m", "tests.integration.sandbox.box_worker", str(TEST_UID_BASE), str(workdir)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert worker.stdout is not None
        uid, slot = map(int, worker.stdout.readline().split())
        deadline = time.monotonic() + 10
        # bwrap, its pid-1, the program and the program's fork: the box is fully up.
        while len(live_processes(uid)) < 4 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(live_processes(uid)) >= 4
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    assert_nothing_left(uid, within_s=3.0)
    hierarchy, _ = detect()
    if hierarchy is not None:
        assert hierarchy.slot(slot).pids() == []
    shutil.rmtree(workdir, ignore_errors=True)


def test_seccomp_no_new_privs_and_no_capabilities_inside(sandbox: Sandbox) -> None:
    src = "print(''.join(l for l in open('/proc/self/status') if l.split(':')[0] in"
    src += " ('Seccomp', 'Seccomp_filters', 'NoNewPrivs', 'CapEff', 'CapPrm', 'CapBnd')))"
    ran = run_in_box(sandbox, "python", src)
    status = dict(line.split(":\t") for line in ran.stdout.strip().splitlines())
    assert status["Seccomp"] == "2"  # filter mode
    assert int(status["Seccomp_filters"]) >= 1
    assert status["NoNewPrivs"] == "1"
    assert int(status["CapEff"], 16) == 0 and int(status["CapPrm"], 16) == 0
    assert ran.uid >= TEST_UID_BASE  # a pool uid on the host, not root


def test_the_program_sees_only_its_three_standard_descriptors(sandbox: Sandbox) -> None:
    src = (
        "#include <fcntl.h>\n#include <stdio.h>\n"
        "int main(void) { for (int fd = 3; fd < 4096; fd++)"
        ' if (fcntl(fd, F_GETFD) != -1) printf("%d\\n", fd); }'
    )
    ran = run_in_box(sandbox, "c", src)
    assert ran.stdout == ""  # no status pipe, seccomp memfd or worker descriptor leaked in


def test_a_sandbox_that_cannot_start_the_program_is_ie_not_re(sandbox: Sandbox) -> None:
    ghost = Language(key="ghost", name="missing binary", source_name="x.txt", run_cmd=("/box/nope",))
    with sandbox.box(ghost, FAST) as box:
        assert box.compile("").ok
        out = box.run(b"")
    assert out.setup_error is not None and "nope" in out.setup_error
    assert judge_run(0, out, "", time_limit_ms=500, memory_mb=128).verdict is Verdict.IE


def test_an_unusable_work_directory_is_ie_with_the_reason(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    broken = Sandbox(uid_base=TEST_UID_BASE, workdir=str(blocker / "boxes"))
    assert broken.refuse_reason("python") is not None
    ev = evaluate("python", "print(1)", [("", "1")], limits=FAST, sandbox=broken)
    assert ev.verdict is Verdict.IE and "work directory" in ev.compile_output


@pytest.fixture(scope="module")
def bare(sandbox: Sandbox) -> Iterator[Sandbox]:
    """A Sandbox that behaves as on a host without a writable cgroup."""
    workdir = Path(tempfile.gettempdir()) / f"celeriac-sandbox-nocg-{os.getpid()}"
    yield Sandbox(cgroups=False, uid_base=TEST_UID_BASE, workdir=str(workdir))
    shutil.rmtree(workdir, ignore_errors=True)


class TestWithoutCgroups:
    """A host with no writable cgroup: C, C++ and Python bounded by RLIMIT_AS, Java and JS refused."""

    def test_java_and_javascript_are_refused_with_a_clear_reason(self, bare: Sandbox) -> None:
        assert bare.capabilities()["cgroup"] is None
        for language in ("java", "javascript"):
            reason = bare.refuse_reason(language)
            assert reason is not None and "cgroup memory controller" in reason
            ev = evaluate(language, "x", [("", "")], limits=FAST, sandbox=bare)
            assert ev.verdict is Verdict.IE and "cgroup" in ev.compile_output
        assert bare.refuse_reason("python") is None and bare.refuse_reason("c") is None

    @pytest.mark.parametrize(
        ("language", "source"),
        [
            ("python", "hog = []\nwhile True:\n    hog.append(bytearray(1 << 20))"),
            (
                "c",
                "#include <stdlib.h>\n#include <string.h>\n"
                "int main(void) { for (;;) { char *p = malloc(1 << 20); memset(p, 7, 1 << 20); } }",
            ),
            (
                "cpp",
                "#include <vector>\n"
                "int main() { std::vector<std::vector<int>> v; for (;;) v.emplace_back(1 << 18); }",
            ),
        ],
    )
    def test_memory_bombs_are_mle_through_rlimit_as(self, bare: Sandbox, language: str, source: str) -> None:
        ran = run_in_box(bare, language, source)
        assert ran.outcome.memory_bound == "rlimit"
        assert ran.verdict.verdict is Verdict.MLE, (ran.verdict, ran.outcome.stderr[-300:])

    def test_fork_bomb_is_held_by_rlimit_nproc(self, bare: Sandbox) -> None:
        ran = run_in_box(bare, "c", "#include <unistd.h>\nint main(void) { for (;;) fork(); }")
        assert ran.verdict.verdict in (Verdict.TLE, Verdict.RE)
        assert_nothing_left(ran.uid)

    def test_accepted_still_accepted(self, bare: Sandbox) -> None:
        ev = evaluate(
            "c", '#include <stdio.h>\nint main(void){puts("hi");}', [("", "hi")], limits=FAST, sandbox=bare
        )
        assert ev.verdict is Verdict.AC
        assert Limits().memory_mb == 256  # defaults unchanged by the mode


def test_works_under_gevent_with_a_waitpid_stealing_neighbour(sandbox: Sandbox) -> None:
    workdir = Path(tempfile.gettempdir()) / f"celeriac-sandbox-gevent-{os.getpid()}"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    out = subprocess.run(
        [sys.executable, "-m", "tests.integration.sandbox.gevent_worker", str(TEST_UID_BASE), str(workdir)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    shutil.rmtree(workdir, ignore_errors=True)
    for ev in json.loads(out.stdout):
        assert ev["verdict"] == "WA", ev
        assert [t["verdict"] for t in ev["tests"]] == ["AC", "AC", "WA"]
        assert all(t["time_ms"] > 0 for t in ev["tests"])  # from the cgroup when libev reaped first
