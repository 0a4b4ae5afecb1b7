"""One box: a slot (uid, cgroup, directory) in which a submission is compiled once and run per test."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import seccomp
from .artifacts import copy_artifacts, static_size
from .bwrap import BoxSpec, Tools, chain
from .cgroups import Slot
from .errors import ArtifactError, SandboxError
from .languages import Language
from .limits import Limits
from .outcome import CompileResult, RunOutcome
from .slots import Lease
from .supervise import Supervised, run_chain

MIB = 1024 * 1024
#: Memory of bwrap, its pid-1 and the join shell, which share the box's cgroup with the program.
SANDBOX_OVERHEAD_MB = 16
#: With a cgroup doing the bounding, RLIMIT_AS is only a backstop against absurd reservations.
BACKSTOP_AS_FACTOR = 4
BACKSTOP_AS_EXTRA_MB = 1024
COMPILE_SCRATCH_MB = 256
COMPILE_PROCESSES = 96
COMPILE_OPEN_FILES = 256
COMPILE_FILE_SIZE_MB = 64
COMPILE_OUTPUT_BYTES = 64 * 1024
COMPILE_OUTPUT_SHOWN = 8 * 1024


@dataclass(frozen=True)
class HostSetup:
    """What the Sandbox found on the host, shared by its boxes."""

    tools: Tools
    tool_paths: dict[str, str]  # placeholder -> resolved path under /usr
    seccomp_on: bool


def _trim(text: bytes, limit: int = COMPILE_OUTPUT_SHOWN) -> str:
    decoded = text.decode("utf-8", "replace").replace("\x00", "\ufffd").strip()
    return decoded if len(decoded) <= limit else decoded[:limit] + "\n… (truncated)"


class Box:
    """Compile once with :meth:`compile`, then :meth:`run` once per test. Not thread-safe; one per task."""

    def __init__(
        self,
        setup: HostSetup,
        language: Language,
        limits: Limits,
        lease: Lease,
        slot: Slot | None,
        root: Path,
        count: Callable[[str], None],
        nproc_slack: int = 0,
    ) -> None:
        self.setup, self.language, self.limits = setup, language, limits
        self.lease, self.slot, self.root = lease, slot, root
        self._count = count
        self._nproc_slack = nproc_slack
        self.build_dir, self.run_dir = root / "build", root / "run"
        self._compiled: CompileResult | None = None
        self._static_kb = 0
        self._static_exceeded = False

    @property
    def uid(self) -> int:
        """The host uid the box's processes run as."""
        return self.lease.uid

    def run_command(self) -> tuple[str, ...]:
        """The program's argv as the box runs it (tools resolved; paths under /box)."""
        return self._argv(self.language.run_cmd)

    # -- the two steps ---------------------------------------------------------------------------------

    def compile(self, source: str) -> CompileResult:
        """Write the source and compile it (or syntax-check it) once; the result is kept for every run."""
        if self._compiled is not None:
            raise SandboxError("this box has already compiled a submission; use a new box")
        self._count("compiles")
        lang, limits = self.language, self.limits
        data = source.encode("utf-8", "replace")
        if len(data) > limits.source_kb * 1024:
            self._compiled = CompileResult(
                False, f"source is {len(data) // 1024} KiB; the limit is {limits.source_kb} KiB"
            )
            return self._compiled
        (self.run_dir / lang.source_name).write_bytes(data)
        if lang.compile_cmd is None:
            self._compiled = CompileResult(True)
            return self._compiled
        (self.build_dir / lang.source_name).write_bytes(data)
        spec = BoxSpec(
            box_dir=str(self.build_dir),
            writable=True,
            argv=self._argv(lang.compile_cmd),
            scratch_bytes=COMPILE_SCRATCH_MB * MIB,
            cpu_s=limits.compile_cpu_rlimit_s,
            address_space_bytes=self._address_space(limits.compile_memory_mb),
            file_size_bytes=COMPILE_FILE_SIZE_MB * MIB,
            open_files=COMPILE_OPEN_FILES,
            processes=self._processes(COMPILE_PROCESSES),
            stack_bytes=64 * MIB,
            extra_binds=lang.extra_binds,
            nproc_slack=self._nproc_slack,
        )
        # CPU is held to compile_time_ms (RLIMIT_CPU and the check below); the wall clock gets twice that.
        wall_ms = 2 * limits.compile_time_ms
        sup, oom = self._exec(spec, b"", limits.compile_memory_mb, wall_ms, COMPILE_OUTPUT_BYTES)
        self._compiled = self._compile_result(sup, oom)
        return self._compiled

    def run(self, stdin: bytes | str = b"") -> RunOutcome:
        """Run the compiled program on one test's input, under the run limits."""
        if self._compiled is None or not self._compiled.ok:
            raise SandboxError("run() needs a successful compile() first")
        self._count("runs")
        limits, lang = self.limits, self.language
        if self._static_exceeded:
            return RunOutcome(None, 0.0, 0.0, self._static_kb, static_memory_exceeded=True)
        spec = BoxSpec(
            box_dir=str(self.run_dir),
            writable=False,
            argv=self._argv(lang.run_cmd),
            scratch_bytes=limits.scratch_mb * MIB,
            cpu_s=limits.cpu_rlimit_s,
            address_space_bytes=self._address_space(limits.memory_mb),
            file_size_bytes=limits.file_size_kb * 1024,
            open_files=limits.open_files + (64 if lang.needs_cgroup else 0),
            processes=self._processes(limits.processes),
            stack_bytes=min(limits.memory_mb, 256) * MIB,
            extra_binds=lang.extra_binds,
            nproc_slack=self._nproc_slack,
        )
        data = stdin.encode("utf-8", "replace") if isinstance(stdin, str) else stdin
        sup, oom = self._exec(spec, data, limits.memory_mb, limits.wall_ms, limits.output_kb * 1024)
        return RunOutcome(
            returncode=sup.returncode,
            time_ms=sup.cpu_ms,
            wall_ms=sup.wall_ms,
            memory_kb=sup.maxrss_kb,
            stdout=bytes(sup.stdout),
            stderr=bytes(sup.stderr),
            timed_out=sup.timed_out,
            output_exceeded=sup.output_exceeded,
            oom_killed=oom,
            memory_limit_hit=sup.memory_limit_hit,
            memory_bound="cgroup" if self.slot is not None else "rlimit",
            setup_error=self._setup_error(sup),
            notes=("rusage lost: CPU and memory read from the cgroup",) if sup.rusage_lost else (),
        )

    def close(self) -> None:
        """Kill anything left in the slot, delete the box directory, free the slot."""
        try:
            if self.slot is not None:
                self.slot.kill_all()
            shutil.rmtree(self.root, ignore_errors=True)
        finally:
            self.lease.release()

    # -- helpers ---------------------------------------------------------------------------------------

    def _argv(self, template: tuple[str, ...]) -> tuple[str, ...]:
        values = {
            f"{{{name}}}": self.setup.tool_paths.get(name) or os.path.realpath(path)
            for name, path in self.language.tools
        }
        values["{memory_mb}"] = str(self.limits.memory_mb)
        values["{compile_memory_mb}"] = str(self.limits.compile_memory_mb)
        out = []
        for arg in template:
            for key, value in values.items():
                arg = arg.replace(key, value)
            out.append(arg)
        return tuple(out)

    def _address_space(self, memory_mb: int) -> int | None:
        if self.language.needs_cgroup:
            return None  # JVM and V8 reserve far more address space than they use; the cgroup bounds them
        if self.slot is None:
            return (memory_mb + self.language.address_space_overhead_mb) * MIB
        return (memory_mb * BACKSTOP_AS_FACTOR + BACKSTOP_AS_EXTRA_MB) * MIB

    def _processes(self, budget: int) -> int:
        # +4: bwrap and its pid-1 run under the box uid and count against RLIMIT_NPROC and pids.max too.
        return budget + self.language.extra_processes + 4

    def _exec(
        self, spec: BoxSpec, stdin: bytes, memory_mb: int, wall_ms: int, out_cap: int
    ) -> tuple[Supervised, bool]:
        slot = self.slot
        oom_before, cpu_before, hits_before = 0, None, 0
        if slot is not None:
            cgroup_mb = memory_mb + self.language.runtime_overhead_mb + SANDBOX_OVERHEAD_MB
            slot.prepare(cgroup_mb * MIB, spec.processes)
            oom_before, cpu_before, hits_before = slot.oom_kills(), slot.cpu_ns(), slot.limit_hits()
        owned: list[int] = []  # closed here if anything fails before run_chain takes them over
        try:
            stdin_path = self.root / "stdin"
            stdin_path.write_bytes(stdin)
            stdin_fd = os.open(stdin_path, os.O_RDONLY | os.O_CLOEXEC)
            owned.append(stdin_fd)
            stdin_path.unlink()
            status_r, status_w = os.pipe()
            owned += [status_r, status_w]
            pass_fds = [status_w]
            seccomp_fd = None
            if self.setup.seccomp_on:
                seccomp_fd = os.memfd_create("celeriac-seccomp", os.MFD_CLOEXEC)
                owned.append(seccomp_fd)
                pass_fds.append(seccomp_fd)
                os.write(seccomp_fd, seccomp.program_bytes())
                os.lseek(seccomp_fd, 0, os.SEEK_SET)
            argv = chain(
                self.setup.tools,
                spec,
                uid=self.lease.uid if self.lease.switch_uid else None,
                gid=self.lease.gid if self.lease.switch_uid else None,
                cgroup_procs=slot.procs_files() if slot is not None else [],
                seccomp_fd=seccomp_fd,
                status_fd=status_w,
            )
        except BaseException:
            for fd in owned:
                os.close(fd)
            raise
        try:
            # From here run_chain owns (and closes) the status pipe and the passed descriptors.
            sup = run_chain(
                argv,
                stdin_fd=stdin_fd,
                pass_fds=tuple(pass_fds),
                status_r=status_r,
                wall_s=wall_ms / 1000.0,
                stdout_cap=out_cap,
                stderr_cap=self.limits.stderr_kb * 1024,
                slot=slot,
            )
        finally:
            os.close(stdin_fd)
        oom = slot is not None and slot.oom_kills() > oom_before
        if slot is not None and not slot.kill_all():
            sup.error = sup.error or "processes of the box survived SIGKILL"
        cpu_after = slot.cpu_ns() if slot is not None else None
        if cpu_before is not None and cpu_after is not None:
            # Exact even for a box we killed: pid-1's dying reap does not credit CPU time to anyone.
            sup.cpu_ms = max(sup.cpu_ms, (cpu_after - cpu_before) / 1e6)
        if slot is not None and (sup.rusage_lost or (sup.killed and not sup.rss_read_at_kill)):
            # The program's rusage is gone (gevent's libev may reap first; a box we killed before its
            # peak RSS could be read): the box's cgroup peak instead, page cache included.
            sup.maxrss_kb = max(sup.maxrss_kb, (slot.peak_bytes() or 0) // 1024)
        sup.memory_limit_hit = slot is not None and slot.limit_hits() > hits_before
        return sup, oom

    @staticmethod
    def _setup_error(sup: Supervised) -> str | None:
        if sup.error is not None:
            return sup.error
        if not sup.started:
            stderr = _trim(bytes(sup.stderr), 1024)
            if stderr:
                return stderr
            if sup.killed:
                return f"the sandbox had not started the program when stopped after {sup.wall_ms:.0f} ms"
            how = sup.chain_status
            if how is not None and how < 0:
                # Not by the supervisor (it marks the runs it kills): another process or the kernel.
                return f"the sandbox was killed by signal {-how} before it started the program"
            return f"the sandbox exited (status {how}) before starting the program"
        return None

    def _compile_result(self, sup: Supervised, oom: bool) -> CompileResult:
        output = _trim(bytes(sup.stderr) + bytes(sup.stdout))
        error = self._setup_error(sup)
        if error is not None:
            return CompileResult(False, output, sup.cpu_ms, sup.maxrss_kb, internal_error=error)
        limits = self.limits
        exceeded = None
        if oom:
            exceeded = f"memory limit ({limits.compile_memory_mb} MiB)"
        elif sup.timed_out or sup.cpu_ms > limits.compile_time_ms:
            exceeded = f"time limit ({limits.compile_time_ms} ms)"
        elif sup.output_exceeded:
            exceeded = "output limit"
        if exceeded is not None:
            return CompileResult(
                False, f"compilation exceeded its {exceeded}\n{output}".strip(), sup.cpu_ms, sup.maxrss_kb
            )
        if sup.returncode != 0:
            return CompileResult(
                False, output or f"compiler failed ({sup.returncode})", sup.cpu_ms, sup.maxrss_kb
            )
        try:
            self._collect()
        except ArtifactError as exc:
            if exc.missing:
                return CompileResult(False, f"{exc}\n{output}".strip(), sup.cpu_ms, sup.maxrss_kb)
            return CompileResult(False, output, sup.cpu_ms, sup.maxrss_kb, internal_error=str(exc))
        return CompileResult(True, output, sup.cpu_ms, sup.maxrss_kb)

    def _collect(self) -> None:
        lang = self.language
        names = copy_artifacts(str(self.build_dir), lang.artifacts, str(self.run_dir))
        if lang.key == "java" and "Main.class" not in names:
            raise ArtifactError(
                "no Main.class: the class with main() must be called Main, in no package", missing=True
            )
        shutil.rmtree(self.build_dir, ignore_errors=True)  # rmtree never follows symlinks
        if lang.check_static_size:
            static = static_size(str(self.run_dir / "main"))
            self._static_kb = static // 1024
            self._static_exceeded = static > self.limits.memory_mb * MIB
