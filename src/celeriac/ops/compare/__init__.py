"""``celeriac compare``: both paths' results of the same jobs, field by field; throughput and p99 per path."""

from celeriac.ops.compare.diff import diff
from celeriac.ops.compare.engine import build_report, run_compare
from celeriac.ops.compare.model import (
    PATHS,
    CompareSource,
    Difference,
    Outcome,
    Pair,
    PathResult,
    Progress,
)
from celeriac.ops.compare.source import SourceError, load_source
from celeriac.ops.compare.stats import PathStats, path_stats

__all__ = [
    "PATHS",
    "CompareSource",
    "Difference",
    "Outcome",
    "Pair",
    "PathResult",
    "PathStats",
    "Progress",
    "SourceError",
    "build_report",
    "diff",
    "load_source",
    "path_stats",
    "run_compare",
]
