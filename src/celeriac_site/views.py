"""Site-wide views: the home page and a health probe."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, JsonResponse


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return JsonResponse({"ok": True})


def home(request: HttpRequest) -> JsonResponse:
    from celeriac_site.celery import topology

    return JsonResponse(
        {
            "service": "celeriac reference deployment",
            "queues": [
                {"name": q.name, "kind": q.kind.value, "tasks": list(q.tasks)} for q in topology.queues
            ],
            "links": {
                "admin": "/admin/",
                "health": "/healthz",
                "flower": "/flower/",
                "bridge_report": "/bridge/",
            },
        }
    )
