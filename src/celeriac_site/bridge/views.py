"""The bridge's report page: the switches, both paths' figures, the latest mismatches and executors."""

from __future__ import annotations

from typing import Any

import redis
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from celeriac_site.bridge.models import BridgeSettings, Summary
from celeriac_site.bridge.services import gateway, summary

LIVE_WINDOW_S = 900


@staff_member_required
def report_page(request: HttpRequest) -> HttpResponse:
    sw = BridgeSettings.load()
    context: dict[str, Any] = {
        "switches": sw,
        "live": summary.live(LIVE_WINDOW_S),
        "window_min": LIVE_WINDOW_S // 60,
        "summaries": list(Summary.objects.order_by("-period_end")[:12]),
        "executors": [],
        "queue_depth": None,
        "queue_error": "",
    }
    try:
        queue = gateway.legacy_queue()
        context["executors"] = queue.executors()
        context["queue_depth"] = queue.depth()
    except redis.RedisError as exc:
        context["queue_error"] = f"queue Redis unavailable: {exc}"
    return render(request, "bridge/report.html", context)
