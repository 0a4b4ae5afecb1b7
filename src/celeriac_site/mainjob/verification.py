"""The main job's last part: ``celeriac doctor`` and ``celeriac verify`` against the running deployment."""

from __future__ import annotations

import time

from celeriac_site.mainjob.report import Outcome, Section


def run(web_url: str | None) -> list[Section]:
    from celeriac.ops.doctor import run_doctor
    from celeriac.ops.verify import run_verify

    section = Section("verification: doctor and verify on the running deployment")
    for name, run in (
        ("doctor", lambda: run_doctor("celeriac_site")),
        ("verify", lambda: run_verify("celeriac_site")),
    ):
        started = time.monotonic()
        report = run()
        counts = report.counts()
        failed = [f.id for f in report.findings if f.failed]
        got = f"{counts['pass']} pass, {counts['warn']} warn, {counts['skip']} skip, {len(failed)} fail"
        if failed:
            got += f" ({', '.join(failed[:4])})"
        section.outcomes.append(
            Outcome(
                f"celeriac {name}", "all", "-", "0 fail", got, report.ok, round(time.monotonic() - started, 2)
            )
        )
    return [section]
