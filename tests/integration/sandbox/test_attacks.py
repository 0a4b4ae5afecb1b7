"""The attack suite: each hostile program gets the right verdict and leaves nothing on the host."""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

import pytest

from celeriac_site.judge.sandbox import Language, Limits, Sandbox, Verdict, evaluate

from .conftest import FAST, assert_nothing_left, run_in_box

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[3]
V = Verdict


# -- resources -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "source"),
    [
        ("c", "#include <unistd.h>\nint main(void) { for (;;) fork(); }"),
        ("python", "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass"),
    ],
)
def test_fork_bomb(sandbox: Sandbox, language: str, source: str) -> None:
    ran = run_in_box(sandbox, language, source)
    assert ran.verdict.verdict in (V.TLE, V.RE), ran.verdict
    assert_nothing_left(ran.uid)


MEMORY_BOMBS = {
    "python": "hog = []\nwhile True:\n    hog.append(bytearray(1 << 20))",
    "c": "#include <stdlib.h>\n#include <string.h>\n"
    "int main(void) { for (;;) { char *p = malloc(1 << 20); if (p) memset(p, 7, 1 << 20); } }",
    "cpp": "#include <vector>\n"
    "int main() { std::vector<std::vector<int>> v; for (;;) v.emplace_back(1 << 18, 7); }",
    "java": "import java.util.*;\npublic class Main { public static void main(String[] a) {"
    " List<int[]> hog = new ArrayList<>(); while (true) hog.add(new int[1 << 18]); } }",
    "javascript": "const hog = []; for (;;) hog.push(Buffer.alloc(1 << 20, 7));",
}


#: Memory bombs reach the limit in a fraction of a second; the roomy clock keeps a busy host from turning
#: a slow climb into TLE.
ROOMY = Limits(time_ms=2000, memory_mb=128)


@pytest.mark.parametrize("language", sorted(MEMORY_BOMBS))
def test_memory_bomb_in_every_language(sandbox: Sandbox, language: str) -> None:
    ran = run_in_box(sandbox, language, MEMORY_BOMBS[language], limits=ROOMY)
    assert ran.verdict.verdict is V.MLE, (ran.verdict, ran.outcome.stderr[-500:])
    assert_nothing_left(ran.uid)


def test_one_gib_static_array(sandbox: Sandbox) -> None:
    src = (
        "#include <string.h>\nstatic char a[1 << 30];\n"
        "int main(void) { memset(a, 1, sizeof a); return a[9]; }"
    )
    ran = run_in_box(sandbox, "c", src)
    assert ran.verdict.verdict is V.MLE
    assert ran.verdict.memory_kb >= 1 << 20  # reported as the static size it asked for


def test_infinite_loop(sandbox: Sandbox) -> None:
    ran = run_in_box(sandbox, "c", "int main(void) { volatile long x = 0; for (;;) x++; }")
    assert ran.verdict.verdict is V.TLE
    # Killed by RLIMIT_CPU, or by the wall clock on a busy host; either way its CPU time is accounted.
    assert ran.outcome.time_ms >= 0.9 * FAST.time_ms or (ran.outcome.timed_out and ran.outcome.time_ms > 100)


def test_busy_threads_burn_cpu_faster_than_the_wall_clock(sandbox: Sandbox) -> None:
    src = (
        "#include <pthread.h>\nstatic void *spin(void *a) { volatile long x = 0; for (;;) x++; return a; }\n"
        "int main(void) { pthread_t t[4]; for (int i = 0; i < 4; i++) pthread_create(&t[i], 0, spin, 0);"
        " pthread_join(t[0], 0); }"
    )
    ran = run_in_box(sandbox, "c", src)
    assert ran.verdict.verdict is V.TLE
    # Every thread's CPU is counted against the one limit: stopped once the tree spent more than it. On an
    # idle two-core host four threads also spend CPU faster than the wall clock; a busy host (parallel
    # test workers) cannot give them that, so the wall-clock comparison is no part of the promise.
    assert ran.outcome.time_ms >= FAST.time_ms or (ran.outcome.timed_out and ran.outcome.time_ms > 100)


