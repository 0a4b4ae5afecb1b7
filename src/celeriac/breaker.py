"""Circuit breaker state machine (pure): closed -> open -> half-open -> closed."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from celeriac.workloads import BreakerPolicy


class BreakerMode(StrEnum):
    CLOSED = "closed"  #: calls flow; failures are counted in a sliding window
    OPEN = "open"  #: calls are refused until the cool-down has passed
    HALF_OPEN = "half_open"  #: one probe call is let through; its outcome decides


@dataclass(frozen=True)
class BreakerState:
    """Everything a breaker remembers; stored as one Redis hash so every worker shares it."""

    mode: BreakerMode = BreakerMode.CLOSED
    failures: tuple[float, ...] = ()
    opened_at: float | None = None
    probe_at: float | None = None


@dataclass(frozen=True)
class Decision:
    allowed: bool
    state: BreakerState
    retry_after_s: float = 0.0


def before_call(policy: BreakerPolicy, st: BreakerState, now: float) -> Decision:
    """May a call go ahead now? Moves open -> half-open once the cool-down has passed."""
    if st.mode is BreakerMode.CLOSED:
        return Decision(True, st)
    if st.mode is BreakerMode.OPEN:
        assert st.opened_at is not None
        wait = st.opened_at + policy.cooldown_s - now
        if wait > 0:
            return Decision(False, st, wait)
        return Decision(True, replace(st, mode=BreakerMode.HALF_OPEN, probe_at=now))
    # Half-open: one probe at a time. A probe that never reported back (its worker died) is
    # replaced after another cool-down, so the breaker cannot stay stuck half-open.
    assert st.probe_at is not None
    wait = st.probe_at + policy.cooldown_s - now
    if wait > 0:
        return Decision(False, st, wait)
    return Decision(True, replace(st, probe_at=now))


def on_success(st: BreakerState) -> BreakerState:
    """A success closes the breaker and forgets past failures."""
    if st.mode is BreakerMode.CLOSED and not st.failures:
        return st
    return BreakerState()


def on_failure(policy: BreakerPolicy, st: BreakerState, now: float) -> BreakerState:
    """Count a failure; ``failures`` within ``window_s`` open the breaker; a failed probe re-opens it."""
    if st.mode is BreakerMode.HALF_OPEN:
        return BreakerState(mode=BreakerMode.OPEN, opened_at=now)
    if st.mode is BreakerMode.OPEN:
        return st
    recent = (*tuple(t for t in st.failures if now - t < policy.window_s), now)
    if len(recent) >= policy.failures:
        return BreakerState(mode=BreakerMode.OPEN, opened_at=now)
    return replace(st, failures=recent)
