"""The periodic summary: the compare report over a window of settled mirrored traffic, stored as a row."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from celeriac.ops.compare import Pair, build_report
from celeriac_site.bridge.models import BridgeSettings, Summary
from celeriac_site.bridge.services import pairs

#: The window one summary covers; the beat entry runs it as often.
PERIOD_S = 300
#: A first summary (or one after a long pause) reaches back at most this far.
MAX_WINDOW = dt.timedelta(days=1)


def report_data(got: list[Pair], source: str) -> dict[str, Any]:
    report = build_report(got, target="bridge", source=source, fail_on_mismatch=False)
    return {**report.summary, "findings": report.to_dict()["findings"]}


def live(window_s: float, now: dt.datetime | None = None) -> dict[str, Any]:
    """The report over the last ``window_s`` seconds, leaving out jobs whose results may still come."""
    now = now or timezone.now()
    timeout = dt.timedelta(seconds=BridgeSettings.load().result_timeout_s)
    rows = list(pairs.mirrored(now - dt.timedelta(seconds=window_s)).order_by("submitted_at"))
    settled = [ev for ev in rows if not pairs.in_flight(ev, now, timeout)]
    data = report_data(pairs.to_pairs(settled), f"live mirrored traffic of the last {window_s:.0f} s")
    data["in_flight"] = len(rows) - len(settled)
    return data


def summarize(now: dt.datetime | None = None, period_s: int = PERIOD_S) -> Summary | None:
    """Counts, mismatch rate, examples, throughput and p50/p99 per path; stored as a Summary row.

    A window ends one result timeout ago, so every job in it has both results or is missing for good;
    windows follow each other without gap or overlap. None when no new window has closed yet.
    """
    now = now or timezone.now()
    end = now - dt.timedelta(seconds=BridgeSettings.load().result_timeout_s)
    last = Summary.objects.order_by("-period_end").only("period_end").first()
    start = last.period_end if last is not None else end - dt.timedelta(seconds=period_s)
    start = max(start, end - MAX_WINDOW)
    if end <= start:
        return None
    rows = pairs.mirrored(start).filter(submitted_at__lt=end).order_by("submitted_at")
    data = report_data(
        pairs.to_pairs(rows), f"mirrored traffic submitted {start:%H:%M:%S}-{end:%H:%M:%S} UTC"
    )
    return Summary.objects.create(
        period_start=start,
        period_end=end,
        jobs=data["jobs"],
        matched=data["matched"],
        mismatched=data["mismatched"],
        missing=data["missing"],
        data=data,
    )