def test_sleeping_forever_is_stopped_by_the_wall_clock(sandbox: Sandbox) -> None:
    ran = run_in_box(sandbox, "python", "import time\ntime.sleep(3600)")
    assert ran.verdict.verdict is V.TLE and ran.outcome.timed_out
    assert ran.outcome.time_ms < FAST.time_ms
    assert ran.outcome.wall_ms < FAST.wall_ms + 1000
    assert_nothing_left(ran.uid)


def test_ten_thousand_threads(sandbox: Sandbox) -> None:
    src = (
        "#include <pthread.h>\n#include <stdio.h>\n#include <unistd.h>\n"
        "static void *idle(void *a) { pause(); return a; }\n"
        "int main(void) { pthread_t t; for (int i = 0; i < 10000; i++) {"
        ' if (pthread_create(&t, 0, idle, 0)) { printf("%d\\n", i); return 1; } } return 0; }'
    )
    ran = run_in_box(sandbox, "c", src)
    assert ran.verdict.verdict is V.RE
    assert int(ran.stdout) < FAST.processes + 10  # stopped by pids.max / RLIMIT_NPROC, not by luck
    assert_nothing_left(ran.uid)


def test_one_huge_file(sandbox: Sandbox) -> None:
    src = (
        "#include <stdio.h>\n#include <string.h>\nint main(void) { static char b[1 << 20];"
        ' memset(b, \'x\', sizeof b); FILE *f = fopen("/tmp/huge", "w");'
        " for (;;) { if (fwrite(b, 1, sizeof b, f) != sizeof b || fflush(f)) return 1; } }"
    )
    ran = run_in_box(sandbox, "c", src)
    assert ran.verdict.verdict in (V.OLE, V.RE)  # SIGXFSZ at the file size limit, or ENOSPC in the tmpfs
    assert not Path("/tmp/huge").exists()


def test_many_files_fill_only_the_sized_scratch(sandbox: Sandbox, workdir_empty: Path) -> None:
    src = (
        "import os\nn = 0\ntry:\n    while True:\n"
        "        with open(f'/tmp/f{n}', 'wb') as f:\n            f.write(b'x' * 4096)\n        n += 1\n"
        "except OSError as e:\n    print(n, e.errno)\n    raise\n"
    )
    ran = run_in_box(sandbox, "python", src)
    assert ran.verdict.verdict is V.RE
    count, errno_ = map(int, ran.stdout.split())
    assert count * 4096 <= FAST.scratch_mb * 1024 * 1024 and errno_ == 28  # ENOSPC at the tmpfs size
    assert_nothing_left(ran.uid)


def test_stdout_flood(sandbox: Sandbox) -> None:
    ran = run_in_box(sandbox, "python", "import sys\nwhile True:\n    sys.stdout.write('y' * 65536)")
    assert ran.verdict.verdict is V.OLE
    assert len(ran.outcome.stdout) <= FAST.output_kb * 1024


# -- secrets ---------------------------------------------------------------------------------------------


