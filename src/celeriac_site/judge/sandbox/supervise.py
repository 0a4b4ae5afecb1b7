"""The supervisor: start the exec chain, stream capped output, enforce the wall clock, kill and reap."""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import resource
import selectors
import signal
import subprocess
import time
from dataclasses import dataclass, field

from .cgroups import Slot

PR_SET_CHILD_SUBREAPER = 36
READ_CHUNK = 65536
#: After the box's main process exits, how long to wait for the rest of its tree (pid namespace teardown).
REAP_GRACE_S = 2.0
_subreaper_set = False


def become_subreaper() -> bool:
    """Adopt orphaned descendants (bwrap's pid-1 outlives bwrap by a moment) so we can reap and account them.

    Without it they are re-parented to the host's init, which may never reap them: ``<defunct>`` entries
    then pile up and count against the box uid's RLIMIT_NPROC, and their CPU time is lost.
    """
    global _subreaper_set
    if not _subreaper_set:
        libc = ctypes.CDLL(None, use_errno=True)
        _subreaper_set = libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    return _subreaper_set


@dataclass
class Supervised:
    """What the supervisor saw; ``runner`` turns it into a RunOutcome."""

    returncode: int | None = None  # as subprocess: negative for a signal; None if the program never ran
    started: bool = False  # bwrap finished set-up and exec'd the program
    cpu_ms: float = 0.0
    maxrss_kb: int = 0
    wall_ms: float = 0.0
    stdout: bytearray = field(default_factory=bytearray)
    stderr: bytearray = field(default_factory=bytearray)
    timed_out: bool = False
    output_exceeded: str | None = None
    killed: bool = False
    error: str | None = None
    rusage_lost: bool = False  # another component reaped part of the tree: CPU and RSS undercounted
    rss_read_at_kill: bool = False  # maxrss_kb holds the box's VmHWM, read just before we killed it
    chain_status: int | None = None  # bwrap's own exit status, as subprocess reports it (-N: signal N)
    memory_limit_hit: bool = False  # set by the box from the cgroup: usage reached the limit at least once


def _add_rusage(result: Supervised, ru: resource.struct_rusage, *, rss: bool) -> None:
    result.cpu_ms += (ru.ru_utime + ru.ru_stime) * 1000.0
    if rss:
        result.maxrss_kb = max(result.maxrss_kb, ru.ru_maxrss)


def _peak_rss_kb(pid: int) -> int:
    """``VmHWM`` of ``pid`` in KiB (what ``ru_maxrss`` reports at exit); 0 if it is gone or unreadable."""
    with contextlib.suppress(OSError, ValueError), open(f"/proc/{pid}/status", "rb") as f:
        for line in f:
            if line.startswith(b"VmHWM:"):
                return int(line.split()[1])
    return 0


def _children(pid: int) -> list[int]:
    """The children of ``pid``'s main thread, zombies included; OSError if it is gone (or no such file)."""
    with open(f"/proc/{pid}/task/{pid}/children") as f:
        return [int(p) for p in f.read().split()]


def _descendants(pid: int, limit: int = 256) -> list[int]:
    """``pid``'s process tree below it, through the children files (hosts without a cgroup slot)."""
    found: list[int] = []
    todo = [pid]
    while todo and len(found) < limit:
        with contextlib.suppress(OSError, ValueError):
            kids = _children(todo.pop())
            found += kids
            todo += kids
    return found


#: Index of ``cminflt`` (field 11 of /proc/PID/stat) among the fields after the command name.
_CMINFLT = 8


def init_forked(pid: int) -> bool:
    """Whether ``pid`` (bwrap's init in a box) has forked the program yet.

    While the program runs, or is a zombie, it is in init's children file. Once init has reaped it,
    that file is empty again, but init's ``cminflt`` (the minor faults of the children it waited for)
    is not: any forked process faults pages, and init reaps nothing before it forks the program. The
    second test matters when the program dies (SIGXCPU, say) just as the wall clock runs out: killed
    before bwrap reports the exit, the run would otherwise look as if the sandbox never started it.
    A pid that is gone, or a kernel without these files, counts as started rather than blame the sandbox.
    """
    try:
        if _children(pid):
            return True
        with open(f"/proc/{pid}/stat") as f:
            after_name = f.read().rsplit(")", 1)[1].split()
        return int(after_name[_CMINFLT]) > 0
    except (OSError, ValueError, IndexError):
        return True


def _decode_status(code: int) -> int:
    # bwrap reports a signal death as 128 + N, like a shell.
    return -(code - 128) if 128 < code < 128 + 65 else code


