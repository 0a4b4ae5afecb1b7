"""Atomic status transitions on PostgreSQL: one owner per item, redelivery, dead claims, give-up."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest

from tests.integration.media.conftest import store
from tests.unit.media.samples import sample_jpeg

pytestmark = pytest.mark.integration

STALE = timedelta(minutes=3)


@pytest.fixture
def photo(media_root: object) -> Iterator[int]:
    pk = store("photo", sample_jpeg("coffee"))
    yield pk
    from celeriac_site.media.models import Photo

    Photo.objects.filter(pk=pk).delete()


def status(pk: int) -> tuple[str, int, str]:
    from celeriac_site.media.models import Photo

    p = Photo.objects.get(pk=pk)
    return p.processing_status, p.attempts, p.claim_token


def test_one_claim_wins_and_the_redelivered_task_takes_its_own_claim_back(photo: int) -> None:
    from celeriac_site.media.services.claims import Claim, claim
    from celeriac_site.media.services.kinds import PHOTOS

    assert claim(PHOTOS, photo, "task-a", STALE) is Claim.CLAIMED
    assert claim(PHOTOS, photo, "task-b", STALE) is Claim.BUSY
    assert claim(PHOTOS, photo, "task-a", STALE) is Claim.CLAIMED  # same task id: a redelivery
    assert status(photo) == ("processing", 2, "task-a")


def test_completed_missing_and_failed_for_good_are_not_claimed(photo: int) -> None:
    from celeriac_site.media.models import Photo
    from celeriac_site.media.services.claims import Claim, claim, fail
    from celeriac_site.media.services.kinds import PHOTOS

    assert claim(PHOTOS, 999_999_999, "t", STALE) is Claim.MISSING
    claim(PHOTOS, photo, "t", STALE)
    assert fail(PHOTOS, photo, "other", "not mine", retryable=False) is False  # lost claims cannot fail it
    assert fail(PHOTOS, photo, "t", "the file is missing", retryable=False) is True
    assert claim(PHOTOS, photo, "t2", STALE) is Claim.DONE
    Photo.objects.filter(pk=photo).update(processing_status="failed", failure_retryable=True)
    assert claim(PHOTOS, photo, "t3", STALE) is Claim.CLAIMED  # failed-retryable goes round again
    Photo.objects.filter(pk=photo).update(processing_status="completed")
    assert claim(PHOTOS, photo, "t4", STALE) is Claim.DONE


def test_a_dead_claim_is_taken_over_and_a_cursed_item_is_given_up(photo: int) -> None:
    from django.utils import timezone

    from celeriac_site.media.models import Photo
    from celeriac_site.media.services.claims import Claim, claim
    from celeriac_site.media.services.kinds import PHOTOS

    claim(PHOTOS, photo, "dead-worker", STALE)
    Photo.objects.filter(pk=photo).update(claimed_at=timezone.now() - STALE - timedelta(seconds=1))
    assert claim(PHOTOS, photo, "next", STALE) is Claim.CLAIMED
    Photo.objects.filter(pk=photo).update(attempts=3, claimed_at=timezone.now() - STALE * 2)
    assert claim(PHOTOS, photo, "again", STALE) is Claim.GAVE_UP
    item = Photo.objects.get(pk=photo)
    assert item.processing_status == "failed" and not item.failure_retryable
    assert item.failure_reason.startswith("gave up after 3 attempts")


def test_concurrent_claims_have_exactly_one_winner(photo: int) -> None:
    from django.db import connections

    from celeriac_site.media.services.claims import Claim, claim
    from celeriac_site.media.services.kinds import PHOTOS

    results: list[Claim] = []
    start = threading.Barrier(8)

    def race(i: int) -> None:
        start.wait()
        try:
            results.append(claim(PHOTOS, photo, f"racer-{i}", STALE))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=race, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == sorted([Claim.CLAIMED] + [Claim.BUSY] * 7)


def test_claim_next_hands_each_item_to_one_taker(media_root: object) -> None:
    from django.db import connections

    from celeriac_site.media.models import Photo
    from celeriac_site.media.services.claims import claim_next
    from celeriac_site.media.services.kinds import PHOTOS

    data = sample_jpeg("rocket")
    mine = {store("photo", data) for _ in range(12)}
    taken: dict[str, list[int]] = {}

    def take(token: str) -> None:
        got: list[int] = []
        try:
            while (pk := claim_next(PHOTOS, token, STALE)) is not None:
                got.append(pk)
        finally:
            connections.close_all()
        taken[token] = got

    threads = [threading.Thread(target=take, args=(f"taker-{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    everything = [pk for got in taken.values() for pk in got]
    try:
        assert len(everything) == len(set(everything)), "an item was claimed twice"
        assert mine <= set(everything)
    finally:
        # leave other tests' items as they were, and remove ours
        Photo.objects.filter(pk__in=set(everything) - mine).update(
            processing_status="pending", claim_token=""
        )
        Photo.objects.filter(pk__in=mine).delete()


def test_sweep_releases_dead_claims(media_root: object) -> None:
    from django.utils import timezone

    from celeriac_site.media.models import Photo
    from celeriac_site.media.services.claims import sweep
    from celeriac_site.media.services.kinds import PHOTOS

    data = sample_jpeg("coffee")
    alive, dead, cursed = (store("photo", data) for _ in range(3))
    old = timezone.now() - STALE * 2
    Photo.objects.filter(pk=alive).update(
        processing_status="processing", claimed_at=timezone.now(), attempts=1
    )
    Photo.objects.filter(pk=dead).update(processing_status="processing", claimed_at=old, attempts=1)
    Photo.objects.filter(pk=cursed).update(processing_status="processing", claimed_at=old, attempts=3)
    assert sweep(PHOTOS, STALE) >= 2
    states = dict(Photo.objects.filter(pk__in=[alive, dead, cursed]).values_list("pk", "processing_status"))
    assert states == {alive: "processing", dead: "pending", cursed: "failed"}
    Photo.objects.filter(pk__in=[alive, dead, cursed]).delete()
