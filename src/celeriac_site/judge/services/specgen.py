"""The input-spec language: a JSON description of a test input, compiled into a generator program.

A spec names variables and the lines they are printed on::

    {"vars": {"n": {"int": [1, 100]},
              "a": {"array": "n", "of": {"int": [-1000, 1000]}},
              "s": {"string": [1, 20], "alphabet": "abc"}},
     "lines": [["n"], ["a"], ["s"]]}

- ``{"int": [lo, hi]}`` an integer in ``lo..hi``; ``{"int": null}`` (or no range) takes the range from the
  problem's constraints text (``1 ≤ A, B ≤ 10``, ``1 <= n <= 100``);
- ``{"float": [lo, hi], "digits": 3}``;
- ``{"string": [min_len, max_len], "alphabet": "..."}`` (default alphabet: lower-case letters);
- ``{"array": <length>, "of": <scalar spec>}`` where the length is a number or an earlier int variable;
- ``lines``: each line lists variables printed space-separated (an array prints its items).

Variables are generated in declaration order, so a length may refer to any earlier variable. The compiled
program is plain Python reading a seed from stdin; the judge runs it in the sandbox like any generator.
"""

from __future__ import annotations

import json
import re
import string
from typing import Any

#: Caps that keep a generated input within what a sandbox run may print.
MAX_ARRAY_LEN = 200_000
MAX_STRING_LEN = 100_000
MAX_VARS = 50


class SpecError(ValueError):
    """The input spec is malformed; the message says which variable and what to write instead."""


_BOUND = r"(-?\d+(?:\.\d+)?(?:e\d+)?)"
_NAMES = r"([A-Za-z_][\w]*(?:\s*,\s*[A-Za-z_][\w]*)*)"
_CONSTRAINT = re.compile(rf"{_BOUND}\s*(?:≤|<=|<)\s*{_NAMES}\s*(?:≤|<=|<)\s*{_BOUND}")


def ranges_from_constraints(text: str) -> dict[str, tuple[float, float]]:
    """``'1 ≤ A, B ≤ 10; 1 <= n <= 1e5'`` → ``{'A': (1, 10), 'B': (1, 10), 'n': (1, 100000)}``."""
    out: dict[str, tuple[float, float]] = {}
    for lo, names, hi in _CONSTRAINT.findall(text.replace("_i", "").replace("\u2264", "≤")):
        for name in re.split(r"\s*,\s*", names):
            out[name] = (float(lo), float(hi))
    return out


def _range(name: str, value: Any, constraints: dict[str, tuple[float, float]]) -> tuple[float, float]:
    if value is None:
        if name not in constraints:
            raise SpecError(f"variable {name!r} has no range and the constraints do not give one")
        return constraints[name]
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, int | float) for v in value)):
        raise SpecError(f"variable {name!r}: a range is [low, high], got {value!r}")
    lo, hi = float(value[0]), float(value[1])
    if lo > hi:
        raise SpecError(f"variable {name!r}: low {lo:g} is above high {hi:g}")
    return lo, hi


def _scalar(name: str, spec: Any, constraints: dict[str, tuple[float, float]]) -> dict[str, Any]:
    if not isinstance(spec, dict):
        raise SpecError(f"variable {name!r}: expected an object such as {{'int': [1, 10]}}, got {spec!r}")
    if "int" in spec:
        lo, hi = _range(name, spec["int"], constraints)
        return {"t": "int", "lo": int(lo), "hi": int(hi)}
    if "float" in spec:
        lo, hi = _range(name, spec["float"], constraints)
        digits = spec.get("digits", 3)
        if not isinstance(digits, int) or not 0 <= digits <= 12:
            raise SpecError(f"variable {name!r}: digits must be an int 0..12")
        return {"t": "float", "lo": lo, "hi": hi, "digits": digits}
    if "string" in spec:
        lo, hi = _range(name, spec["string"], constraints)
        alphabet = spec.get("alphabet", string.ascii_lowercase)
        if not isinstance(alphabet, str) or not alphabet or any(c.isspace() for c in alphabet):
            raise SpecError(f"variable {name!r}: alphabet must be a non-empty string without spaces")
        if hi > MAX_STRING_LEN or lo < 0:
            raise SpecError(f"variable {name!r}: string length must be within 0..{MAX_STRING_LEN}")
        return {"t": "str", "lo": int(lo), "hi": int(hi), "alphabet": alphabet}
    raise SpecError(f"variable {name!r}: unknown type; use int, float, string or array")


