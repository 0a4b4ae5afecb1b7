"""The input-spec language: validation with clear messages, ranges from constraints, real programs."""

from __future__ import annotations

import subprocess
import sys

import pytest

from celeriac_site.judge.services.specgen import (
    SpecError,
    compile_generator,
    normalise,
    ranges_from_constraints,
)


def run(program: str, seed: int) -> str:
    return subprocess.run(
        [sys.executable, "-c", program], input=f"{seed}\n", capture_output=True, text=True, check=True
    ).stdout


def test_ranges_from_constraints() -> None:
    got = ranges_from_constraints("1 ≤ A, B ≤ 10\n1 <= n <= 1e5 and -1000 ≤ a_i ≤ 1000")
    assert got == {"A": (1, 10), "B": (1, 10), "n": (1, 100000), "a": (-1000, 1000)}


def test_program_respects_ranges_and_layout() -> None:
    spec = {
        "vars": {
            "n": {"int": [1, 5]},
            "a": {"array": "n", "of": {"int": [-3, 3]}},
            "s": {"string": [2, 4], "alphabet": "xy"},
        },
        "lines": [["n"], ["a"], ["s"]],
    }
    program = compile_generator(spec)
    for seed in range(20):
        lines = run(program, seed).splitlines()
        n = int(lines[0])
        items = [int(x) for x in lines[1].split()]
        assert 1 <= n <= 5 and len(items) == n and all(-3 <= x <= 3 for x in items)
        assert 2 <= len(lines[2]) <= 4 and set(lines[2]) <= {"x", "y"}
    assert run(program, 7) == run(program, 7), "same seed, same input"


def test_range_taken_from_constraints_text() -> None:
    program = compile_generator(
        {"vars": {"A": {"int": None}, "B": {"int": None}}, "lines": [["A", "B"]]}, "1 ≤ A, B ≤ 10"
    )
    for seed in range(10):
        a, b = map(int, run(program, seed).split())
        assert 1 <= a <= 10 and 1 <= b <= 10


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("{not json", "not valid JSON"),
        ({"vars": []}, '"vars"'),
        ({"vars": {"n": {"int": [5, 1]}}, "lines": [["n"]]}, "above high"),
        ({"vars": {"n": {"int": None}}, "lines": [["n"]]}, "constraints do not give one"),
        ({"vars": {"a": {"array": "m", "of": {"int": [1, 2]}}}, "lines": [["a"]]}, "earlier int variable"),
        ({"vars": {"n": {"int": [1, 2]}}, "lines": [["m"]]}, "declared variables"),
        ({"vars": {"n": {"bool": True}}, "lines": [["n"]]}, "unknown type"),
        (
            {
                "vars": {"n": {"int": [1, 10**9]}, "a": {"array": "n", "of": {"int": [1, 2]}}},
                "lines": [["a"]],
            },
            "length variable allows",
        ),
    ],
)
def test_malformed_specs_say_what_is_wrong(spec: object, message: str) -> None:
    with pytest.raises(SpecError, match=message):
        normalise(spec)
