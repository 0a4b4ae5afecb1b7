"""A PNG chart of a load run's per-second series (matplotlib, imported only when asked for)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from celeriac.errors import CeleriacError


class PlotError(CeleriacError):
    """The chart cannot be drawn: matplotlib is missing or the file cannot be written."""


def write_png(series: Sequence[Mapping[str, Any]], path: Path, *, title: str) -> None:
    """Tasks sent/succeeded/failed per second above, p95 queue wait per second below."""
    try:
        import matplotlib

        matplotlib.use("Agg")  # no display needed: the chart goes straight to a file
        import matplotlib.pyplot as plt
    except ImportError:
        raise PlotError("--plot needs matplotlib: pip install matplotlib") from None
    t = [row["t_s"] for row in series]
    fig, (top, bottom) = plt.subplots(2, 1, sharex=True, figsize=(9, 6))
    for key, colour in (("sent", "tab:blue"), ("succeeded", "tab:green"), ("failed", "tab:red")):
        top.plot(t, [row[key] for row in series], label=key, color=colour)
    top.set_ylabel("tasks per second")
    top.legend(loc="upper right")
    top.set_title(title)
    waits = [row["wait_p95_ms"] for row in series]
    bottom.plot(t, [w if w is not None else float("nan") for w in waits], color="tab:orange")
    bottom.set_ylabel("p95 queue wait (ms)")
    bottom.set_xlabel("seconds since the first send")
    fig.tight_layout()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=100)
    except OSError as exc:
        raise PlotError(f"cannot write {path}: {exc}") from None
    finally:
        plt.close(fig)