def test_secrets_settings_and_worker_environment_stay_outside(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    canary = "canary-" + os.urandom(8).hex()
    monkeypatch.setenv("CELERIAC_TEST_CANARY", canary)
    settings = ROOT / "src" / "celeriac_site" / "settings.py"
    src = f"""
import glob, os
for path in ["/etc/shadow", "/etc/passwd", {str(settings)!r}, "/root/.ssh/id_rsa", "/proc/1/environ",
             "/run/celeriac-sandbox", "/sys/fs/cgroup/memory"] + glob.glob("/proc/*/environ"):
    try:
        print(path, open(path, "rb").read(4096))
    except OSError as exc:
        print(path, "refused", exc.strerror)
print(sorted(os.listdir("/")), sorted(os.listdir("/etc")), dict(os.environ))
"""
    ran = run_in_box(sandbox, "python", src)
    out = ran.outcome.stdout + ran.outcome.stderr
    assert ran.verdict.verdict in (V.AC, V.WA), ran.verdict
    assert canary.encode() not in out
    assert b"root:" not in out  # no passwd/shadow line
    assert settings.read_bytes()[:200] not in out
    assert b"/etc/shadow refused No such file or directory" in out
    assert b"['ld.so.cache', 'localtime']" in out  # all of /etc the box gets


def test_compile_step_cannot_read_secrets_either(sandbox: Sandbox) -> None:
    ev = evaluate(
        "c", '#include "/etc/shadow"\nint main(void) { return 0; }', [("", "")], limits=FAST, sandbox=sandbox
    )
    assert ev.verdict is V.CE and "No such file" in ev.compile_output
    assert "root:" not in ev.compile_output


def test_network_is_unreachable_including_a_listener_on_the_host(sandbox: Sandbox) -> None:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.1)
    port = listener.getsockname()[1]
    src = f"""
import socket
for family, addr in [(socket.AF_INET, ("127.0.0.1", 6379)), (socket.AF_INET, ("127.0.0.1", {port})),
                     (socket.AF_INET, ("1.1.1.1", 53)), (socket.AF_INET6, ("::1", 6379))]:
    try:
        s = socket.socket(family, socket.SOCK_STREAM)
        s.settimeout(1)
        s.connect(addr)
        print("CONNECTED", addr)
    except OSError as exc:
        print("blocked", addr, exc.errno)
for family in (socket.AF_NETLINK, socket.AF_PACKET):
    try:
        socket.socket(family, socket.SOCK_RAW)
        print("OPENED", family)
    except OSError as exc:
        print("blocked", family, exc.errno)
a, b = socket.socketpair()
a.send(b"unix works")
print(b.recv(32).decode())
"""
    try:
        ran = run_in_box(sandbox, "python", src)
        with pytest.raises(TimeoutError):
            listener.accept()
    finally:
        listener.close()
    assert "CONNECTED" not in ran.stdout and "OPENED" not in ran.stdout
    assert ran.stdout.count("blocked") == 6
    assert "unix works" in ran.stdout


# -- processes -------------------------------------------------------------------------------------------


def test_killing_the_parent_does_not_reach_the_worker(sandbox: Sandbox) -> None:
    src = """
import os, signal
print(os.getpid(), os.getppid())
for pid in (os.getppid(), 1, -1):
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError as exc:
        print("refused", pid, exc.errno)
print("alive")
"""
    ran = run_in_box(sandbox, "python", src, expected="")
    assert ran.stdout.split()[:2] == ["2", "1"]  # pid namespace: it sees bwrap's init as its parent
    assert ran.stdout.strip().endswith("alive")
    assert ran.verdict.verdict in (V.AC, V.WA) and ran.outcome.returncode == 0


def test_double_fork_daemon_dies_with_the_box(sandbox: Sandbox) -> None:
    src = """
import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.close(1); os.close(2)
        while True:
            time.sleep(0.05)
    os._exit(0)
print("parent done")
"""
    ran = run_in_box(sandbox, "python", src, expected="parent done")
    assert ran.verdict.verdict is V.AC
    assert ran.outcome.wall_ms < 2000  # not held until the wall clock by the daemon
    assert_nothing_left(ran.uid, within_s=0.5)


def test_ptrace_unshare_and_user_namespaces_are_denied(sandbox: Sandbox) -> None:
    src = r"""
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <unistd.h>
static void show(const char *what, long r) { printf("%s %ld %s\n", what, r, r < 0 ? strerror(errno) : "ok"); }
int main(void) {
    show("traceme", ptrace(PTRACE_TRACEME, 0, 0, 0));
    show("attach", ptrace(PTRACE_ATTACH, 1, 0, 0));
    show("unshare-user", unshare(CLONE_NEWUSER));
    show("unshare-mount", unshare(CLONE_NEWNS));
    show("unshare-net", unshare(CLONE_NEWNET));
    show("clone-user", syscall(SYS_clone, CLONE_NEWUSER | 17, 0, 0, 0, 0));
    show("clone3", syscall(435, 0, 0));
    show("setns", setns(0, 0));
    show("mount", syscall(SYS_mount, "none", "/tmp", "tmpfs", 0, 0));
    show("bpf", syscall(SYS_bpf, 0, 0, 0));
    show("keyctl", syscall(SYS_keyctl, 0, 0, 0));
    show("io_uring", syscall(425, 1, 0));
    show("userfaultfd", syscall(SYS_userfaultfd, 0));
    return 0;
}
"""
    ran = run_in_box(sandbox, "c", src)
    lines = dict(line.split(" ", 1) for line in ran.stdout.splitlines())
    assert len(lines) == 13
    for what, result in lines.items():
        expected = "Function not implemented" if what == "clone3" else "Operation not permitted"
        assert result.startswith("-1 ") and expected in result, (what, result)