class _Watch:
    """One chain run: pipes and pidfds in a selector (gevent-friendly: selectors is looked up per call)."""

    def __init__(self, proc: subprocess.Popen[bytes], status_r: int, caps: dict[str, int], slot: Slot | None):
        self.proc, self.status_r, self.caps, self.slot = proc, status_r, caps, slot
        self.result = Supervised()
        self.status_buf = b""
        self.child_pid: int | None = None  # bwrap's pid-1 in the box, a host pid
        self.child_pidfd: int | None = None
        self.exit_code: int | None = None

    def on_status(self, data: bytes) -> None:
        self.status_buf += data
        while b"\n" in self.status_buf:
            line, self.status_buf = self.status_buf.split(b"\n", 1)
            with contextlib.suppress(ValueError):
                info = json.loads(line)
                if "child-pid" in info and self.child_pid is None:
                    self.child_pid = int(info["child-pid"])
                    with contextlib.suppress(OSError):
                        # Held from now on, so the pid cannot be recycled before we reap it.
                        self.child_pidfd = os.pidfd_open(self.child_pid)
                if "exit-code" in info:
                    # bwrap writes this only when set-up finished and exec succeeded: our readiness signal.
                    self.exit_code = int(info["exit-code"])

    def program_started(self) -> bool:
        """When we kill a box early: had bwrap's init already forked the program (set-up done)?"""
        return self.child_pid is not None and init_forked(self.child_pid)

    def kill(self) -> None:
        """Stop the box for a limit (wall clock, output): the run's verdict will say so."""
        if self.result.killed:
            return
        self.result.killed = True
        # Output past a cap can only come from the program (bwrap's own messages are a line or two); a
        # status line or any stdout also proves it ran. Otherwise ask whether pid-1 had forked it.
        self.result.started = (
            self.result.output_exceeded is not None
            or self.exit_code is not None
            or bool(self.result.stdout)
            or self.program_started()
        )
        self._read_peak_rss()
        self.terminate()

    def _read_peak_rss(self) -> None:
        """Take the box's peak RSS while its processes still exist: a killed program never reports its
        rusage (its dying pid-1 reaps it). The same measure as a finished run's ``ru_maxrss``, unlike the
        cgroup's peak, which also counts page cache the slot keeps charged from earlier steps (cgroup v1
        keeps javac's reads of the JDK charged to the slot, so a Java run looked 90 MiB bigger)."""
        if self.slot is not None:
            pids = self.slot.pids()
        elif self.child_pid is not None:
            pids = _descendants(self.child_pid)
        else:
            pids = []
        peak = max((_peak_rss_kb(pid) for pid in pids if pid != self.proc.pid), default=0)
        if peak:
            self.result.maxrss_kb = max(self.result.maxrss_kb, peak)
            self.result.rss_read_at_kill = True

    def terminate(self) -> None:
        """SIGKILL the process group, bwrap's pid-1 (and so its pid namespace) and the slot's cgroup."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        if self.child_pidfd is not None:
            with contextlib.suppress(OSError):
                signal.pidfd_send_signal(self.child_pidfd, signal.SIGKILL)
        if self.slot is not None:
            self.slot.kill_all()

    def on_output(self, name: str, data: bytes) -> None:
        buf = self.result.stdout if name == "stdout" else self.result.stderr
        room = self.caps[name] - len(buf)
        buf += data[: max(room, 0)]
        if len(data) > room and self.result.output_exceeded is None:
            self.result.output_exceeded = name
            self.kill()


def run_chain(
    argv: list[str],
    *,
    stdin_fd: int,
    pass_fds: tuple[int, ...],
    status_r: int,
    wall_s: float,
    stdout_cap: int,
    stderr_cap: int,
    slot: Slot | None,
) -> Supervised:
    """Run ``argv`` (the exec chain) to the end, or kill it at ``wall_s`` / when output passes its cap.

    Takes ownership of ``pass_fds`` and ``status_r``: they are closed exactly once, whatever happens
    (a double close would hit a descriptor another thread or greenlet has just opened).
    """
    become_subreaper()
    start = time.monotonic()
    try:
        proc = subprocess.Popen(
            argv,
            stdin=stdin_fd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            pass_fds=pass_fds,
            env={},  # nothing of the worker's environment may reach the box (/proc/1/environ)
            cwd="/",
            start_new_session=True,  # its own process group, which the supervisor kills as a whole
        )
    except OSError as exc:
        os.close(status_r)
        return Supervised(error=f"cannot start the sandbox: {exc}")
    finally:
        for fd in pass_fds:
            os.close(fd)
    watch = _Watch(proc, status_r, {"stdout": stdout_cap, "stderr": stderr_cap}, slot)
    try:
        _loop(watch, start + wall_s)
        _reap(watch)
    except BaseException:
        watch.terminate()  # never leave a box running behind an exception; the caller answers IE
        with contextlib.suppress(ChildProcessError):
            os.waitpid(proc.pid, 0)
        proc.returncode = -1
        raise
    finally:
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
        os.close(status_r)
        if watch.child_pidfd is not None:
            os.close(watch.child_pidfd)
    result = watch.result
    result.wall_ms = (time.monotonic() - start) * 1000.0
    result.chain_status = proc.returncode
    if result.killed:
        result.returncode = -signal.SIGKILL if result.started else None
    elif watch.exit_code is not None:
        result.started = True
        result.returncode = _decode_status(watch.exit_code)
    return result


def _loop(watch: _Watch, deadline: float) -> None:
    """Read until bwrap has exited and every pipe is closed; kill at the deadline or on a daemon's pipe."""
    proc = watch.proc
    assert proc.stdout is not None and proc.stderr is not None
    sel = selectors.DefaultSelector()
    names = {proc.stdout.fileno(): "stdout", proc.stderr.fileno(): "stderr", watch.status_r: "status"}
    for fd in names:
        os.set_blocking(fd, False)
        sel.register(fd, selectors.EVENT_READ)
    exited_at: float | None = None
    pidfd: int | None = None
    try:
        pidfd = os.pidfd_open(proc.pid)
        sel.register(pidfd, selectors.EVENT_READ)
    except ProcessLookupError:
        exited_at = time.monotonic()  # already exited and reaped (gevent's libev reaper is quick)
    try:
        while names or exited_at is None:
            now = time.monotonic()
            if exited_at is None and now >= deadline:
                if not watch.result.killed:
                    watch.result.timed_out = True
                    watch.kill()
                else:
                    watch.terminate()
                deadline = now + REAP_GRACE_S
            elif exited_at is not None and now >= exited_at + REAP_GRACE_S:
                # bwrap is gone but something still holds a pipe open: make sure nothing of the box is left.
                watch.terminate()
                break
            wake = deadline if exited_at is None else exited_at + REAP_GRACE_S
            for key, _ in sel.select(timeout=max(wake - now, 0.0)):
                fd = int(key.fd)
                if fd == pidfd:
                    sel.unregister(pidfd)
                    exited_at = time.monotonic()
                    continue
                try:
                    data = os.read(fd, READ_CHUNK)
                except BlockingIOError:
                    continue
                if not data:
                    sel.unregister(fd)
                    del names[fd]
                elif names[fd] == "status":
                    watch.on_status(data)
                else:
                    watch.on_output(names[fd], data)
    finally:
        sel.close()
        if pidfd is not None:
            os.close(pidfd)


