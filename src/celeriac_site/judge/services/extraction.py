"""Fetch a problem page, parse it, cache the result an hour, upsert the problem (≤ 3 queries)."""

from __future__ import annotations

from typing import Any

import httpx

from celeriac.contrib.django.caching import cached
from celeriac_site.judge.models import Problem, TestCase
from celeriac_site.judge.services.extract import ExtractError, parse

#: Seed 001: problem info cached for 1 hour.
EXTRACT_TTL_S = 3600
FETCH_TIMEOUT_S = 15.0
MAX_PAGE_BYTES = 2 * 1024 * 1024


@cached("judge:extract", ttl_s=EXTRACT_TTL_S, key=lambda url: url)
def fetch_info(url: str) -> dict[str, Any]:
    """Raises httpx.TransportError (transient: retried by the task) or ExtractError (permanent)."""
    if not url.startswith(("http://", "https://")):
        raise ExtractError(f"not an http(s) URL: {url!r}")
    with httpx.Client(timeout=FETCH_TIMEOUT_S, follow_redirects=True) as client:
        resp = client.get(url, headers={"User-Agent": "celeriac-judge/0.1"})
    if resp.status_code >= 400:
        raise ExtractError(f"{url} answered {resp.status_code}")
    if len(resp.content) > MAX_PAGE_BYTES:
        raise ExtractError(f"{url} is larger than {MAX_PAGE_BYTES // 1024} KB")
    return parse(resp.text, url).to_dict()


def extract(url: str) -> dict[str, Any]:
    """``{"ok": True, "problem": pk, ...info}``, or ``{"ok": False, "error": reason}`` for unusable pages."""
    try:
        info = fetch_info(url)
    except ExtractError as exc:
        return {"ok": False, "url": url, "error": str(exc)}
    fields = {
        "title": info["title"][:300],
        "time_limit_ms": info["time_limit_ms"],
        "memory_limit_mb": info["memory_limit_mb"],
        "statement": "\n\n".join(
            x for x in (info["statement"], info["input_spec"], info["output_spec"]) if x
        ),
        "metadata": {"source_url": url},
    }
    key = {"platform": info["platform"], "problem_id": info["problem_id"]}
    updated = Problem.objects.filter(**key).update(**fields)
    if updated:
        pk = Problem.objects.values_list("pk", flat=True).get(**key)
    else:
        problem = Problem.objects.create(**key, **fields)
        pk = problem.pk
        TestCase.objects.bulk_create(
            TestCase(
                problem=problem, position=i, input=inp, expected_output=out, source=TestCase.Source.SAMPLE
            )
            for i, (inp, out) in enumerate(info["samples"])
        )
    return {"ok": True, "created": not updated, "problem": pk, **info}
