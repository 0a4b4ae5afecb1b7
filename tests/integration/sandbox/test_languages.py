"""Each language end to end in real boxes: AC, WA, TLE, MLE, RE from one compile, and CE."""

from __future__ import annotations

import pytest

from celeriac_site.judge.sandbox import Checker, Limits, Sandbox, Verdict, evaluate, run_program

from .conftest import FAST

pytestmark = pytest.mark.integration

# One program per language whose behaviour the test input picks, so one compile serves every verdict.
PROGRAMS = {
    "python": """\
import sys
cmd, *rest = sys.stdin.read().split()
if cmd == "ok":
    print(int(rest[0]) * 2)
elif cmd == "wa":
    print(int(rest[0]) * 2 + 1)
elif cmd == "loop":
    while True:
        pass
elif cmd == "mem":
    hog = []
    while True:
        hog.append(bytearray(1 << 20))
elif cmd == "crash":
    raise RuntimeError("boom")
""",
    "c": """\
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(void) {
    char cmd[16]; long n = 0;
    if (scanf("%15s %ld", cmd, &n) < 1) return 2;
    if (!strcmp(cmd, "ok")) printf("%ld\\n", n * 2);
    else if (!strcmp(cmd, "wa")) printf("%ld\\n", n * 2 + 1);
    else if (!strcmp(cmd, "loop")) { volatile unsigned long x = 0; for (;;) x++; }
    else if (!strcmp(cmd, "mem")) {
        for (;;) { char *p = malloc(1 << 20); if (!p) return 3; memset(p, 1, 1 << 20); }
    }
    else if (!strcmp(cmd, "crash")) { volatile int *p = 0; *p = 1; }
    return 0;
}
""",
    "cpp": """\
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>
int main() {
    std::string cmd; long n = 0;
    std::cin >> cmd >> n;
    if (cmd == "ok") std::cout << n * 2 << "\\n";
    else if (cmd == "wa") std::cout << n * 2 + 1 << "\\n";
    else if (cmd == "loop") { volatile unsigned long x = 0; for (;;) x++; }
    else if (cmd == "mem") { std::vector<std::vector<char>> hog; for (;;) hog.emplace_back(1 << 20, 'x'); }
    else if (cmd == "crash") throw std::runtime_error("boom");
}
""",
    "java": """\
import java.util.*;
public class Main {
    static void loop() { long x = 0; while (true) { x++; } }
    static void mem() { List<long[]> hog = new ArrayList<>(); while (true) { hog.add(new long[1 << 17]); } }
    public static void main(String[] args) {
        Scanner in = new Scanner(System.in);
        String cmd = in.next();
        long n = in.hasNextLong() ? in.nextLong() : 0;
        switch (cmd) {
            case "ok": System.out.println(n * 2); break;
            case "wa": System.out.println(n * 2 + 1); break;
            case "loop": loop(); break;
            case "mem": mem(); break;
            default: throw new IllegalStateException("boom");
        }
    }
}
""",
    "javascript": """\
const [cmd, n] = require("fs").readFileSync(0, "utf8").trim().split(/\\s+/);
if (cmd === "ok") console.log(Number(n) * 2);
else if (cmd === "wa") console.log(Number(n) * 2 + 1);
else if (cmd === "loop") { for (;;) {} }
else if (cmd === "mem") { const hog = []; for (;;) hog.push(new Array(1 << 16).fill(1.5)); }
else if (cmd === "crash") { throw new Error("boom"); }
""",
}

BROKEN = {
    "python": "def f(:\n    pass\n",
    "c": "int main(void) { return undefined_name; }\n",
    "cpp": "int main() { std::vector<int> v; }\n",
    "java": "public class Main { public static void main(String[] a) { int x = ; } }\n",
    "javascript": "function (\n",
}

TESTS = [("ok 21", "42"), ("wa 1", "2"), ("loop", ""), ("mem", ""), ("crash", ""), ("ok 5", "10")]
#: A second of CPU: room for the memory hogs to reach the limit even on a busy host.
LIMITS = Limits(time_ms=1000, memory_mb=128, compile_time_ms=20000, compile_memory_mb=512)
EXPECTED = [Verdict.AC, Verdict.WA, Verdict.TLE, Verdict.MLE, Verdict.RE, Verdict.AC]