def _reap(watch: _Watch) -> None:
    """Reap bwrap, then its pid-1 (re-parented to us), adding both trees' CPU time and peak RSS.

    Someone else may reap first: gevent's libev child watcher calls waitpid(-1). The verdict does not
    depend on it (the exit code comes from bwrap's status pipe); only rusage is lost, noted in ``lost``.
    """
    try:
        # The pidfd said it exited, so this does not block (a gevent hub must never block here).
        pid, status, ru = os.wait4(watch.proc.pid, os.WNOHANG)
        if pid == 0:
            pid, status, ru = os.wait4(watch.proc.pid, 0)
    except ChildProcessError:
        watch.result.rusage_lost = True
        watch.proc.returncode = -1  # keeps Popen from waiting on a pid that is gone
    else:
        watch.proc.returncode = os.waitstatus_to_exitcode(status)
        # bwrap's own peak RSS is useless: a vfork()ed child inherits the worker's high-water mark at exec.
        _add_rusage(watch.result, ru, rss=False)
    pidfd = watch.child_pidfd
    if pidfd is None or watch.child_pid is None:
        return
    sel = selectors.DefaultSelector()
    sel.register(pidfd, selectors.EVENT_READ)
    try:
        # bwrap's --die-with-parent kills its pid-1 as soon as bwrap is gone; if not, we do.
        if not sel.select(timeout=REAP_GRACE_S):
            watch.terminate()
            sel.select(timeout=REAP_GRACE_S)
    finally:
        sel.close()
    try:
        # WNOWAIT first: proves the pid is still our unreaped child before wait4 takes it by number.
        info = os.waitid(os.P_PIDFD, pidfd, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:
        watch.result.rusage_lost = True  # not ours (no subreaper) or already reaped by someone else
        return
    if info is not None:
        _, _, ru = os.wait4(watch.child_pid, 0)
        _add_rusage(watch.result, ru, rss=True)  # pid-1 waited for the program: its peak is the program's
