"""Pure backoff arithmetic: capped exponential delay with "equal jitter"."""

from __future__ import annotations

import random
from collections.abc import Callable

from celeriac.workloads import RetryPolicy


def backoff_bounds(attempt: int, base_s: float, cap_s: float, jitter: bool = True) -> tuple[float, float]:
    """The interval the delay before retry number ``attempt + 1`` falls in (``attempt`` counts from 0).

    The ceiling is ``min(cap_s, base_s * 2**attempt)``. With jitter the delay lies in the upper half of
    that ceiling ("equal jitter"): spread enough that a thousand tasks failing together do not come back
    together, never so short that a retry hammers a service that just failed.
    """
    if attempt < 0:
        raise ValueError("attempt counts from 0")
    ceiling = min(cap_s, base_s * 2.0 ** min(attempt, 62))
    return (ceiling / 2.0, ceiling) if jitter else (ceiling, ceiling)


def compute_backoff(
    attempt: int,
    *,
    base_s: float,
    cap_s: float,
    jitter: bool = True,
    rand: Callable[[], float] = random.random,
) -> float:
    """Seconds to wait before retry number ``attempt + 1``; ``rand`` returns a float in [0, 1)."""
    low, high = backoff_bounds(attempt, base_s, cap_s, jitter)
    return low + (high - low) * rand()


def delay_for(policy: RetryPolicy, attempt: int, rand: Callable[[], float] = random.random) -> float:
    """:func:`compute_backoff` with the numbers of a declared :class:`RetryPolicy`."""
    return compute_backoff(
        attempt, base_s=policy.backoff_base_s, cap_s=policy.backoff_cap_s, jitter=policy.jitter, rand=rand
    )


def is_transient(policy: RetryPolicy, exc: BaseException) -> bool:
    """Whether ``exc`` is one of the errors the policy declares worth retrying."""
    return bool(policy.on) and isinstance(exc, policy.on)
