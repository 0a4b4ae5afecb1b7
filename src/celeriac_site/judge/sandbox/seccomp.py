"""A seccomp deny-list as a classic-BPF program, assembled in pure Python for ``bwrap --seccomp FD``."""

from __future__ import annotations

import errno
import functools
import platform
import struct
from dataclasses import dataclass

from .syscalls import CHECKED, NOT_IMPLEMENTED, TABLES, denied_names

# Classic BPF opcodes (linux/filter.h) used by the program.
LD_W_ABS = 0x20
JEQ_K = 0x15
JGE_K = 0x35
JSET_K = 0x45
RET_K = 0x06

# seccomp return actions (linux/seccomp.h).
RET_KILL_PROCESS = 0x80000000
RET_ERRNO = 0x00050000
RET_ALLOW = 0x7FFF0000

# Offsets in struct seccomp_data: nr, arch, then args[] as 64-bit words (low half first: both arches are LE).
OFF_NR = 0
OFF_ARCH = 4
OFF_ARG0_LOW = 16

AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
X32_SYSCALL_BIT = 0x40000000
AF_UNIX = 1
# CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET (CLONE_NEWTIME: clone3/unshare only).
CLONE_NEW_MASK = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000
MAX_INSNS = 4096  # BPF_MAXINSNS


@dataclass(frozen=True)
class Insn:
    """One ``struct sock_filter``: opcode, jump-if-true, jump-if-false, constant."""

    code: int
    jt: int
    jf: int
    k: int

    def pack(self) -> bytes:
        return struct.pack("=HBBI", self.code, self.jt, self.jf, self.k)


@dataclass(frozen=True)
class _Op:
    code: int
    k: int
    jt: str | None = None
    jf: str | None = None


class _Assembler:
    """Labels for forward jumps; checks each conditional offset fits the 8-bit jt/jf fields."""

    def __init__(self) -> None:
        self.ops: list[_Op] = []
        self.labels: dict[str, int] = {}

    def label(self, name: str) -> None:
        if name in self.labels:
            raise ValueError(f"label {name!r} defined twice")
        self.labels[name] = len(self.ops)

    def emit(self, code: int, k: int, jt: str | None = None, jf: str | None = None) -> None:
        self.ops.append(_Op(code, k, jt, jf))

    def assemble(self) -> list[Insn]:
        out = []
        for i, op in enumerate(self.ops):
            out.append(Insn(op.code, self._offset(i, op.jt), self._offset(i, op.jf), op.k))
        if len(out) > MAX_INSNS:
            raise ValueError(f"seccomp program has {len(out)} instructions; the kernel accepts {MAX_INSNS}")
        return out

    def _offset(self, index: int, label: str | None) -> int:
        if label is None:
            return 0
        offset = self.labels[label] - index - 1
        if not 0 <= offset <= 255:
            raise ValueError(f"jump to {label!r} from {index} is {offset} instructions; BPF allows 0..255")
        return offset


def _arch_block(asm: _Assembler, arch: str) -> None:
    table = TABLES[arch]
    asm.label(arch)
    asm.emit(LD_W_ABS, OFF_NR)
    if arch == "x86_64":
        # x32 calls reuse the numbers with a high bit set, so a deny-list keyed on numbers would miss them.
        asm.emit(JGE_K, X32_SYSCALL_BIT, jt="kill")
    asm.emit(JEQ_K, table["clone"], jt="check_clone")
    asm.emit(JEQ_K, table["socket"], jt="check_socket")
    for name in NOT_IMPLEMENTED:
        asm.emit(JEQ_K, table[name], jt="enosys")
    for name in denied_names():
        if name in table:
            asm.emit(JEQ_K, table[name], jt="eperm")
    asm.emit(RET_K, RET_ALLOW)


def build_program(arches: tuple[str, ...] = ("x86_64", "aarch64")) -> list[Insn]:
    """The filter: unknown architectures are killed; denied calls fail with EPERM; everything else runs."""
    asm = _Assembler()
    asm.emit(LD_W_ABS, OFF_ARCH)
    for arch in arches:
        asm.emit(JEQ_K, AUDIT_ARCH[arch], jt=arch)
    asm.emit(RET_K, RET_KILL_PROCESS)
    for arch in arches:
        _arch_block(asm, arch)
    asm.label("check_clone")
    asm.emit(LD_W_ABS, OFF_ARG0_LOW)
    asm.emit(JSET_K, CLONE_NEW_MASK, jt="eperm")
    asm.emit(RET_K, RET_ALLOW)
    asm.label("check_socket")
    asm.emit(LD_W_ABS, OFF_ARG0_LOW)
    asm.emit(JEQ_K, AF_UNIX, jt="allow", jf="eperm")
    asm.label("allow")
    asm.emit(RET_K, RET_ALLOW)
    asm.label("eperm")
    asm.emit(RET_K, RET_ERRNO | errno.EPERM)
    asm.label("enosys")
    asm.emit(RET_K, RET_ERRNO | errno.ENOSYS)
    asm.label("kill")
    asm.emit(RET_K, RET_KILL_PROCESS)
    return asm.assemble()


def host_arch() -> str | None:
    """The running architecture's key in ``TABLES``, or None when the filter does not know it."""
    machine = platform.machine()
    return {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "aarch64", "arm64": "aarch64"}.get(machine)


@functools.cache
def program_bytes() -> bytes:
    """The packed program as bwrap reads it from ``--seccomp FD`` (an array of ``struct sock_filter``)."""
    return b"".join(insn.pack() for insn in build_program())


__all__ = ["CHECKED", "Insn", "build_program", "host_arch", "program_bytes"]
