"""The slot pool: exclusive leases, and never one uid for two boxes, whatever the pools' uid bases."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from celeriac_site.judge.sandbox.errors import SandboxUnavailable
from celeriac_site.judge.sandbox.slots import SlotPool

# Far above any uid in /etc/passwd, so every slot of these pools is usable.
BASE = 3_900_000


def test_leases_are_exclusive_until_released(tmp_path: Path) -> None:
    pool = SlotPool(uid_base=BASE, size=3, lock_dir=tmp_path)
    held = [pool.acquire() for _ in range(3)]
    assert len({lease.slot for lease in held}) == 3
    with pytest.raises(SandboxUnavailable, match="busy"):
        pool.acquire()
    held[1].release()
    again = pool.acquire()
    assert again.slot == held[1].slot


@pytest.mark.skipif(os.geteuid() != 0, reason="only a root worker gives each box its own uid")
def test_pools_with_overlapping_uid_ranges_never_share_a_uid(tmp_path: Path) -> None:
    # Slots 0..9 of the first pool are uids BASE..BASE+9; the second pool's slot 0 is BASE+5.
    first = SlotPool(uid_base=BASE, size=10, lock_dir=tmp_path)
    second = SlotPool(uid_base=BASE + 5, size=10, lock_dir=tmp_path)
    held = [first.acquire() for _ in range(10)]
    more = [second.acquire() for _ in range(5)]  # only BASE+10..BASE+14 are free
    assert sorted(lease.uid for lease in more) == list(range(BASE + 10, BASE + 15))
    assert not {lease.uid for lease in held} & {lease.uid for lease in more}
    assert all(lease.slot == lease.uid for lease in held + more)  # the uid names lock, cgroup and directory
    with pytest.raises(SandboxUnavailable):
        second.acquire()


@pytest.mark.skipif(os.geteuid() == 0, reason="a worker that is not root shares its uid with its boxes")
def test_without_root_boxes_share_the_workers_uid(tmp_path: Path) -> None:
    lease = SlotPool(uid_base=BASE, size=2, lock_dir=tmp_path).acquire()
    assert (lease.uid, lease.switch_uid) == (os.getuid(), False)
    assert lease.slot in (0, 1)
