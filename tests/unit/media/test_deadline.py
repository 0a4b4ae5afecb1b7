"""The per-item deadline: fires in the main thread, stays out of other threads, restores the handler."""

from __future__ import annotations

import signal
import threading
import time

import pytest

from celeriac_site.media.pipeline.deadline import deadline
from celeriac_site.media.pipeline.errors import ItemTimeout


def test_fires_after_the_timeout() -> None:
    started = time.monotonic()
    with pytest.raises(ItemTimeout, match=r"per-item timeout of 0\.2 s"), deadline(0.2) as enforced:
        assert enforced
        time.sleep(5)
    assert time.monotonic() - started < 2


def test_does_not_fire_when_the_work_is_quick_and_restores_the_handler() -> None:
    before = signal.getsignal(signal.SIGALRM)
    with deadline(5):
        pass
    assert signal.getsignal(signal.SIGALRM) is before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_is_not_enforced_outside_the_main_thread() -> None:
    seen: list[bool] = []

    def work() -> None:
        with deadline(0.1) as enforced:
            seen.append(enforced)

    t = threading.Thread(target=work)
    t.start()
    t.join()
    assert seen == [False]


def test_zero_means_no_deadline() -> None:
    with deadline(0) as enforced:
        assert not enforced


def test_timeouts_are_retryable() -> None:
    assert ItemTimeout.retryable
