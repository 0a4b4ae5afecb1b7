"""The legacy bridge's part of the main job: jobs through both paths, outputs compared one by one."""

from __future__ import annotations

import time

from celeriac_site.mainjob.report import Outcome, Section

JOBS = 40


def run(web_url: str | None) -> list[Section]:
    from celeriac.ops.compare.engine import run_compare
    from celeriac.ops.compare.source import load_source
    from celeriac_site.celery import app

    section = Section(f"bridge: {JOBS} evaluations through the legacy queue and Celery, compared")
    started = time.monotonic()
    report = run_compare(load_source(app, None), target="celeriac_site", jobs=JOBS, timeout_s=180)
    seconds = round(time.monotonic() - started, 2)
    counts = report.summary
    matched = counts.get("matched", 0)
    mismatched, missing = counts.get("mismatched", 0), counts.get("missing", 0)
    section.outcomes.append(
        Outcome(
            "outputs, exit codes, verdicts equal",
            "execution",
            "both",
            f"{JOBS} match",
            f"{matched} match, {mismatched} differ, {missing} missing",
            matched == JOBS and report.ok,
            seconds,
        )
    )
    return [section]
