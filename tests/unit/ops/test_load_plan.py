"""Load plans: argument parsing, the declared mix, rates and Poisson arrivals."""

from __future__ import annotations

import itertools
import random
import statistics

import pytest

from celeriac import Declarations, Example, declare
from celeriac.ops.load.plan import (
    Plan,
    PlanError,
    TaskSpec,
    arrivals,
    declared_mix,
    parse_args,
    parse_rate,
    specs_from_options,
)


def test_rates_in_seconds_and_minutes() -> None:
    assert parse_rate("200/s") == 200.0
    assert parse_rate("200") == 200.0
    assert parse_rate("600/min") == 10.0
    assert parse_rate(" 2.5 / sec ") == 2.5
    for bad in ("fast", "-3/s", "10/h", ""):
        with pytest.raises(PlanError):
            parse_rate(bad)


def test_args_json_list_or_object() -> None:
    assert parse_args('[1, "a"]') == ((1, "a"), {})
    assert parse_args('{"ms": 3}') == ((), {"ms": 3})
    with pytest.raises(PlanError, match="not JSON"):
        parse_args("[1,")
    with pytest.raises(PlanError, match="JSON list"):
        parse_args("3")


def test_tasks_pair_with_args_by_position() -> None:
    specs = specs_from_options(["a.x", "a.y"], ["[1]"])
    assert specs == (TaskSpec("a.x", (1,), {}), TaskSpec("a.y", (), {}))
    with pytest.raises(PlanError, match="one --args per --task"):
        specs_from_options(["a.x"], ["[1]", "[2]"])


def test_plan_needs_exactly_one_pacing_and_something_to_send() -> None:
    spec = (TaskSpec("a.x"),)
    with pytest.raises(PlanError, match="either"):
        Plan(specs=spec, total=10)
    with pytest.raises(PlanError, match="either"):
        Plan(specs=spec, total=10, rate_per_s=5, concurrency=3)
    with pytest.raises(PlanError, match="nothing to send"):
        Plan(specs=(), total=10, concurrency=1)
    with pytest.raises(PlanError, match="at least 1"):
        Plan(specs=spec, total=0, concurrency=1)


def test_round_robin_keeps_the_mix_in_every_prefix() -> None:
    plan = Plan(specs=(TaskSpec("a"), TaskSpec("b"), TaskSpec("c")), total=7, concurrency=2)
    assert [plan.spec_for(i).name for i in range(7)] == ["a", "b", "c", "a", "b", "c", "a"]


def test_declared_mix_takes_cpu_and_io_examples_and_says_what_it_left_out() -> None:
    workloads = Declarations(
        declare("m.cpu", kind="cpu", queue="compute", example=Example(args=("x", 1), expect="y")),
        declare("m.io", kind="io", example=Example(kwargs={"ms": 2}, expect={})),
        declare("m.ai", kind="ai", example=Example(expect=1)),
        declare("m.plain", kind="io"),
        declare("m.setup", kind="io", example=Example(expect=1, setup=dict)),
    )
    specs, excluded = declared_mix(workloads)
    assert specs == (TaskSpec("m.cpu", ("x", 1), {}, "compute"), TaskSpec("m.io", (), {"ms": 2}, "io"))
    assert excluded == (
        "m.ai: kind ai is not load-tested by the mix",
        "m.plain: no example declared",
        "m.setup: its example needs a setup step",
    )
    only_compute, _ = declared_mix(workloads, ["compute"])
    assert [s.name for s in only_compute] == ["m.cpu"]


def test_arrivals_are_poisson_at_the_asked_rate() -> None:
    offsets = list(arrivals(100.0, 5000, random.Random(7)))
    assert offsets[0] == 0.0 and offsets == sorted(offsets)
    gaps = [b - a for a, b in itertools.pairwise(offsets)]
    assert statistics.mean(gaps) == pytest.approx(0.01, rel=0.05)
    # Exponential gaps: the spread is about the mean (fixed gaps would have none).
    assert statistics.stdev(gaps) == pytest.approx(0.01, rel=0.1)
    assert list(arrivals(100.0, 50, random.Random(7))) == offsets[:50]  # seeded: reproducible
