"""What the judge caches, under which keys, and the warmers that fill it ahead of readers."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db.models import Count, Q

from celeriac_site.judge.models import Problem, SearchHistory

PROBLEM_LIST_KEY = "problem_list:recent"
PROBLEM_DETAIL_KEY = "problem:{pk}"
USER_STATS_KEY = "user_stats:{user}"
#: Warmers run every 5 and 15 minutes; entries live a little longer so readers never see a gap.
PROBLEM_TTL_S = 600
USER_STATS_TTL_S = 1800
WARM_PROBLEMS_LIMIT = 100
ACTIVE_USERS_LIMIT = 200


def problem_payload(p: Problem) -> dict[str, Any]:
    return {
        "id": p.pk,
        "platform": p.platform,
        "problem_id": p.problem_id,
        "title": p.title,
        "time_limit_ms": p.time_limit_ms,
        "memory_limit_mb": p.memory_limit_mb,
        "submissions": p.submission_count,
        "accepted": p.accepted_count,
    }


def warm_problems() -> int:
    """The recent problem list and each problem's summary: one query, one pipelined write."""
    fields = (
        "id",
        "platform",
        "problem_id",
        "title",
        "time_limit_ms",
        "memory_limit_mb",
        "submission_count",
        "accepted_count",
    )
    problems = list(Problem.objects.only(*fields).order_by("-created")[:WARM_PROBLEMS_LIMIT])
    payloads = [problem_payload(p) for p in problems]
    entries: dict[str, Any] = {PROBLEM_DETAIL_KEY.format(pk=p["id"]): p for p in payloads}
    entries[PROBLEM_LIST_KEY] = payloads
    cache.set_many(entries, timeout=PROBLEM_TTL_S)
    return len(payloads)


def warm_user_stats() -> int:
    """Submission and acceptance counts of the most recently active users, aggregated in one query."""
    rows = (
        SearchHistory.objects.values("user_identifier")
        .annotate(submissions=Count("id"), accepted=Count("id", filter=Q(verdict="AC")))
        .order_by("-submissions")[:ACTIVE_USERS_LIMIT]
    )
    entries = {USER_STATS_KEY.format(user=r["user_identifier"]): dict(r) for r in rows}
    cache.set_many(entries, timeout=USER_STATS_TTL_S)
    return len(entries)
