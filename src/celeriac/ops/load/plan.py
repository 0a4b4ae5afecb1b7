"""What a load run sends and when: task specs, the declared mix, rates and randomized arrivals (pure)."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from celeriac.errors import CeleriacError
from celeriac.workloads import Kind, Workload

#: Kinds the declared mix draws from: short, local work. ``ai`` calls an outside API (its limits are
#: not ours to load-test) and ``maintenance`` runs one at a time by design.
MIX_KINDS = frozenset({Kind.CPU, Kind.IO})
_RATE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:/\s*(s|sec|m|min))?\s*$")


class PlanError(CeleriacError, ValueError):
    """The load plan given on the command line cannot be run (bad JSON, bad rate, nothing to send)."""


@dataclass(frozen=True)
class TaskSpec:
    """One task to send by name, with its arguments."""

    name: str
    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    queue: str | None = None  #: None: the app's routes decide


@dataclass(frozen=True)
class Plan:
    """``total`` tasks cycling through ``specs``, paced open-loop by ``rate_per_s`` or closed-loop by
    ``concurrency`` (tasks in flight)."""

    specs: tuple[TaskSpec, ...]
    total: int
    rate_per_s: float | None = None
    concurrency: int | None = None
    excluded: tuple[str, ...] = ()  #: declared workloads the mix left out, with the reason

    def __post_init__(self) -> None:
        if not self.specs:
            raise PlanError("nothing to send: give --task NAME (and --args JSON), or --mix")
        if self.total < 1:
            raise PlanError("--count must be at least 1")
        if (self.rate_per_s is None) == (self.concurrency is None):
            raise PlanError("give either --rate or --concurrency")
        if self.rate_per_s is not None and self.rate_per_s <= 0:
            raise PlanError("--rate must be above 0")
        if self.concurrency is not None and self.concurrency < 1:
            raise PlanError("--concurrency must be at least 1")

    def spec_for(self, index: int) -> TaskSpec:
        """Round-robin, so every prefix of the run has the same mix as the whole."""
        return self.specs[index % len(self.specs)]


def parse_rate(text: str) -> float:
    """``"200"``, ``"200/s"`` or ``"600/min"`` → tasks per second."""
    m = _RATE.match(text)
    if not m:
        raise PlanError(f"--rate {text!r}: write N/s or N/min, e.g. 200/s")
    value = float(m.group(1))
    return value / 60 if m.group(2) in {"m", "min"} else value


def parse_args(text: str) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """``--args`` JSON: a list is positional arguments, an object keyword arguments."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanError(f"--args {text!r} is not JSON: {exc.msg}") from None
    if isinstance(value, list):
        return tuple(value), {}
    if isinstance(value, dict):
        return (), value
    raise PlanError(f"--args {text!r}: give a JSON list (positional) or object (keyword arguments)")


def specs_from_options(names: Sequence[str], args: Sequence[str]) -> tuple[TaskSpec, ...]:
    """Pair each ``--task`` with the ``--args`` at the same position (no arguments when missing)."""
    if len(args) > len(names):
        raise PlanError(f"{len(args)} --args for {len(names)} --task: give one --args per --task")
    out = []
    for i, name in enumerate(names):
        positional, keywords = parse_args(args[i]) if i < len(args) else ((), {})
        out.append(TaskSpec(name=name, args=positional, kwargs=keywords))
    return tuple(out)


def declared_mix(
    workloads: Mapping[str, Workload], queues: Sequence[str] = ()
) -> tuple[tuple[TaskSpec, ...], tuple[str, ...]]:
    """Each declared workload's example, for cpu and io work (optionally only on ``queues``).

    Returns the specs and, for the workloads left out, why: the report lists them.
    """
    specs: list[TaskSpec] = []
    excluded: list[str] = []
    for name, wl in workloads.items():
        if queues and wl.queue not in queues:
            continue
        if wl.example is None:
            excluded.append(f"{name}: no example declared")
        elif wl.kind not in MIX_KINDS:
            excluded.append(f"{name}: kind {wl.kind.value} is not load-tested by the mix")
        elif wl.example.setup is not None:
            excluded.append(f"{name}: its example needs a setup step")
        else:
            specs.append(TaskSpec(name, wl.example.args, dict(wl.example.kwargs), wl.queue))
    return tuple(specs), tuple(excluded)


def arrivals(rate_per_s: float, total: int, rng: random.Random) -> Iterator[float]:
    """Offsets in seconds from the start of a Poisson arrival process at ``rate_per_s``.

    Exponential gaps, not fixed ones: a fixed gap locks onto the workers' polling phases and measures
    the phase, not the system (SPEC §3).
    """
    t = 0.0
    for _ in range(total):
        yield t
        t += rng.expovariate(rate_per_s)