def normalise(spec: Any, constraints_text: str = "") -> dict[str, Any]:
    """Validate a spec and resolve ranges; the result is what :func:`compile_generator` embeds."""
    if isinstance(spec, str):
        try:
            spec = json.loads(spec)
        except json.JSONDecodeError as exc:
            raise SpecError(f"the spec is not valid JSON: {exc.msg} at line {exc.lineno}") from None
    if (
        not isinstance(spec, dict)
        or not isinstance(spec.get("vars"), dict)
        or not isinstance(spec.get("lines"), list)
    ):
        raise SpecError('a spec is an object with "vars" (an object) and "lines" (a list of lists)')
    constraints = ranges_from_constraints(constraints_text)
    if len(spec["vars"]) > MAX_VARS:
        raise SpecError(f"at most {MAX_VARS} variables")
    out_vars: list[tuple[str, dict[str, Any]]] = []
    ints: set[str] = set()
    for name, var in spec["vars"].items():
        if not re.fullmatch(r"[A-Za-z_]\w*", name):
            raise SpecError(f"variable name {name!r} must be an identifier")
        if isinstance(var, dict) and "array" in var:
            length = var["array"]
            if isinstance(length, str):
                if length not in ints:
                    raise SpecError(f"array {name!r}: its length {length!r} must be an earlier int variable")
            elif not isinstance(length, int) or not 0 <= length <= MAX_ARRAY_LEN:
                raise SpecError(f"array {name!r}: length must be 0..{MAX_ARRAY_LEN} or an int variable")
            out_vars.append(
                (name, {"t": "array", "len": length, "of": _scalar(name, var.get("of"), constraints)})
            )
        else:
            item = _scalar(name, var, constraints)
            out_vars.append((name, item))
            if item["t"] == "int":
                ints.add(name)
    names = {n for n, _ in out_vars}
    for line in spec["lines"]:
        if not isinstance(line, list) or not all(isinstance(v, str) and v in names for v in line):
            raise SpecError(f'line {line!r} must list declared variables, e.g. ["n", "m"]')
    for name, var in out_vars:
        if var["t"] == "array" and isinstance(var["len"], str):
            length_var = dict(out_vars)[var["len"]]
            if length_var["hi"] > MAX_ARRAY_LEN:
                raise SpecError(
                    f"array {name!r}: its length variable allows {length_var['hi']} > {MAX_ARRAY_LEN}"
                )
    return {"vars": out_vars, "lines": spec["lines"]}


_PROGRAM = """import random, sys
SPEC = {spec}
rng = random.Random(int(sys.stdin.readline() or 0))
def scalar(s):
    if s["t"] == "int":
        return rng.randint(s["lo"], s["hi"])
    if s["t"] == "float":
        return "%.*f" % (s["digits"], rng.uniform(s["lo"], s["hi"]))
    return "".join(rng.choice(s["alphabet"]) for _ in range(rng.randint(s["lo"], s["hi"])))
values = {{}}
for name, s in SPEC["vars"]:
    if s["t"] == "array":
        n = values[s["len"]] if isinstance(s["len"], str) else s["len"]
        values[name] = [scalar(s["of"]) for _ in range(int(n))]
    else:
        values[name] = scalar(s)
out = []
for line in SPEC["lines"]:
    parts = []
    for name in line:
        v = values[name]
        parts.extend(map(str, v) if isinstance(v, list) else [str(v)])
    out.append(" ".join(parts))
sys.stdout.write("\\n".join(out) + "\\n")
"""


def compile_generator(spec: Any, constraints_text: str = "") -> str:
    """A Python 3 program that prints one test input for the seed it reads on stdin."""
    return _PROGRAM.format(spec=repr(normalise(spec, constraints_text)))
