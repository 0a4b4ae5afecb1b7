"""Measure one language: CPU per run and 2-box throughput, sandboxed vs a bare run of the same program."""

from __future__ import annotations

import os
import resource
import subprocess
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

from celeriac_site.judge.sandbox import Limits, Sandbox
from celeriac_site.judge.sandbox.box import Box

#: Hello world that also reads its input: the smallest program that exercises stdin and stdout.
PROGRAMS = {
    "python": "import sys\nsys.stdout.write(sys.stdin.read())\nprint('hello')\n",
    "c": "#include <stdio.h>\n"
    'int main(void){char b[64];while(fgets(b,64,stdin))fputs(b,stdout);puts("hello");}\n',
    "cpp": "#include <iostream>\n#include <string>\n"
    'int main(){std::string l;while(std::getline(std::cin,l))std::cout<<l<<"\\n";std::cout<<"hello\\n";}\n',
    "java": "import java.io.*;\npublic class Main{public static void main(String[] a)throws IOException{"
    "BufferedReader r=new BufferedReader(new InputStreamReader(System.in));String l;"
    'while((l=r.readLine())!=null)System.out.println(l);System.out.println("hello");}}\n',
    "javascript": 'process.stdout.write(require("fs").readFileSync(0,"utf8"));console.log("hello");\n',
}
STDIN = b"42\n"
LIMITS = Limits(time_ms=5000, memory_mb=256)
Runner = Callable[[], None]


@dataclass
class Sample:
    """One repetition of one mode: CPU per run (children, self), wall per run, and 2-way throughput."""

    cpu_children_ms: float
    cpu_self_ms: float
    wall_ms: float
    runs_per_s: float

    @property
    def cpu_ms(self) -> float:
        return self.cpu_children_ms + self.cpu_self_ms


def _cpu() -> tuple[float, float]:
    kids, me = resource.getrusage(resource.RUSAGE_CHILDREN), resource.getrusage(resource.RUSAGE_SELF)
    return (kids.ru_utime + kids.ru_stime) * 1000, (me.ru_utime + me.ru_stime) * 1000


def bare_argv(box: Box) -> list[str]:
    """The box's run command with /box replaced by the host run directory: the same compiled program."""
    return [a.replace("/box", str(box.run_dir)) for a in box.run_command()]


def _bare_runner(argv: list[str], cwd: str) -> Runner:
    def run() -> None:
        out = subprocess.run(argv, input=STDIN, capture_output=True, env={}, cwd=cwd, check=False)
        if out.returncode != 0 or b"hello" not in out.stdout:
            raise RuntimeError(f"bare run failed: {out.returncode} {out.stderr[-300:]!r}")

    return run


def _box_runner(box: Box) -> Runner:
    def run() -> None:
        out = box.run(STDIN)
        if out.returncode != 0 or b"hello" not in out.stdout:
            detail = out.setup_error or out.stderr[-300:]
            raise RuntimeError(f"sandboxed run failed: {out.describe_exit()} {detail!r}")

    return run


def _sequential(run: Runner, n: int) -> tuple[float, float, float]:
    kids0, self0 = _cpu()
    t0 = time.perf_counter()
    for _ in range(n):
        run()
    wall = (time.perf_counter() - t0) * 1000 / n
    kids1, self1 = _cpu()
    return (kids1 - kids0) / n, (self1 - self0) / n, wall


def _concurrent(runners: list[Runner], n: int) -> float:
    errors: list[BaseException] = []

    def loop(run: Runner) -> None:
        try:
            for _ in range(n):
                run()
        except BaseException as exc:  # re-raised below, in the measuring thread
            errors.append(exc)

    threads = [threading.Thread(target=loop, args=(r,)) for r in runners]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    if errors:
        raise errors[0]
    return len(runners) * n / elapsed


@dataclass
class LanguageResult:
    language: str
    samples: dict[str, list[Sample]]  # "sandbox" / "bare" -> one Sample per repetition


def measure_language(
    sandbox: Sandbox, language: str, *, reps: int, runs: int, concurrency: int = 2
) -> LanguageResult:
    """Interleave sandboxed and bare measurements, rotating which goes first in each repetition."""
    with ExitStack() as stack:
        boxes = [stack.enter_context(sandbox.box(language, LIMITS)) for _ in range(concurrency)]
        for box in boxes:
            compiled = box.compile(PROGRAMS[language])
            if not compiled.ok:
                raise RuntimeError(f"{language} benchmark program did not compile: {compiled.output}")
        argv, cwd = bare_argv(boxes[0]), str(boxes[0].run_dir)
        modes: dict[str, tuple[Runner, list[Runner]]] = {
            "sandbox": (_box_runner(boxes[0]), [_box_runner(b) for b in boxes]),
            "bare": (_bare_runner(argv, cwd), [_bare_runner(argv, cwd) for _ in boxes]),
        }
        for single, _ in modes.values():  # warm-up: page cache, CDS archives, JIT-free first start
            for _ in range(3):
                single()
        samples: dict[str, list[Sample]] = {name: [] for name in modes}
        order = list(modes)
        for rep in range(reps):
            for name in order[rep % 2 :] + order[: rep % 2]:
                single, pair = modes[name]
                kids, me, wall = _sequential(single, runs)
                rate = _concurrent(pair, runs)
                samples[name].append(Sample(kids, me, wall, rate))
    return LanguageResult(language, samples)


def host_facts(sandbox: Sandbox) -> dict[str, Any]:
    caps = sandbox.capabilities()
    return {
        "cores": os.cpu_count() or 1,
        "load_avg_at_start": os.getloadavg(),
        "bwrap": caps["bwrap"],
        "cgroup": caps["cgroup"],
        "seccomp": caps["seccomp"],
        "uid_pool": caps["uid_pool"],
    }
