"""The exec chain that starts a box: rlimits and cgroup join in sh, then setpriv, bwrap, the program."""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
from dataclasses import dataclass

MIN_BWRAP = (0, 8, 0)  # --size for tmpfs, --disable-userns, --json-status-fd
SYSTEM_LINKS = ("bin", "lib", "lib64", "sbin", "lib32", "libx32")
#: Only these files of /etc enter a box: the dynamic loader's cache (Debian's multiarch libraries are not on
#: the loader's default path) and the time zone. Never passwd/shadow, never the app's settings.
ETC_FILES = ("/etc/ld.so.cache", "/etc/localtime")
BOX_ENV = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "TMPDIR": "/tmp", "LANG": "C.UTF-8"}

# The chain's first step: set the rlimits with the shell's ulimit builtin (what `prlimit ... --` does, one
# exec cheaper), join the listed cgroup.procs files, exec the rest. It runs as the worker's user before the
# privilege drop, so the whole box, bwrap included, is limited and accounted from its first instruction.
JOIN = 'while [ "$1" != -- ]; do echo $$ > "$1" || exit 125; shift; done; shift; exec "$@"'


def bwrap_version(bwrap: str) -> tuple[int, ...] | None:
    try:
        out = subprocess.run([bwrap, "--version"], capture_output=True, text=True, timeout=10, env={}).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.search(r"(\d+)\.(\d+)\.(\d+)", out)
    return tuple(int(x) for x in m.groups()) if m else None


def find_tool(name: str) -> str | None:
    return shutil.which(name, path="/usr/bin:/bin:/usr/sbin:/sbin")


@dataclass(frozen=True)
class BoxSpec:
    """Everything one box invocation needs, independent of how it is supervised."""

    box_dir: str  # host directory mounted on /box
    writable: bool  # True only for the compile step
    argv: tuple[str, ...]  # the program, as seen inside the box
    scratch_bytes: int  # size of the tmpfs on /tmp
    cpu_s: int
    address_space_bytes: int | None  # None: RLIMIT_AS left unlimited (JVM, V8: the cgroup bounds them)
    file_size_bytes: int
    open_files: int
    processes: int
    stack_bytes: int
    extra_binds: tuple[str, ...] = ()
    nproc_slack: int = 0  # RLIMIT_NPROC counts every task of the uid: the worker's own, when it is shared


@dataclass(frozen=True)
class Tools:
    bwrap: str
    setpriv: str
    sh: str = "/bin/sh"


@functools.cache
def system_mounts() -> tuple[str, ...]:
    """/usr read-only plus the merged-/usr links (or read-only binds on hosts without merged /usr)."""
    args = ["--ro-bind", "/usr", "/usr"]
    for name in SYSTEM_LINKS:
        path = f"/{name}"
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    for f in ETC_FILES:
        args += ["--ro-bind-try", f, f]
    return tuple(args)


def bwrap_args(spec: BoxSpec, *, seccomp_fd: int | None, status_fd: int) -> list[str]:
    """bwrap's options: every namespace unshared, read-only system, sized scratch, empty environment."""
    args = [
        "--unshare-user",
        "--unshare-ipc",
        "--unshare-pid",
        "--unshare-net",
        "--unshare-uts",
        "--unshare-cgroup",
        "--disable-userns",  # no nested user namespace even if the seccomp layer were missing
        "--die-with-parent",
        "--cap-drop",
        "ALL",
        "--hostname",
        "box",
        *system_mounts(),
    ]
    for path in spec.extra_binds:
        args += ["--ro-bind-try", path, path]
    args += [
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--size",
        str(spec.scratch_bytes),
        "--tmpfs",
        "/tmp",
        "--bind" if spec.writable else "--ro-bind",
        spec.box_dir,
        "/box",
        # bwrap's own root and /dev are writable tmpfs without a size: make them read-only so /tmp, with its
        # size limit, is the only place a run can write.
        "--remount-ro",
        "/dev",
        "--remount-ro",
        "/",
        "--chdir",
        "/box",
        "--clearenv",
    ]
    for key, value in BOX_ENV.items():
        args += ["--setenv", key, value]
    if seccomp_fd is not None:
        args += ["--seccomp", str(seccomp_fd)]
    args += ["--json-status-fd", str(status_fd)]
    return args


def limits_script(spec: BoxSpec) -> str:
    """dash ``ulimit`` commands (it takes one option per call): KiB for -v/-s, 512-byte blocks for -f."""
    address_space = "unlimited" if spec.address_space_bytes is None else str(spec.address_space_bytes // 1024)
    steps = [
        f"ulimit -t {spec.cpu_s + 1}",  # hard: SIGKILL a second after the soft limit's SIGXCPU
        f"ulimit -S -t {spec.cpu_s}",
        f"ulimit -v {address_space}",
        f"ulimit -f {spec.file_size_bytes // 512}",
        f"ulimit -n {spec.open_files}",
        f"ulimit -p {spec.processes + spec.nproc_slack}",
        f"ulimit -s {spec.stack_bytes // 1024}",
        "ulimit -c 0",
    ]
    return " && ".join(steps) + " || exit 125; " + JOIN


def chain(
    tools: Tools,
    spec: BoxSpec,
    *,
    uid: int | None,
    gid: int | None,
    cgroup_procs: list[str],
    seccomp_fd: int | None,
    status_fd: int,
) -> list[str]:
    """The full argv. Each step execs the next in the same process, so no Python runs after fork."""
    argv = [tools.sh, "-c", limits_script(spec), "box-limits", *cgroup_procs, "--"]
    if uid is not None and gid is not None:
        argv += [tools.setpriv, f"--reuid={uid}", f"--regid={gid}", "--clear-groups", "--"]
    argv += [tools.bwrap, *bwrap_args(spec, seccomp_fd=seccomp_fd, status_fd=status_fd), "--", *spec.argv]
    return argv
