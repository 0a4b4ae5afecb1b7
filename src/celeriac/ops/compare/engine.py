"""Turn pairs into the compare report; run a source (fresh dual run or stored results) into one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from celeriac.ops.compare.model import PATHS, CompareSource, Outcome, Pair, Progress
from celeriac.ops.compare.stats import PathStats, all_path_stats
from celeriac.ops.report import Finding, Report, Severity, Status

EXAMPLES = 5  #: mismatches and missing jobs quoted in the report; the counts cover all of them
VALUE_CHARS = 80  #: characters of each side's value shown in a message (the JSON report has them whole)


def build_report(
    pairs: Sequence[Pair], *, target: str, source: str, fail_on_mismatch: bool, examples: int = EXAMPLES
) -> Report:
    """Findings for missing results, mismatches and each path's throughput and latency.

    With ``fail_on_mismatch`` a mismatch, a missing result or an empty set fails the report (exit 1);
    without it they are warnings, so a dashboard run never fails CI by accident.
    """
    severity = Severity.ERROR if fail_on_mismatch else Severity.WARNING
    report = Report(command="compare", target=target)
    by = {o: [p for p in pairs if p.outcome is o] for o in Outcome}
    stats = all_path_stats(pairs)
    report.summary = _summary(pairs, by, stats, source, examples)
    if not pairs:
        report.add(
            Finding(
                "CMP001",
                "jobs compared",
                Status.FAIL,
                severity,
                "no job was compared: nothing is proven",
                fix="run with --jobs N against a running deployment, or send traffic in mirror mode",
            )
        )
        return report
    report.add(_missing(by[Outcome.MISSING], len(pairs), severity, examples))
    report.add(_mismatches(by[Outcome.MISMATCH], len(pairs) - len(by[Outcome.MISSING]), severity, examples))
    for fid, path in zip(("CMP004", "CMP005"), PATHS, strict=True):
        report.add(_path_finding(fid, path, stats[path]))
    return report


def run_compare(
    source: CompareSource,
    *,
    target: str,
    jobs: int | None,
    since_s: float | None = None,
    limit: int = 10_000,
    timeout_s: float = 300.0,
    fail_on_mismatch: bool = False,
    progress: Progress = lambda phase, done, total: None,
) -> Report:
    """``jobs`` set: a fresh dual run of that many jobs; None: the stored results of live traffic."""
    if jobs is not None:
        pairs = source.run(jobs, timeout_s=timeout_s, progress=progress)
        kind = f"dual run of {jobs} jobs"
    else:
        pairs = source.stored(since_s=since_s, limit=limit)
        kind = "stored results" + (f" of the last {since_s:.0f} s" if since_s else "")
    return build_report(pairs, target=target, source=kind, fail_on_mismatch=fail_on_mismatch)


def _missing(missing: list[Pair], total: int, severity: Severity, examples: int) -> Finding:
    title = "a result from each path"
    if not missing:
        return Finding("CMP002", title, Status.PASS, Severity.INFO, f"all {total} jobs have both results")
    per_path = {path: sum(1 for p in missing if path in p.missing) for path in PATHS}
    lines = [f"{len(missing)} of {total} jobs lack a result: " + _counts(per_path)]
    lines += [f"job {p.job_id}: no {' and no '.join(p.missing)} result{_note(p)}" for p in missing[:examples]]
    return Finding(
        "CMP002",
        title,
        Status.FAIL,
        severity,
        "\n".join(lines),
        fix="check that the missing path's executors/workers run and reach their queue; a missing "
        "result is never counted as a match",
        details={"missing": [_example(p) for p in missing[:examples]], "per_path": per_path},
    )


def _mismatches(bad: list[Pair], compared: int, severity: Severity, examples: int) -> Finding:
    title = "output, exit code, error and verdict match"
    if not bad:
        msg = f"all {compared} jobs with both results match" if compared else "no job had both results"
        status = Status.PASS if compared else Status.SKIP
        return Finding("CMP003", title, status, Severity.INFO if compared else severity, msg)
    fields = sorted({d.field for p in bad for d in p.differences})
    lines = [
        f"{len(bad)} of {compared} jobs differ ({100 * len(bad) / compared:.1f} %) in " + ", ".join(fields)
    ]
    for p in bad[:examples]:
        first = p.differences[0]
        more = f" (+{len(p.differences) - 1} more)" if len(p.differences) > 1 else ""
        shown = f"legacy {_show(first.legacy)} vs celery {_show(first.celery)}"
        lines.append(f"job {p.job_id}: {first.field}: {shown}{more}")
    return Finding(
        "CMP003",
        title,
        Status.FAIL,
        severity,
        "\n".join(lines),
        fix="the paths must produce the same result for the same job: look at the field named and at "
        "what differs between the legacy executor and the Celery task (output post-processing, limits)",
        details={"mismatches": [_example(p) for p in bad[:examples]], "fields": fields},
    )


def _path_finding(fid: str, path: str, stats: PathStats | None) -> Finding:
    title = f"{path} path: throughput and latency"
    if stats is None:
        return Finding(fid, title, Status.SKIP, Severity.INFO, f"no {path} result to measure")
    return Finding(fid, title, Status.PASS, Severity.INFO, stats.line(), details=stats.to_dict())


def _summary(
    pairs: Sequence[Pair],
    by: dict[Outcome, list[Pair]],
    stats: dict[str, PathStats | None],
    source: str,
    examples: int,
) -> dict[str, Any]:
    compared = len(pairs) - len(by[Outcome.MISSING])
    out: dict[str, Any] = {
        "source": source,
        "jobs": len(pairs),
        "matched": len(by[Outcome.MATCH]),
        "mismatched": len(by[Outcome.MISMATCH]),
        "missing": len(by[Outcome.MISSING]),
        "mismatch_rate": f"{100 * len(by[Outcome.MISMATCH]) / compared:.2f} %" if compared else "n/a",
    }
    for path in PATHS:
        st = stats[path]
        out[f"{path}_path"] = st.line() if st else "no result"
    out["paths"] = {path: (st.to_dict() if st else None) for path, st in stats.items()}
    out["examples"] = [_example(p) for p in (by[Outcome.MISMATCH] + by[Outcome.MISSING])[:examples]]
    return out


def _example(p: Pair) -> dict[str, Any]:
    return {
        "job": p.job_id,
        "outcome": p.outcome.value,
        "missing": list(p.missing),
        "note": p.note,
        "differences": [d.to_dict() for d in p.differences],
        "legacy": dict(p.legacy.payload) if p.legacy else None,
        "celery": dict(p.celery.payload) if p.celery else None,
    }


def _counts(per_path: dict[str, int]) -> str:
    return ", ".join(f"{path} {n}" for path, n in per_path.items())


def _note(p: Pair) -> str:
    return f" ({p.note})" if p.note else ""


def _show(value: Any) -> str:
    # repr, so that the whitespace a difference is made of stays visible ('3' vs '3\n').
    text = repr(value)
    return text if len(text) <= VALUE_CHARS else text[: VALUE_CHARS - 1] + "…"
