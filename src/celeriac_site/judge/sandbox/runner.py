"""The Sandbox: probes the host once, refuses what it cannot bound, and hands out boxes."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import stat
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import cgroups, seccomp
from .box import Box, HostSetup
from .bwrap import MIN_BWRAP, Tools, bwrap_version, find_tool
from .errors import SandboxError, SandboxUnavailable
from .languages import LANGUAGES, Language, get_language
from .limits import Limits
from .outcome import CompileResult, RunOutcome
from .slots import POOL_SIZE, UID_BASE, SlotPool, processes_of_uid, state_dir, tasks_of_uid
from .supervise import become_subreaper

__all__ = ["CompileResult", "Limits", "RunOutcome", "Sandbox", "SandboxUnavailable"]

#: Non-root only: room for the worker's own threads to grow while a box shares its uid.
NPROC_SLACK = 64
#: A failed self-test (e.g. every slot busy, fork refused under pressure) is retried after this long, so a
#: transient failure does not disable a long-lived worker's sandbox for good.
SELF_TEST_RETRY_S = 30.0


@dataclass
class _Host:
    setup: HostSetup | None
    error: str | None
    bwrap_version: str | None
    hierarchy: cgroups.Hierarchy | None
    cgroup_note: str
    pool: SlotPool
    workdir: Path
    tested_at: float = 0.0  # monotonic time of the last failed self-test


def _private_dir(path: Path, mode: int) -> Path:
    """Create ``path`` (owned by us, not a symlink) with ``mode``; refuse one someone else planted."""
    path.mkdir(parents=True, exist_ok=True, mode=mode)
    st = os.lstat(path)
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid():
        raise SandboxUnavailable(f"{path} is not a directory owned by uid {os.geteuid()}; remove it")
    os.chmod(path, mode)
    return path


class Sandbox:
    """Entry point of the sandbox. Thread-safe; create one per process and share it.

    ``cgroups=False`` runs without cgroups even when the host has them (as on a host that has none):
    C, C++ and Python are then bounded by RLIMIT_AS and Java/JavaScript are refused.
    """

    def __init__(
        self,
        *,
        cgroups: bool = True,
        cgroup_root: str | None = None,
        workdir: str | None = None,
        uid_base: int = UID_BASE,
        pool_size: int = POOL_SIZE,
    ) -> None:
        self._want_cgroups, self._cgroup_root = cgroups, cgroup_root
        self._workdir, self._uid_base, self._pool_size = workdir, uid_base, pool_size
        self._host: _Host | None = None
        self._probe_lock = threading.Lock()
        self._stats_lock = threading.Lock()
        self._stats: Counter[str] = Counter()

    # -- host probing ----------------------------------------------------------------------------------

    def _probe(self) -> _Host:
        with self._probe_lock:
            host = self._host
            if host is None:
                host = self._host = self._probe_host()
            elif (
                host.setup is not None
                and host.error is not None
                and time.monotonic() - host.tested_at > SELF_TEST_RETRY_S
            ):
                host.error = self._self_test(host)
        return host

    def _probe_host(self) -> _Host:
        state = state_dir()
        workdir = Path(self._workdir) if self._workdir else state / "boxes"
        # Slot locks are always the host-wide ones: a slot number also names a cgroup and must be exclusive.
        pool = SlotPool(uid_base=self._uid_base, size=self._pool_size, lock_dir=state / "locks")
        hierarchy, note = (None, "disabled by Sandbox(cgroups=False)")
        if self._want_cgroups:
            hierarchy, note = cgroups.detect(self._cgroup_root)
        host = _Host(None, None, None, hierarchy, note, pool, workdir)
        bwrap, setpriv = find_tool("bwrap"), find_tool("setpriv")
        if bwrap is None:
            host.error = "bubblewrap (bwrap) is not installed; run `make sysdeps` (Debian package bubblewrap)"
            return host
        version = bwrap_version(bwrap)
        host.bwrap_version = ".".join(map(str, version)) if version else None
        if version is None or version < MIN_BWRAP:
            host.error = (
                f"bwrap {host.bwrap_version} is too old; 0.8.0 or newer is needed (--size, --disable-userns)"
            )
        elif setpriv is None:
            host.error = "setpriv (Debian package util-linux) is needed for the exec chain"
        elif seccomp.host_arch() is None:
            host.error = "the seccomp filter has no system call table for this architecture"
        elif not become_subreaper():
            host.error = "prctl(PR_SET_CHILD_SUBREAPER) failed; sandbox processes could not be reaped"
        if host.error is not None:
            return host
        assert bwrap is not None and setpriv is not None
        try:
            # Traversable (not listable) by box uids: bwrap, running as one, binds its own box directory.
            _private_dir(state, 0o711)
            _private_dir(workdir, 0o711)
        except (OSError, SandboxUnavailable) as exc:
            host.error = f"cannot prepare the work directory: {exc}"
            return host
        tool_paths = {}
        for lang in LANGUAGES.values():
            for placeholder, path in lang.tools:
                tool_paths[placeholder] = os.path.realpath(path)
        host.setup = HostSetup(Tools(bwrap, setpriv), tool_paths, seccomp_on=True)
        host.error = self._self_test(host)
        return host

    def _self_test(self, host: _Host) -> str | None:
        """Start one real box running /bin/true: proves namespaces, mounts, seccomp and cgroups work here."""
        host.tested_at = time.monotonic()
        probe_lang = Language(key="probe", name="probe", source_name="probe.txt", run_cmd=("/bin/true",))
        try:
            with self._open_box(host, probe_lang, Limits(time_ms=5000, memory_mb=64), count=None) as box:
                box.compile("")
                out = box.run(b"")
        except (OSError, SandboxError) as exc:
            return f"sandbox self-test failed: {exc}"
        if out.setup_error is not None or out.returncode != 0:
            return f"sandbox self-test failed: {out.setup_error or out.describe_exit()}"
        return None

    # -- public API ------------------------------------------------------------------------------------

    def capabilities(self) -> dict[str, Any]:
        """What this host offers: bwrap version, seccomp, cgroup version, uid pool, languages' refusals."""
        host = self._probe()
        return {
            "available": host.error is None,
            "error": host.error,
            "bwrap": host.bwrap_version,
            "seccomp": host.setup is not None and host.setup.seccomp_on,
            "seccomp_arch": seccomp.host_arch(),
            "cgroup": host.hierarchy.version if host.hierarchy else None,
            "cgroup_note": host.cgroup_note,
            "uid_pool": host.pool.describe(),
            "workdir": str(host.workdir),
            "languages": {key: self.refuse_reason(key) for key in LANGUAGES},
        }

    def refuse_reason(self, language: str | Language) -> str | None:
        """Why ``language`` cannot run safely on this host, or None when it can (fail closed)."""
        try:
            lang = language if isinstance(language, Language) else get_language(language)
        except ValueError as exc:
            return str(exc)
        host = self._probe()
        if host.error is not None or host.setup is None:
            return host.error or "the sandbox is unavailable"
        for placeholder, path in lang.tools:
            real = host.setup.tool_paths.get(placeholder) or os.path.realpath(path)
            if not os.path.exists(real):
                return f"{lang.key} needs {path} (Debian package {lang.package}); run `make sysdeps`"
            if not real.startswith("/usr/"):
                return f"{path} resolves to {real}, outside /usr, which the box does not mount"
        if lang.needs_cgroup and host.hierarchy is None:
            return (
                f"{lang.key} needs a cgroup memory controller (RLIMIT_AS breaks its runtime); "
                f"none is writable here: {host.cgroup_note}"
            )
        return None

    @contextmanager
    def box(self, language: str | Language, limits: Limits) -> Iterator[Box]:
        """A box for one submission: compile once, run per test. Raises SandboxUnavailable when refused.

        ``language`` is a key of LANGUAGES, or a Language object (tests use one to play a hostile compiler).
        """
        lang = language if isinstance(language, Language) else get_language(language)
        reason = self.refuse_reason(lang)
        if reason is not None:
            raise SandboxUnavailable(reason)
        with self._open_box(self._probe(), lang, limits, count=self._count) as b:
            yield b

    def stats(self) -> dict[str, int]:
        """Counters since creation: boxes opened, compiles, runs (tests assert "compiled once" with it)."""
        with self._stats_lock:
            return dict(self._stats)

    def _count(self, name: str) -> None:
        with self._stats_lock:
            self._stats[name] += 1

    @contextmanager
    def _open_box(
        self, host: _Host, lang: Language, limits: Limits, *, count: Callable[[str], None] | None
    ) -> Iterator[Box]:
        if host.setup is None:
            raise SandboxUnavailable(host.error or "the sandbox is unavailable")
        lease = host.pool.acquire()
        try:
            slot = host.hierarchy.slot(lease.slot) if host.hierarchy is not None else None
            if slot is not None:
                slot.kill_all()  # a worker killed mid-run may have left its box behind
            if lease.switch_uid:
                for pid in processes_of_uid(lease.uid):  # nothing may run as a box uid between boxes
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
            root = host.workdir / f"slot-{lease.slot}"
            shutil.rmtree(root, ignore_errors=True)
            root.mkdir(mode=0o711)
            (root / "run").mkdir(mode=0o755)
            (root / "build").mkdir(mode=0o755)
            if lease.switch_uid:
                os.chown(root / "build", lease.uid, lease.gid)
        except BaseException:
            lease.release()
            raise
        count = count or (lambda _name: None)
        count("boxes")
        # Sharing the worker's uid (not root), RLIMIT_NPROC would count the worker's threads too: allow for
        # them, with room for growth. Only a root worker gets an exact, per-box process limit.
        slack = 0 if lease.switch_uid else tasks_of_uid(lease.uid) + NPROC_SLACK
        b = Box(host.setup, lang, limits, lease, slot, root, count, nproc_slack=slack)
        try:
            yield b
        finally:
            b.close()
