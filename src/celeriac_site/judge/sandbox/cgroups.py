"""Memory and pids limits per box slot in a cgroup (v2 subtree or v1 controllers), with OOM counts."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

#: Directory holding every slot's cgroup, under each hierarchy's root (v2: or $CELERIAC_SANDBOX_CGROUP).
GROUP_NAME = "celeriac-sandbox"
ENV_ROOT = "CELERIAC_SANDBOX_CGROUP"
KILL_WAIT_S = 2.0


class Slot(Protocol):
    """One slot's cgroup(s): limits set before each run, OOM kills counted, stragglers killed after."""

    version: str

    def procs_files(self) -> list[str]: ...
    def prepare(self, memory_bytes: int, pids: int) -> None: ...
    def peak_bytes(self) -> int | None: ...
    def oom_kills(self) -> int: ...
    def limit_hits(self) -> int: ...
    def cpu_ns(self) -> int | None: ...
    def pids(self) -> list[int]: ...
    def kill_all(self) -> bool: ...


# Plain os.open/os.read on precomputed strings: a run touches these files about ten times, and pathlib
# objects alone would cost a noticeable share of the supervisor's per-run CPU.
def _read(path: str) -> str:
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        chunks = []
        while chunk := os.read(fd, 65536):
            chunks.append(chunk)
        return b"".join(chunks).decode()
    finally:
        os.close(fd)


def _write(path: str | Path, value: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_TRUNC | os.O_CLOEXEC)  # TRUNC: harmless on cgroupfs
    try:
        os.write(fd, value.encode())
    finally:
        os.close(fd)


def _counter(path: str, key: str) -> int | None:
    """``key N`` from a flat-keyed cgroup file (memory.events, oom_control, cpu.stat); None if absent."""
    with contextlib.suppress(OSError, ValueError):
        for line in _read(path).splitlines():
            name, _, value = line.partition(" ")
            if name == key:
                return int(value)
    return None


def _read_pids(files: list[str]) -> list[int]:
    pids: set[int] = set()
    for f in files:
        with contextlib.suppress(OSError):
            pids.update(int(p) for p in _read(f).split())
    return sorted(pids)


def _kill_until_empty(slot: Slot, first: str) -> bool:
    """SIGKILL every member until none is left (pids.max stops a fork bomb from outrunning us)."""
    with contextlib.suppress(OSError):
        if not _read(first).split():
            return True  # the common case after a run: one read, nothing to do
    deadline = time.monotonic() + KILL_WAIT_S
    while True:
        members = slot.pids()
        if not members:
            return True
        if time.monotonic() > deadline:
            return False
        for pid in members:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.005)


def _optional(path: Path) -> str | None:
    return str(path) if path.exists() else None


@dataclass
class V1Slot:
    """cgroup v1: ``memory``, ``pids`` (and ``cpuacct`` when mounted) each get a directory per slot."""

    memory: Path
    pids_dir: Path
    cpuacct: Path | None = None
    version: str = "v1"

    def __post_init__(self) -> None:
        dirs = [self.memory, self.pids_dir] + ([self.cpuacct] if self.cpuacct else [])
        self._procs = [str(d / "cgroup.procs") for d in dirs]
        self._limit = str(self.memory / "memory.limit_in_bytes")
        self._memsw = _optional(self.memory / "memory.memsw.limit_in_bytes")
        self._oom = str(self.memory / "memory.oom_control")
        self._pids_max = str(self.pids_dir / "pids.max")
        self._usage = str(self.cpuacct / "cpuacct.usage") if self.cpuacct else None
        self._peak = str(self.memory / "memory.max_usage_in_bytes")
        self._failcnt = str(self.memory / "memory.failcnt")
        self._applied: tuple[int, int] | None = None  # the slot is ours alone while its lease is held

    def procs_files(self) -> list[str]:
        return list(self._procs)

    def prepare(self, memory_bytes: int, pids: int) -> None:
        with contextlib.suppress(OSError):
            _write(self._peak, "0")  # the peak is per run
        if self._applied == (memory_bytes, pids):
            return
        current = int(_read(self._limit))
        if memory_bytes != current:
            # memsw (memory + swap) may never be below the memory limit, so the write order depends on
            # the direction of the change; setting both equal forbids swap.
            order = [self._memsw, self._limit] if memory_bytes > current else [self._limit, self._memsw]
            for path in order:
                if path is not None:
                    _write(path, str(memory_bytes))
        _write(self._pids_max, str(pids))
        self._applied = (memory_bytes, pids)

    def peak_bytes(self) -> int | None:
        with contextlib.suppress(OSError, ValueError):
            return int(_read(self._peak))
        return None

    def oom_kills(self) -> int:
        return _counter(self._oom, "oom_kill") or 0

    def limit_hits(self) -> int:
        with contextlib.suppress(OSError, ValueError):
            return int(_read(self._failcnt))
        return 0

    def cpu_ns(self) -> int | None:
        if self._usage is None:
            return None
        with contextlib.suppress(OSError, ValueError):
            return int(_read(self._usage))
        return None

    def pids(self) -> list[int]:
        return _read_pids(self._procs)

    def kill_all(self) -> bool:
        return _kill_until_empty(self, self._procs[0])


