"""What a run reports about itself: the program's memory, not the page cache its box touched."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from celeriac_site.judge.sandbox import Language, Limits, Sandbox, Verdict, judge_run

pytestmark = pytest.mark.integration

FILE_MB = 96


@pytest.fixture
def cold_file() -> Iterator[Path]:
    """A file the box can read, written and then dropped from the page cache, so that reading it charges
    fresh cache pages to the box's cgroup (not under tmp_path: a box uid cannot traverse it)."""
    folder = Path(tempfile.mkdtemp(prefix="celeriac-cold-", dir="/var/tmp"))  # the box mounts its own /tmp
    folder.chmod(0o755)
    path = folder / "data.bin"
    with open(path, "wb") as f:
        for _ in range(FILE_MB):
            f.write(b"\x5a" * (1 << 20))
        f.flush()
        os.fsync(f.fileno())  # dirty pages cannot be dropped
        os.posix_fadvise(f.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
    path.chmod(0o644)
    yield path
    shutil.rmtree(folder, ignore_errors=True)


def test_a_run_killed_at_the_wall_clock_reports_its_rss_not_the_page_cache(
    sandbox: Sandbox, cold_file: Path
) -> None:
    reader = Language(
        key="reader",
        name="Python reading a cold file",
        source_name="main.py",
        run_cmd=("{python}", "-I", "-S", "/box/main.py"),
        tools=(("python", "/usr/bin/python3"),),
        extra_binds=(str(cold_file.parent),),
    )
    source = f"""
import time
total = 0
with open({str(cold_file)!r}, "rb", buffering=0) as f:
    while chunk := f.read(1 << 20):
        total += len(chunk)
print(total, flush=True)
while True:
    time.sleep(1)
"""
    limits = Limits(time_ms=1000, memory_mb=256, wall_time_ms=8000)
    with sandbox.box(reader, limits) as box:
        assert box.compile(source).ok
        out = box.run(b"")
    verdict = judge_run(0, out, "", time_limit_ms=limits.time_ms, memory_mb=limits.memory_mb)
    assert verdict.verdict is Verdict.TLE and out.timed_out, verdict
    assert out.stdout.split() == [str(FILE_MB << 20).encode()]  # it read the whole file before it was stopped
    # Python itself needs about 10 MiB; the cgroup's peak would have counted the 96 MiB of cache too.
    assert 0 < out.memory_kb < 40 * 1024, out.memory_kb
