"""Artifact copying refuses planted symlinks, FIFOs and directories; ELF static size is read correctly."""

from __future__ import annotations

import os
import struct
from pathlib import Path

import pytest

from celeriac_site.judge.sandbox import ArtifactError
from celeriac_site.judge.sandbox.artifacts import copy_artifacts, static_size


@pytest.fixture
def dirs(tmp_path: Path) -> tuple[Path, Path]:
    build, run = tmp_path / "build", tmp_path / "run"
    build.mkdir()
    run.mkdir()
    return build, run


def test_copies_regular_files_and_keeps_the_exec_bit(dirs: tuple[Path, Path]) -> None:
    build, run = dirs
    (build / "main").write_bytes(b"\x7fELF...")
    (build / "main").chmod(0o700)
    assert copy_artifacts(str(build), ("main",), str(run)) == ["main"]
    assert (run / "main").read_bytes() == b"\x7fELF..."
    assert (run / "main").stat().st_mode & 0o777 == 0o755


def test_pattern_matches_a_family(dirs: tuple[Path, Path]) -> None:
    build, run = dirs
    for name in ("Main.class", "Main$1.class", "notes.txt"):
        (build / name).write_bytes(b"x")
    assert copy_artifacts(str(build), ("*.class",), str(run)) == ["Main$1.class", "Main.class"]
    assert not (run / "notes.txt").exists()


def test_planted_symlink_is_refused_not_followed(dirs: tuple[Path, Path], tmp_path: Path) -> None:
    build, run = dirs
    secret = tmp_path / "secret"
    secret.write_text("root:$6$hash")
    (build / "main").symlink_to(secret)
    with pytest.raises(ArtifactError) as info:
        copy_artifacts(str(build), ("main",), str(run))
    assert not info.value.missing
    assert not (run / "main").exists()


def test_planted_symlink_in_a_pattern_is_refused(dirs: tuple[Path, Path]) -> None:
    build, run = dirs
    (build / "Main.class").write_bytes(b"x")
    (build / "Evil.class").symlink_to("/etc/passwd")
    with pytest.raises(ArtifactError, match=r"Evil\.class"):
        copy_artifacts(str(build), ("*.class",), str(run))


def test_fifo_and_directory_are_refused_without_hanging(dirs: tuple[Path, Path]) -> None:
    build, run = dirs
    os.mkfifo(build / "main")
    with pytest.raises(ArtifactError, match="not a regular file"):
        copy_artifacts(str(build), ("main",), str(run))
    (build / "main").unlink()
    (build / "main").mkdir()
    with pytest.raises(ArtifactError, match="not a regular file"):
        copy_artifacts(str(build), ("main",), str(run))


def test_missing_artifact_is_the_submissions_fault(dirs: tuple[Path, Path]) -> None:
    build, run = dirs
    with pytest.raises(ArtifactError) as info:
        copy_artifacts(str(build), ("main",), str(run))
    assert info.value.missing
    with pytest.raises(ArtifactError) as info:
        copy_artifacts(str(build), ("*.class",), str(run))
    assert info.value.missing


def test_build_directory_itself_must_not_be_a_symlink(dirs: tuple[Path, Path], tmp_path: Path) -> None:
    build, run = dirs
    link = tmp_path / "link"
    link.symlink_to(build)
    with pytest.raises(OSError):
        copy_artifacts(str(link), ("main",), str(run))


def _elf(path: Path, loads: list[int]) -> None:
    header = bytearray(64)
    header[:6] = b"\x7fELF\x02\x01"
    struct.pack_into("<Q", header, 32, 64)  # e_phoff
    struct.pack_into("<HH", header, 54, 56, len(loads) + 1)  # e_phentsize, e_phnum
    table = bytearray()
    for memsz in loads:
        ph = bytearray(56)
        struct.pack_into("<I", ph, 0, 1)  # PT_LOAD
        struct.pack_into("<Q", ph, 40, memsz)
        table += ph
    note = bytearray(56)
    struct.pack_into("<I", note, 0, 4)  # PT_NOTE: not counted
    struct.pack_into("<Q", note, 40, 1 << 40)
    path.write_bytes(bytes(header) + bytes(table) + bytes(note))


def test_static_size_sums_load_segments(tmp_path: Path) -> None:
    _elf(tmp_path / "a", [4096, 1 << 30])
    assert static_size(str(tmp_path / "a")) == 4096 + (1 << 30)
    (tmp_path / "b").write_bytes(b"#!/bin/sh\n")
    assert static_size(str(tmp_path / "b")) == 0
    assert 0 < static_size("/bin/true") < 16 << 20