@pytest.mark.parametrize("language", sorted(PROGRAMS))
def test_every_verdict_from_one_compile(sandbox: Sandbox, language: str) -> None:
    before = sandbox.stats()
    ev = evaluate(language, PROGRAMS[language], TESTS, limits=LIMITS, sandbox=sandbox)
    after = sandbox.stats()
    got = [t.verdict for t in ev.tests]
    assert got == EXPECTED, [(t.verdict, t.detail, t.stderr_excerpt[-300:]) for t in ev.tests]
    assert ev.verdict is Verdict.WA  # the first non-AC test
    assert (ev.passed, ev.failed) == (2, 4)
    assert after.get("compiles", 0) - before.get("compiles", 0) == 1  # compiled once for six tests
    assert after.get("runs", 0) - before.get("runs", 0) == len(TESTS)
    for t in ev.tests:
        assert t.time_ms > 0 and t.memory_kb > 0, t
    # RLIMIT_CPU's SIGXCPU arrives on a scheduler tick, a few ms either side of the limit.
    assert ev.tests[2].time_ms >= 0.9 * LIMITS.time_ms or "wall" in ev.tests[2].detail
    assert ev.tests[3].memory_kb >= LIMITS.memory_mb * 1024 // 2  # the hog got close to the limit
    assert "boom" in ev.tests[4].stderr_excerpt or "SIGSEGV" in ev.tests[4].detail
    assert ev.tests[0].stdout_excerpt.strip() == "42"


@pytest.mark.parametrize("language", sorted(BROKEN))
def test_compile_errors_are_ce_with_the_compiler_output(sandbox: Sandbox, language: str) -> None:
    ev = evaluate(language, BROKEN[language], [("", "")], limits=FAST, sandbox=sandbox)
    assert ev.verdict is Verdict.CE, ev.compile_output
    assert ev.tests == []
    assert ev.compile_output.strip()


def test_python_syntax_error_is_caught_at_compile_time_not_run_time(sandbox: Sandbox) -> None:
    ev = evaluate("python", "print(1)\nx = (\n", [("", "1")], limits=FAST, sandbox=sandbox)
    assert ev.verdict is Verdict.CE and "SyntaxError" in ev.compile_output
    ev = evaluate("python", "import no_such_module\n", [("", "")], limits=FAST, sandbox=sandbox)
    assert ev.verdict is Verdict.RE and "ModuleNotFoundError" in ev.tests[0].stderr_excerpt


def test_java_needs_a_main_class(sandbox: Sandbox) -> None:
    src = "class Solution { public static void main(String[] a) { System.out.println(1); } }"
    ev = evaluate("java", src, [("", "1")], limits=FAST, sandbox=sandbox)
    assert ev.verdict is Verdict.CE and "Main" in ev.compile_output


def test_float_checker_end_to_end(sandbox: Sandbox) -> None:
    src = "print(1 / 3, float('nan'), 2.0000000001)"
    ev = evaluate(
        "python", src, [("", "0.3333333 nan 2")], limits=FAST, checker=Checker.FLOAT, sandbox=sandbox
    )
    assert ev.verdict is Verdict.AC, ev.to_dict()


def test_non_utf8_output_does_not_crash(sandbox: Sandbox) -> None:
    src = "import sys; sys.stdout.buffer.write(bytes(range(256)))"
    ev = evaluate("python", src, [("", "x")], limits=FAST, sandbox=sandbox)
    assert ev.verdict is Verdict.WA
    excerpt = ev.tests[0].stdout_excerpt
    assert "\x00" not in excerpt and len(excerpt.encode()) <= 1024


def test_fail_closed_answers(sandbox: Sandbox) -> None:
    assert evaluate("cobol", "x", [("", "")], limits=FAST, sandbox=sandbox).verdict is Verdict.IE
    no_tests = evaluate("python", "print(1)", [], limits=FAST, sandbox=sandbox)
    assert no_tests.verdict is Verdict.IE and "no tests" in no_tests.compile_output
    huge = evaluate("python", "#" * (FAST.source_kb * 1024 + 1), [("", "")], limits=FAST, sandbox=sandbox)
    assert huge.verdict is Verdict.CE and "KiB" in huge.compile_output


def test_run_program_for_generators(sandbox: Sandbox) -> None:
    gen = run_program("python", "import sys\nn = int(input())\nprint(*range(n))", "5\n", sandbox=sandbox)
    assert gen.verdict is Verdict.AC and gen.stdout == b"0 1 2 3 4\n"
    broken = run_program("c", "int main( {", sandbox=sandbox)
    assert broken.verdict is Verdict.CE and broken.outcome is None
    crash = run_program("python", "raise SystemExit(4)", sandbox=sandbox)
    assert crash.verdict is Verdict.RE


def test_capabilities_describe_this_host(sandbox: Sandbox) -> None:
    caps = sandbox.capabilities()
    assert caps["seccomp"] is True and caps["bwrap"] >= "0.8"
    assert caps["cgroup"] in ("v1", "v2", None)
    if caps["cgroup"] is None:
        assert "cgroup" in (sandbox.refuse_reason("java") or "")
    else:
        assert caps["languages"] == dict.fromkeys(PROGRAMS)