def test_new_user_namespace_via_the_unshare_tool_fails(sandbox: Sandbox) -> None:
    ran = run_in_box(sandbox, "python", "import os\nos.execv('/usr/bin/unshare', ['unshare', '-Ur', 'id'])")
    assert ran.verdict.verdict is V.RE
    assert b"Operation not permitted" in ran.outcome.stderr


def test_symlinks_planted_at_run_time_lead_nowhere(sandbox: Sandbox) -> None:
    src = """
import os
for target, link in [("/etc/shadow", "/box/main.py"), ("/etc/shadow", "/tmp/s"), ("/", "/box/root")]:
    try:
        os.symlink(target, link)
        print("linked", link, open(link).read(10) if os.path.isfile(link) else "")
    except OSError as exc:
        print("refused", link, exc.strerror)
"""
    ran = run_in_box(sandbox, "python", src)
    assert "refused /box/main.py File exists" in ran.stdout or "Read-only" in ran.stdout
    assert "refused /box/root Read-only file system" in ran.stdout
    assert "linked /tmp/s" in ran.stdout  # scratch accepts it, but there is no /etc/shadow to reach


@pytest.mark.parametrize("planted", ["ln -s /etc/shadow main", "mkfifo main", "mkdir main"])
def test_symlinks_planted_at_compile_time_are_refused(sandbox: Sandbox, planted: str) -> None:
    # A hostile compiler: the compile step is the only one with a writable /box.
    evil = Language(
        key="evil",
        name="hostile compiler",
        source_name="main.txt",
        compile_cmd=("/bin/sh", "-c", planted),
        artifacts=("main",),
        run_cmd=("/box/main",),
    )
    with sandbox.box(evil, FAST) as box:
        compiled = box.compile("")
        uid = box.uid
    assert not compiled.ok and compiled.internal_error is not None  # IE, never a run of the host's file
    assert "main" in compiled.internal_error
    assert_nothing_left(uid)


def test_compile_time_bombs_end_as_ce(sandbox: Sandbox) -> None:
    limits = Limits(time_ms=500, memory_mb=128, compile_time_ms=4000, compile_memory_mb=256)
    random = evaluate(
        "c", "#include </dev/random>\nint main(void) {}", [("", "")], limits=limits, sandbox=sandbox
    )
    assert random.verdict is V.CE and "exceeded" in random.compile_output
    templates = """
template<class... T> struct L {};
template<class A, class B> struct C;
template<class... A, class... B> struct C<L<A...>, L<B...>> { using t = L<A..., B...>; };
template<int N> struct D { using h = typename D<N - 1>::t; using t = typename C<h, h>::t; };
template<> struct D<0> { using t = L<int>; };
int main() { typename D<28>::t x; (void)x; }
"""
    explosion = evaluate("cpp", templates, [("", "")], limits=limits, sandbox=sandbox)
    assert explosion.verdict is V.CE and "exceeded" in explosion.compile_output


# -- isolation between boxes -----------------------------------------------------------------------------


def test_two_concurrent_boxes_cannot_see_each_other(sandbox: Sandbox) -> None:
    src = """
import os, sys, time
me = sys.stdin.read().strip()
open(f"/tmp/marker-{me}", "w").write(me)
time.sleep(1.0)
pids = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
print("tmp", sorted(os.listdir("/tmp")))
print("pids", pids)
print("uid", os.getuid())
"""
    results: dict[str, tuple[str, int]] = {}

    def one(name: str) -> None:
        with sandbox.box("python", Limits(time_ms=2000, memory_mb=128)) as box:
            box.compile(src)
            out = box.run(name)
            results[name] = (out.stdout.decode(), box.uid)

    threads = [threading.Thread(target=one, args=(n,)) for n in ("A", "B")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    (out_a, uid_a), (out_b, uid_b) = results["A"], results["B"]
    assert uid_a != uid_b  # a separate host uid per concurrent box
    assert "tmp ['marker-A']" in out_a and "tmp ['marker-B']" in out_b
    assert "pids [1, 2]" in out_a and "pids [1, 2]" in out_b  # each sees only its own init and itself
    assert f"uid {uid_a}" in out_a and f"uid {uid_b}" in out_b
