"""A per-item time limit from the database setting, enforced with SIGALRM where that is safe."""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType

from celeriac_site.media.pipeline.errors import ItemTimeout


def _alarm_usable() -> bool:
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        return False
    # Under gevent every greenlet runs on the main thread: an alarm would hit whichever one runs.
    gevent_monkey = sys.modules.get("gevent.monkey")
    return not (gevent_monkey is not None and gevent_monkey.is_module_patched("threading"))


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[bool]:
    """Raise :class:`ItemTimeout` in the block after ``seconds``; yields whether it is enforced.

    Enforced in a process's main thread (prefork pool children, management commands). Elsewhere
    (thread and gevent pools) the block runs unbounded and the task's declared time limits apply.
    """
    if seconds <= 0 or not _alarm_usable():
        yield False
        return

    def on_alarm(signum: int, frame: FrameType | None) -> None:
        raise ItemTimeout(f"processing took longer than the per-item timeout of {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield True
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
