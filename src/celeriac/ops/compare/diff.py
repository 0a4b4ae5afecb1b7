"""Structural difference of two JSON-like values, one ``Difference`` per differing leaf (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from celeriac.ops.compare.model import Difference

_ABSENT: Any = type("Absent", (), {"__repr__": lambda self: "<absent>"})()


def diff(legacy: Any, celery: Any, *, path: str = "") -> list[Difference]:
    """Every place where ``legacy`` and ``celery`` differ, named like ``tests[2].output``.

    Mappings are compared key by key (a key on one side only is a difference, its other value
    ``None``), sequences element by element (a length difference is reported once, as ``path.length``,
    besides the differing elements they share), anything else with ``==``. ``1`` and ``True`` differ:
    an exit code is not a flag.
    """
    if isinstance(legacy, Mapping) and isinstance(celery, Mapping):
        out: list[Difference] = []
        for key in sorted(set(legacy) | set(celery), key=str):
            out.extend(diff(legacy.get(key, _ABSENT), celery.get(key, _ABSENT), path=_join(path, str(key))))
        return out
    if _is_list(legacy) and _is_list(celery):
        out = []
        if len(legacy) != len(celery):
            out.append(Difference(_join(path, "length"), len(legacy), len(celery)))
        for i, (a, b) in enumerate(zip(legacy, celery, strict=False)):
            out.extend(diff(a, b, path=f"{path}[{i}]"))
        return out
    if type(legacy) is not type(celery) and not _both_numbers(legacy, celery):
        return [Difference(path or "value", _plain(legacy), _plain(celery))]
    if legacy != celery:
        return [Difference(path or "value", legacy, celery)]
    return []


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _is_list(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str | bytes)


def _both_numbers(a: Any, b: Any) -> bool:
    # int 3 and float 3.0 are the same number; bool is a number to Python but not to a comparison.
    return all(isinstance(x, int | float) and not isinstance(x, bool) for x in (a, b))


def _plain(value: Any) -> Any:
    return None if value is _ABSENT else value
