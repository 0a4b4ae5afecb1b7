"""A classic-BPF interpreter for seccomp programs, enough to check the filter's decisions in pure Python."""

from __future__ import annotations

import struct

from celeriac_site.judge.sandbox.seccomp import Insn


def seccomp_data(nr: int, arch: int, args: tuple[int, ...] = ()) -> bytes:
    """struct seccomp_data: int nr, u32 arch, u64 instruction_pointer, u64 args[6] (little-endian)."""
    padded = (tuple(args) + (0,) * 6)[:6]
    return struct.pack("<iIQ6Q", nr, arch, 0, *padded)


def run(program: list[Insn], data: bytes, *, max_steps: int = 10_000) -> int:
    """Execute ``program`` on ``data``; return the RET value. Raises on anything the kernel would reject."""
    acc = 0
    pc = 0
    for _ in range(max_steps):
        if not 0 <= pc < len(program):
            raise AssertionError(f"fell off the program at {pc}")
        insn = program[pc]
        cls = insn.code & 0x07
        if insn.code == 0x20:  # LD | W | ABS
            if insn.k % 4 or insn.k + 4 > len(data):
                raise AssertionError(f"misaligned or out-of-range load at {insn.k}")
            acc = struct.unpack_from("<I", data, insn.k)[0]
            pc += 1
        elif cls == 0x05:  # JMP
            op = insn.code & 0xF0
            if op == 0x00:  # JA
                pc += 1 + insn.k
                continue
            if op == 0x10:
                taken = acc == insn.k
            elif op == 0x20:
                taken = acc > insn.k
            elif op == 0x30:
                taken = acc >= insn.k
            elif op == 0x40:
                taken = bool(acc & insn.k)
            else:
                raise AssertionError(f"unknown jump {insn.code:#x}")
            pc += 1 + (insn.jt if taken else insn.jf)
        elif insn.code == 0x06:  # RET | K
            return insn.k
        else:
            raise AssertionError(f"unsupported opcode {insn.code:#x}")
    raise AssertionError("program did not terminate")
