"""The compare engine (celeriac.ops.compare): outcomes from data, findings, exit codes, per-path figures."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from celeriac.ops.compare import Difference, Outcome, Pair, PathResult, Progress, path_stats, run_compare
from celeriac.ops.compare.engine import build_report
from celeriac.ops.compare.source import SourceError, load_source
from celeriac.ops.report import Status


def result(latency_ms: float, finished_at: float, out: str = "3\n") -> PathResult:
    return PathResult({"verdict": "AC", "out": out}, latency_ms, finished_at)


def pair(i: int, *, legacy: bool = True, celery: bool = True, diffs: int = 0) -> Pair:
    return Pair(
        job_id=f"job{i}",
        submitted_at=100.0 + i,
        legacy=result(200, 100.2 + i) if legacy else None,
        celery=result(100, 100.1 + i) if celery else None,
        differences=tuple(Difference(f"tests[{k}].output", "3", "3\n") for k in range(diffs)),
    )


def test_a_missing_side_is_never_a_match_even_without_differences() -> None:
    assert pair(0, legacy=False).outcome is Outcome.MISSING
    assert pair(0, celery=False).missing == ("celery",)
    assert pair(0).outcome is Outcome.MATCH
    assert pair(0, diffs=1).outcome is Outcome.MISMATCH


def test_all_matching_passes_and_reports_both_paths() -> None:
    report = build_report([pair(i) for i in range(10)], target="t", source="s", fail_on_mismatch=True)
    assert report.exit_code == 0
    assert {f.id: f.status for f in report.findings} == {
        "CMP002": Status.PASS,
        "CMP003": Status.PASS,
        "CMP004": Status.PASS,
        "CMP005": Status.PASS,
    }
    assert report.summary["matched"] == 10 and report.summary["mismatch_rate"] == "0.00 %"


def test_mismatch_fails_only_with_fail_on_mismatch_and_shows_both_values() -> None:
    pairs = [pair(0), pair(1, diffs=2)]
    lenient = build_report(pairs, target="t", source="s", fail_on_mismatch=False)
    strict = build_report(pairs, target="t", source="s", fail_on_mismatch=True)
    assert lenient.exit_code == 0 and strict.exit_code == 1
    finding = next(f for f in strict.findings if f.id == "CMP003")
    assert "job1: tests[0].output: legacy '3' vs celery '3\\n' (+1 more)" in finding.message
    assert strict.summary["examples"][0]["differences"][0] == {
        "field": "tests[0].output",
        "legacy": "3",
        "celery": "3\n",
    }
    assert strict.summary["mismatch_rate"] == "50.00 %"


def test_missing_fails_with_fail_on_mismatch_and_names_the_side() -> None:
    report = build_report([pair(0), pair(1, legacy=False)], target="t", source="s", fail_on_mismatch=True)
    missing = next(f for f in report.findings if f.id == "CMP002")
    assert missing.failed and "legacy 1, celery 0" in missing.message
    assert report.summary["missing"] == 1 and report.exit_code == 1


def test_no_pairs_proves_nothing() -> None:
    report = build_report([], target="t", source="s", fail_on_mismatch=True)
    assert report.exit_code == 1 and report.findings[0].id == "CMP001"


def test_path_stats_throughput_and_percentiles() -> None:
    pairs = [pair(i) for i in range(60)]  # one per second, each path finishing within the second
    legacy = path_stats(pairs, "legacy")
    assert legacy is not None and legacy.results == 60
    assert legacy.p50_ms == 200 and legacy.p99_ms == 200
    assert 60 <= legacy.tasks_per_min <= 62  # 60 results over 59.2 s
    assert path_stats([pair(0, celery=False)], "celery") is None


class Source:
    def __init__(self, pairs: Sequence[Pair]) -> None:
        self.pairs = pairs
        self.calls: list[str] = []

    def run(self, jobs: int, *, timeout_s: float, progress: Progress) -> Sequence[Pair]:
        self.calls.append(f"run {jobs}")
        progress("results", jobs, jobs)
        return self.pairs[:jobs]

    def stored(self, *, since_s: float | None, limit: int) -> Sequence[Pair]:
        self.calls.append(f"stored {since_s} {limit}")
        return self.pairs


def test_run_compare_uses_run_or_stored() -> None:
    src = Source([pair(i) for i in range(5)])
    seen: list[int] = []
    a = run_compare(src, target="t", jobs=3, progress=lambda p, d, t: seen.append(d))
    b = run_compare(src, target="t", jobs=None, since_s=60, limit=9)
    assert src.calls == ["run 3", "stored 60 9"] and seen == [3]
    assert a.summary["jobs"] == 3 and b.summary["jobs"] == 5


class _App:
    def __init__(self, setting: str | None) -> None:
        self.conf = {"celeriac_compare_source": setting} if setting else {}


def test_load_source_from_the_app_setting_or_a_spec() -> None:
    here = f"{__name__}:SOURCE"
    assert load_source(_App(here)) is SOURCE
    assert isinstance(load_source(_App(None), f"{__name__}:source_factory"), Source)
    with pytest.raises(SourceError, match="names no compare source"):
        load_source(_App(None))
    with pytest.raises(SourceError, match="module:attr"):
        load_source(_App("no_colon"))
    with pytest.raises(SourceError, match="cannot load"):
        load_source(_App(f"{__name__}:nothing_here"))


SOURCE = Source([])


def source_factory() -> Source:
    return Source([])