@dataclass
class V2Slot:
    """cgroup v2: one directory with memory.max, memory.swap.max, pids.max and cgroup.kill."""

    path: Path
    version: str = "v2"

    def __post_init__(self) -> None:
        self._procs = str(self.path / "cgroup.procs")
        self._events = str(self.path / "memory.events")
        self._stat = str(self.path / "cpu.stat")  # present even without the cpu controller
        self._kill = _optional(self.path / "cgroup.kill")  # Linux 5.14+
        self._peak_fd: int | None = None
        self._applied: tuple[int, int] | None = None

    def procs_files(self) -> list[str]:
        return [self._procs]

    def prepare(self, memory_bytes: int, pids: int) -> None:
        self._reset_peak()
        if self._applied == (memory_bytes, pids):
            return
        _write(self.path / "memory.max", str(memory_bytes))
        if (self.path / "memory.swap.max").exists():
            _write(self.path / "memory.swap.max", "0")
        if (self.path / "memory.oom.group").exists():
            _write(self.path / "memory.oom.group", "1")  # an OOM kills the whole box, not one thread of it
        _write(self.path / "pids.max", str(pids))
        self._applied = (memory_bytes, pids)

    def _reset_peak(self) -> None:
        if self._peak_fd is not None:
            os.close(self._peak_fd)
            self._peak_fd = None
        with contextlib.suppress(OSError):
            fd = os.open(self.path / "memory.peak", os.O_RDWR | os.O_CLOEXEC)
            try:
                os.write(fd, b"reset\n")  # Linux 6.12+: the peak as seen through this descriptor restarts
            except OSError:
                os.close(fd)  # older kernels: memory.peak is the slot's lifetime peak, useless per run
            else:
                self._peak_fd = fd

    def peak_bytes(self) -> int | None:
        if self._peak_fd is None:
            return None
        with contextlib.suppress(OSError, ValueError):
            return int(os.pread(self._peak_fd, 64, 0))
        return None

    def oom_kills(self) -> int:
        return _counter(self._events, "oom_kill") or 0

    def limit_hits(self) -> int:
        return _counter(self._events, "max") or 0

    def cpu_ns(self) -> int | None:
        usage = _counter(self._stat, "usage_usec")
        return usage * 1000 if usage is not None else None

    def pids(self) -> list[int]:
        return _read_pids([self._procs])

    def kill_all(self) -> bool:
        if self._kill is not None and self.pids():
            with contextlib.suppress(OSError):
                _write(self._kill, "1")
        return _kill_until_empty(self, self._procs)


@dataclass
class Hierarchy:
    """Where slots live on this host; ``slot(n)`` creates (or reuses) slot n's cgroup."""

    version: str
    roots: tuple[Path, ...]  # v2: (group,); v1: (memory group, pids group[, cpuacct group])

    def slot(self, n: int) -> Slot:
        dirs = [root / f"slot-{n}" for root in self.roots]
        for d in dirs:
            d.mkdir(exist_ok=True)
        if self.version == "v2":
            return V2Slot(dirs[0])
        return V1Slot(dirs[0], dirs[1], dirs[2] if len(dirs) > 2 else None)


def _mounts(mountinfo: str) -> list[tuple[str, str, set[str]]]:
    """(mount point, fs type, super options) of every cgroup mount in /proc/self/mountinfo."""
    found = []
    for line in mountinfo.splitlines():
        left, _, right = line.partition(" - ")
        fields, rfields = left.split(), right.split()
        if len(fields) >= 5 and len(rfields) >= 3 and rfields[0] in ("cgroup", "cgroup2"):
            found.append((fields[4], rfields[0], set(rfields[2].split(","))))
    return found


def _try_v2(mount: Path, override: Path | None) -> Hierarchy:
    if "memory" not in _read(str(mount / "cgroup.controllers")).split():
        raise OSError(f"the cgroup v2 mount {mount} has no memory controller")
    group = override or mount / GROUP_NAME
    if override is None:
        # Our group hangs off the root, where the no-internal-processes rule does not apply.
        _write(mount / "cgroup.subtree_control", "+memory +pids")
    group.mkdir(exist_ok=True)
    _write(group / "cgroup.subtree_control", "+memory +pids")
    return Hierarchy("v2", (group,))


def _try_v1(memory: Path, pids: Path, cpuacct: Path | None) -> Hierarchy:
    # cpuacct is optional: it only makes the CPU time of a box killed at the wall clock exact.
    roots = tuple(p / GROUP_NAME for p in (memory, pids, cpuacct) if p is not None)
    for r in roots:
        r.mkdir(exist_ok=True)
    if not os.access(roots[0] / "memory.limit_in_bytes", os.W_OK):
        raise OSError(f"{roots[0]} is not writable")
    return Hierarchy("v1", roots)


def detect(override: str | None = None) -> tuple[Hierarchy | None, str]:
    """The usable hierarchy (v2 preferred) and a sentence on what was found, for capabilities()."""
    override = override or os.environ.get(ENV_ROOT) or None
    try:
        mounts = _mounts(Path("/proc/self/mountinfo").read_text())
    except OSError as exc:
        return None, f"cannot read mountinfo: {exc}"
    problems = []
    for point, fstype, _ in mounts:
        if fstype == "cgroup2":
            try:
                return _try_v2(Path(point), Path(override) if override else None), f"v2 at {point}"
            except OSError as exc:
                problems.append(f"v2: {exc}")
    memory = next((p for p, t, o in mounts if t == "cgroup" and "memory" in o), None)
    pids = next((p for p, t, o in mounts if t == "cgroup" and "pids" in o), None)
    cpuacct = next((p for p, t, o in mounts if t == "cgroup" and "cpuacct" in o), None)
    if memory and pids:
        try:
            hierarchy = _try_v1(Path(memory), Path(pids), Path(cpuacct) if cpuacct else None)
            return hierarchy, f"v1 memory at {memory}, pids at {pids}, cpuacct at {cpuacct}"
        except OSError as exc:
            problems.append(f"v1: {exc}")
    elif mounts:
        problems.append("v1: memory or pids controller not mounted")
    return None, "; ".join(problems) or "no cgroup file system is mounted"
