"""Copying compile artifacts out of the writable build directory without following planted links."""

from __future__ import annotations

import fnmatch
import os
import stat
import struct

from .errors import ArtifactError

MAX_ARTIFACT_BYTES = 64 * 1024 * 1024
MAX_ARTIFACTS = 4096
_OPEN_FLAGS = (
    os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
)  # NONBLOCK: a planted FIFO can't hang us


def _copy_one(src_dir_fd: int, name: str, dst_dir: str, budget: int) -> int:
    try:
        fd = os.open(name, _OPEN_FLAGS, dir_fd=src_dir_fd)
    except FileNotFoundError:
        raise ArtifactError(f"the compiler produced no {name}", missing=True) from None
    except OSError as exc:
        # ELOOP is what O_NOFOLLOW answers for a symlink: someone planted one where the artifact should be.
        raise ArtifactError(f"cannot open artifact {name!r}: {exc.strerror}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ArtifactError(f"artifact {name!r} is not a regular file")
        if st.st_size > budget:
            raise ArtifactError(f"artifact {name!r} is {st.st_size} bytes; at most {budget} are accepted")
        mode = 0o755 if st.st_mode & 0o111 else 0o644
        out = os.open(
            os.path.join(dst_dir, name),
            os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
            mode,
        )
        try:
            copied = 0
            while chunk := os.read(fd, 1 << 20):
                copied += len(chunk)
                if copied > budget:
                    raise ArtifactError(f"artifact {name!r} grew past {budget} bytes while being copied")
                os.write(out, chunk)
            os.fchmod(out, mode)
        finally:
            os.close(out)
        return copied
    finally:
        os.close(fd)


def _expand(src_dir_fd: int, patterns: tuple[str, ...]) -> list[str]:
    names = []
    with os.scandir(src_dir_fd) as entries:
        listing = sorted(e.name for e in entries)
    for pattern in patterns:
        if any(c in pattern for c in "*?["):
            matched = [n for n in listing if fnmatch.fnmatchcase(n, pattern)]
            if not matched:
                raise ArtifactError(f"the compiler produced no {pattern} file", missing=True)
            names += matched
        else:
            names.append(pattern)
    if len(names) > MAX_ARTIFACTS:
        raise ArtifactError(f"the compiler produced {len(names)} files; at most {MAX_ARTIFACTS} are accepted")
    return names


def copy_artifacts(build_dir: str, patterns: tuple[str, ...], dst_dir: str) -> list[str]:
    """Copy the named artifacts (``*.class`` patterns allowed) to ``dst_dir``; ArtifactError on anything odd.

    Each file is opened with O_NOFOLLOW and checked to be a regular file, so a symlink or device planted
    in the build directory is refused rather than read on the host.
    """
    src_dir_fd = os.open(build_dir, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        names = _expand(src_dir_fd, patterns)
        budget = MAX_ARTIFACT_BYTES
        for name in names:
            if "/" in name or name in (".", ".."):
                raise ArtifactError(f"artifact name {name!r} is not a plain file name")
            budget -= _copy_one(src_dir_fd, name, dst_dir, budget)
        return names
    finally:
        os.close(src_dir_fd)


def static_size(path: str) -> int:
    """Bytes of memory an ELF64 little-endian executable maps at start (sum of PT_LOAD memsz), 0 if not ELF.

    A ``static char a[1 << 30]`` lands here as bss; comparing with the memory limit gives MLE without
    depending on whether the program touches the pages.
    """
    with open(path, "rb") as f:
        header = f.read(64)
        if len(header) < 64 or header[:4] != b"\x7fELF" or header[4] != 2 or header[5] != 1:
            return 0
        (phoff,) = struct.unpack_from("<Q", header, 32)
        phentsize, phnum = struct.unpack_from("<HH", header, 54)
        f.seek(phoff)
        table = f.read(phentsize * phnum)
    total = 0
    for i in range(phnum):
        (p_type,) = struct.unpack_from("<I", table, i * phentsize)
        if p_type == 1:  # PT_LOAD
            total += struct.unpack_from("<Q", table, i * phentsize + 40)[0]
    return total
