"""The seccomp generator: a well-formed program that denies exactly what the deny-list says."""

from __future__ import annotations

import errno
import re
from pathlib import Path

import pytest

from celeriac_site.judge.sandbox import seccomp
from celeriac_site.judge.sandbox.seccomp import (
    AUDIT_ARCH,
    MAX_INSNS,
    RET_ALLOW,
    RET_ERRNO,
    RET_KILL_PROCESS,
    Insn,
    _Assembler,
    build_program,
    program_bytes,
)
from celeriac_site.judge.sandbox.syscalls import AARCH64, X86_64, denied_names

from .bpf import run, seccomp_data

X86, ARM = AUDIT_ARCH["x86_64"], AUDIT_ARCH["aarch64"]
EPERM, ENOSYS = RET_ERRNO | errno.EPERM, RET_ERRNO | errno.ENOSYS
PROGRAM = build_program()
CLONE_THREAD_FLAGS = 0x003D0F00  # what glibc's pthread_create passes (VM, FS, FILES, SIGHAND, THREAD, ...)


def decide(nr: int, arch: int = X86, *args: int) -> int:
    return run(PROGRAM, seccomp_data(nr, arch, args))


def test_program_is_well_formed() -> None:
    assert 0 < len(PROGRAM) <= MAX_INSNS
    for i, insn in enumerate(PROGRAM):
        if insn.code & 0x07 == 0x05:  # conditional jumps land inside the program
            assert i + 1 + insn.jt < len(PROGRAM)
            assert i + 1 + insn.jf < len(PROGRAM)
    assert PROGRAM[-1].code == 0x06  # the last instruction returns
    assert len(program_bytes()) == 8 * len(PROGRAM)
    assert program_bytes()[:8] == Insn(0x20, 0, 0, 4).pack()  # first: load the architecture


def test_every_path_returns() -> None:
    # Jumps only go forward, so every path ends; each must end in one of the four actions.
    seen = {decide(nr, arch) for arch in (X86, ARM) for nr in range(0, 500)}
    assert seen <= {RET_ALLOW, EPERM, ENOSYS, RET_KILL_PROCESS}


@pytest.mark.parametrize("name", denied_names())
def test_denied_calls_fail_with_eperm_on_x86_64(name: str) -> None:
    assert decide(X86_64[name]) == EPERM


@pytest.mark.parametrize("name", [n for n in denied_names() if n in AARCH64])
def test_denied_calls_fail_with_eperm_on_aarch64(name: str) -> None:
    assert decide(AARCH64[name], ARM) == EPERM


@pytest.mark.parametrize(
    "nr", [0, 1, 2, 3, 9, 12, 57, 59, 60, 231, 318]
)  # read write open close mmap brk ...
def test_ordinary_calls_are_allowed(nr: int) -> None:
    assert decide(nr) == RET_ALLOW


def test_clone_is_allowed_for_threads_and_fork_but_not_namespaces() -> None:
    assert decide(X86_64["clone"], X86, CLONE_THREAD_FLAGS) == RET_ALLOW
    assert decide(X86_64["clone"], X86, 17) == RET_ALLOW  # fork(): SIGCHLD only
    for flag in (0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000):
        assert decide(X86_64["clone"], X86, flag | 17) == EPERM
        assert decide(AARCH64["clone"], ARM, flag | 17) == EPERM
    # Only the low 32 bits hold flags in clone(); garbage above them does not unlock anything.
    assert decide(X86_64["clone"], X86, (1 << 40) | 0x10000000) == EPERM


def test_clone3_is_not_implemented_so_libc_falls_back_to_clone() -> None:
    assert decide(X86_64["clone3"]) == ENOSYS
    assert decide(AARCH64["clone3"], ARM) == ENOSYS


def test_only_unix_sockets() -> None:
    assert decide(X86_64["socket"], X86, 1) == RET_ALLOW  # AF_UNIX
    for family in (2, 10, 16, 17, 0, 1 << 20):  # INET, INET6, NETLINK, PACKET, UNSPEC, junk
        assert decide(X86_64["socket"], X86, family) == EPERM
        assert decide(AARCH64["socket"], ARM, family) == EPERM


def test_foreign_architectures_and_x32_are_killed() -> None:
    assert decide(1, 0x40000003) == RET_KILL_PROCESS  # i386 through int 0x80
    assert decide(1, 0) == RET_KILL_PROCESS
    assert decide(0x40000000 | 1, X86) == RET_KILL_PROCESS  # x32 write()
    assert decide(0x40000000 | X86_64["ptrace"], X86) == RET_KILL_PROCESS


def test_assembler_refuses_jumps_beyond_eight_bits() -> None:
    asm = _Assembler()
    asm.emit(0x15, 1, jt="far")
    for _ in range(300):
        asm.emit(0x06, RET_ALLOW)
    asm.label("far")
    asm.emit(0x06, RET_ALLOW)
    with pytest.raises(ValueError, match=r"0\.\.255"):
        asm.assemble()


def test_assembler_refuses_duplicate_labels() -> None:
    asm = _Assembler()
    asm.label("a")
    with pytest.raises(ValueError, match="twice"):
        asm.label("a")


def _header_numbers(path: Path, pattern: str) -> dict[str, int]:
    found = {}
    for m in re.finditer(pattern, path.read_text()):
        found[m.group(1)] = int(m.group(2))
    return found


@pytest.mark.skipif(
    not Path("/usr/include/x86_64-linux-gnu/asm/unistd_64.h").exists(), reason="no kernel headers"
)
def test_x86_64_numbers_match_the_kernel_headers() -> None:
    header = _header_numbers(
        Path("/usr/include/x86_64-linux-gnu/asm/unistd_64.h"), r"#define __NR_(\w+)\s+(\d+)"
    )
    for name, nr in X86_64.items():
        assert header.get(name) == nr, name


@pytest.mark.skipif(not Path("/usr/include/asm-generic/unistd.h").exists(), reason="no kernel headers")
def test_aarch64_numbers_match_the_generic_table() -> None:
    header = _header_numbers(
        Path("/usr/include/asm-generic/unistd.h"), r"#define __NR(?:3264)?_(\w+)\s+(\d+)"
    )
    for name, nr in AARCH64.items():
        assert header.get(name) == nr, name


def test_every_denied_name_has_a_number_where_the_call_exists() -> None:
    assert set(denied_names()) <= set(X86_64)
    assert set(denied_names()) - set(AARCH64) == {"iopl", "ioperm", "uselib"}  # x86-only calls


def test_host_arch_is_known_here() -> None:
    assert seccomp.host_arch() in AUDIT_ARCH
