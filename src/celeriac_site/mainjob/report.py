"""What the main job reports: sections of checked outcomes, optionally with a matrix."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Outcome:
    """One demonstrated behaviour: what was sent, where it ran, what came back, and whether it is right."""

    check: str
    queue: str
    worker: str
    expected: str
    actual: str
    ok: bool
    seconds: float


@dataclass(frozen=True)
class Matrix:
    """A grid of results (language x expected verdict); a cell is the text shown and whether it is right."""

    corner: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, tuple[tuple[str, bool], ...]], ...]

    @property
    def cells(self) -> list[tuple[str, bool]]:
        return [cell for _, cells in self.rows for cell in cells]


@dataclass
class Section:
    title: str
    outcomes: list[Outcome] = field(default_factory=list)
    matrix: Matrix | None = None

    @property
    def checks(self) -> int:
        return len(self.outcomes) + (len(self.matrix.cells) if self.matrix else 0)

    @property
    def failures(self) -> list[str]:
        bad = [f"{o.check}: expected {o.expected}, got {o.actual}" for o in self.outcomes if not o.ok]
        if self.matrix:
            for row, cells in self.matrix.rows:
                for col, (text, ok) in zip(self.matrix.columns, cells, strict=True):
                    if not ok:
                        bad.append(f"{self.title} {row}/{col}: got {text}")
        return bad
