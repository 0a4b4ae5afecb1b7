"""The gateway's decisions, pure: where a job goes, who answers, what a failed send or a late path does."""

from __future__ import annotations

import uuid

import pytest

from celeriac_site.bridge.services.routing import (
    Answer,
    Mode,
    PathName,
    Route,
    Status,
    Switches,
    after_send_failure,
    bucket,
    pick_answer,
    route,
)

L, C = PathName.LEGACY, PathName.CELERY
IDS = [uuid.UUID(int=i).hex for i in range(2000)]


def test_single_path_modes_ignore_answer_and_shadow() -> None:
    assert route(Switches(Mode.LEGACY, C, 100), IDS[0]) == Route(frozenset({L}), L)
    assert route(Switches(Mode.CELERY, L, 100), IDS[0]) == Route(frozenset({C}), C)


@pytest.mark.parametrize("answer", [L, C])
def test_mirror_always_sends_to_the_answering_path(answer: PathName) -> None:
    for job in IDS[:200]:
        r = route(Switches(Mode.MIRROR, answer, 30), job)
        assert answer in r.paths and r.answer is answer


def test_shadow_percentage_bounds_and_share() -> None:
    full = [route(Switches(Mode.MIRROR, L, 100), j) for j in IDS]
    none = [route(Switches(Mode.MIRROR, L, 0), j) for j in IDS]
    some = [route(Switches(Mode.MIRROR, L, 25), j) for j in IDS]
    assert all(r.both for r in full)
    assert not any(r.both for r in none)
    share = sum(r.both for r in some) / len(some)
    assert 0.21 < share < 0.29, share


def test_shadowing_is_stable_per_job() -> None:
    sw = Switches(Mode.MIRROR, C, 50)
    assert [route(sw, j).both for j in IDS[:100]] == [route(sw, j).both for j in IDS[:100]]
    assert all(0 <= bucket(j) < 100 for j in IDS)


def test_bad_shadow_percentage_is_refused() -> None:
    with pytest.raises(ValueError, match="outside 0-100"):
        route(Switches(Mode.MIRROR, L, 101), IDS[0])


def test_failed_send_hands_the_answer_to_the_other_path() -> None:
    both = Route(frozenset({L, C}), L)
    assert after_send_failure(both, frozenset({L})) == Route(frozenset({C}), C)
    assert after_send_failure(both, frozenset({C})) == Route(frozenset({L}), L)
    assert after_send_failure(both, frozenset({L, C})) is None
    assert after_send_failure(Route(frozenset({C}), C), frozenset({C})) is None


def answer(results: dict[PathName, bool], age_s: float, sent: dict[PathName, bool] | None = None) -> Answer:
    return pick_answer(
        L, results, sent or {L: True, C: True}, age_s, fallback_after_s=30, result_timeout_s=120
    )


def test_answering_path_answers_when_it_has_a_result() -> None:
    got = answer({L: True, C: True}, 1)
    assert (got.status, got.path, got.fallback) == (Status.COMPLETED, L, False)


def test_the_other_path_answers_only_once_the_answering_one_is_late() -> None:
    early = answer({L: False, C: True}, 5)
    late = answer({L: False, C: True}, 31)
    assert early.status is Status.QUEUED
    assert (late.status, late.path, late.fallback) == (Status.COMPLETED, C, True)


def test_the_other_path_answers_at_once_when_the_answering_one_never_got_the_job() -> None:
    got = answer({L: False, C: True}, 0.1, sent={L: False, C: True})
    assert (got.status, got.path) == (Status.COMPLETED, C)


def test_no_result_after_the_timeout_is_missing_not_queued() -> None:
    assert answer({L: False, C: False}, 119).status is Status.QUEUED
    assert answer({L: False, C: False}, 121).status is Status.MISSING
