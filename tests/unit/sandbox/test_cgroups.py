"""cgroup slots against a directory stand-in: what is written where, and how OOM kills are counted."""

from __future__ import annotations

from pathlib import Path

from celeriac_site.judge.sandbox.cgroups import Hierarchy, V1Slot, V2Slot, _mounts

MOUNTINFO = """\
30 24 0:26 / /sys/fs/cgroup rw - tmpfs tmpfs rw,mode=755
31 30 0:27 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
32 30 0:28 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
33 30 0:29 / /sys/fs/cgroup/unified rw,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate
40 24 8:1 / / rw,relatime - ext4 /dev/vda rw
"""


def test_mountinfo_parsing_finds_v1_controllers_and_v2() -> None:
    found = _mounts(MOUNTINFO)
    assert ("/sys/fs/cgroup/memory", "cgroup", {"rw", "memory"}) in found
    assert ("/sys/fs/cgroup/pids", "cgroup", {"rw", "pids"}) in found
    assert ("/sys/fs/cgroup/unified", "cgroup2", {"rw", "nsdelegate"}) in found
    assert all(fs in ("cgroup", "cgroup2") for _, fs, _ in found)


def _v2(tmp_path: Path) -> V2Slot:
    d = tmp_path / "slot-3"
    d.mkdir()
    for name, text in {
        "memory.max": "max\n",
        "memory.swap.max": "max\n",
        "memory.oom.group": "0\n",
        "pids.max": "max\n",
        "cgroup.procs": "",
        "memory.events": "low 0\nhigh 0\nmax 4\noom 1\noom_kill 1\n",
    }.items():
        (d / name).write_text(text)
    return V2Slot(d)


def test_v2_slot_writes_limits_and_counts_oom_kills(tmp_path: Path) -> None:
    slot = _v2(tmp_path)
    slot.prepare(64 * 1024 * 1024, 40)
    assert (slot.path / "memory.max").read_text() == str(64 * 1024 * 1024)
    assert (slot.path / "memory.swap.max").read_text() == "0"
    assert (slot.path / "memory.oom.group").read_text() == "1"
    assert (slot.path / "pids.max").read_text() == "40"
    assert slot.oom_kills() == 1
    (slot.path / "memory.events").write_text("oom 3\noom_kill 2\n")
    assert slot.oom_kills() == 2
    assert slot.procs_files() == [str(slot.path / "cgroup.procs")]
    assert slot.pids() == [] and slot.kill_all()


def _v1(tmp_path: Path, limit: int) -> V1Slot:
    mem, pids = tmp_path / "memory" / "slot-0", tmp_path / "pids" / "slot-0"
    mem.mkdir(parents=True)
    pids.mkdir(parents=True)
    (mem / "memory.limit_in_bytes").write_text(f"{limit}\n")
    (mem / "memory.memsw.limit_in_bytes").write_text(f"{limit}\n")
    (mem / "memory.oom_control").write_text("oom_kill_disable 0\nunder_oom 0\noom_kill 7\n")
    (mem / "cgroup.procs").write_text("")
    (pids / "pids.max").write_text("max\n")
    (pids / "cgroup.procs").write_text("")
    return V1Slot(mem, pids)


def test_v1_slot_writes_memory_and_swap_equal(tmp_path: Path) -> None:
    slot = _v1(tmp_path, 1 << 40)
    slot.prepare(128 << 20, 36)
    assert (slot.memory / "memory.limit_in_bytes").read_text() == str(128 << 20)
    assert (slot.memory / "memory.memsw.limit_in_bytes").read_text() == str(128 << 20)
    assert (slot.pids_dir / "pids.max").read_text() == "36"
    assert slot.oom_kills() == 7
    assert len(slot.procs_files()) == 2


def test_missing_counter_reads_as_zero(tmp_path: Path) -> None:
    slot = _v1(tmp_path, 1 << 30)
    (slot.memory / "memory.oom_control").unlink()
    assert slot.oom_kills() == 0


def test_hierarchy_creates_slot_directories(tmp_path: Path) -> None:
    roots = (tmp_path / "memory" / "g", tmp_path / "pids" / "g")
    for r in roots:
        r.mkdir(parents=True)
    slot = Hierarchy("v1", roots).slot(5)
    assert isinstance(slot, V1Slot)
    assert slot.memory == roots[0] / "slot-5" and slot.memory.is_dir() and slot.pids_dir.is_dir()
    v2 = Hierarchy("v2", (tmp_path / "v2",))
    (tmp_path / "v2").mkdir()
    assert isinstance(v2.slot(1), V2Slot)
