"""Box slots: one flock-held slot per concurrent box, each with its own host uid when running as root."""

from __future__ import annotations

import fcntl
import os
import pwd
import random
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import SandboxUnavailable

#: First host uid of the pool; slot N runs as UID_BASE + N (and the same gid). Below systemd's
#: DynamicUser range (61184+) and above Debian's normal users; any uid that exists in passwd is skipped.
UID_BASE = 60000
POOL_SIZE = 64
#: Root's state (slot locks, box directories) lives on /run, cleared at boot on most hosts.
ROOT_STATE_DIR = Path("/run/celeriac-sandbox")


def state_dir() -> Path:
    """Host-wide state of every Sandbox of this user: all of them must share one set of slot locks."""
    if os.geteuid() == 0:
        return ROOT_STATE_DIR
    return Path(tempfile.gettempdir()) / f"celeriac-sandbox-{os.geteuid()}"


@dataclass
class Lease:
    """A held slot: ``uid``/``gid`` the box runs as; released when the process dies, even by SIGKILL."""

    slot: int  # host-wide: names the lock, the cgroup and the box directory; the uid itself when switching
    uid: int
    gid: int
    switch_uid: bool  # True when the box runs under its own uid (we are root); False: our own uid
    _fd: int

    def release(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)  # closing the descriptor drops the flock
            self._fd = -1


class SlotPool:
    """Hands out slots with ``flock(LOCK_EX | LOCK_NB)`` on one lock file per slot.

    flock belongs to the open file description, so two threads of one process, two processes and two
    workers on one host all exclude each other, and a worker killed with -9 frees its slot at once.
    When boxes get their own uid, the lock is the uid's: pools with different ``uid_base`` whose ranges
    overlap still never run two boxes as one uid (a box opening kills whatever runs as its uid).
    """

    def __init__(
        self, *, uid_base: int = UID_BASE, size: int = POOL_SIZE, lock_dir: Path | None = None
    ) -> None:
        self.switch_uid = os.geteuid() == 0
        self.uid_base = uid_base
        self.size = size
        self.lock_dir = lock_dir or state_dir() / "locks"
        self._slots = [n for n in range(size) if not self.switch_uid or not _uid_taken(uid_base + n)]

    def describe(self) -> str | None:
        """ "60000-60063" when boxes get their own uid; None when they share ours (not root)."""
        if not self.switch_uid:
            return None
        return f"{self.uid_base}-{self.uid_base + self.size - 1} ({len(self._slots)} free of passwd)"

    def acquire(self) -> Lease:
        """A free slot, or SandboxUnavailable when every slot is busy (more boxes than the pool)."""
        self.lock_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Start at a random slot so concurrent workers rarely contend for the same lock file.
        order = list(self._slots)
        start = random.randrange(len(order)) if order else 0
        for n in order[start:] + order[:start]:
            if self.switch_uid:
                uid = gid = self.uid_base + n
                slot = uid
            else:
                uid, gid = os.getuid(), os.getgid()
                slot = n
            fd = os.open(self.lock_dir / f"slot-{slot}.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            return Lease(slot=slot, uid=uid, gid=gid, switch_uid=self.switch_uid, _fd=fd)
        raise SandboxUnavailable(
            f"all {len(order)} sandbox slots are busy; lower the worker concurrency or raise POOL_SIZE"
        )


def _uid_taken(uid: int) -> bool:
    try:
        pwd.getpwuid(uid)
    except KeyError:
        return False
    return True


def tasks_of_uid(uid: int) -> int:
    """Threads (tasks) owned by ``uid``: what RLIMIT_NPROC counts against a box sharing the worker's uid."""
    total = 0
    for pid in processes_of_uid(uid):
        try:
            total += len(os.listdir(f"/proc/{pid}/task"))
        except OSError:
            continue
    return total


def processes_of_uid(uid: int) -> list[int]:
    """Pids whose real uid is ``uid`` (a box uid must own nothing between boxes)."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            if entry.stat(follow_symlinks=False).st_uid == uid:
                found.append(int(entry.name))
        except OSError:
            continue  # exited while we looked
    return found
