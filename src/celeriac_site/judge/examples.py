"""Smoke examples for ``celeriac verify``: each sets up real rows and says what the output must be."""

from __future__ import annotations

import uuid
from typing import Any

from celeriac_site.judge.problemset.submissions import APLUSB

APLUSB_AC = APLUSB[("python", "AC")]


def _aplusb() -> Any:
    from celeriac_site.judge.problemset.load import load

    return next(p for p in load() if p.problem_id == "aplusb")


def execute_setup() -> dict[str, Any]:
    return {
        "problem_id": _aplusb().pk,
        "user_id": None,
        "user_identifier": "verify@celeriac",
        "is_code_public": False,
    }


def execute_check(out: Any) -> str | None:
    if out.get("verdict") != "AC" or out.get("passed") != out.get("total") or not out.get("total"):
        return f"expected AC on every test, got {out.get('verdict')} ({out.get('passed')}/{out.get('total')})"
    return None


def outputs_setup() -> dict[str, Any]:
    _aplusb()  # loads the whole problem set
    return {"platform": "local", "problem_id": "gcd"}


def script_setup() -> dict[str, Any]:
    from celeriac_site.judge.models import ScriptGenerationJob

    job = ScriptGenerationJob.objects.create(
        platform="verify",
        problem_id=uuid.uuid4().hex[:8],
        title="A+B",
        constraints="1 ≤ A, B ≤ 10",
        input_spec={"vars": {"A": {"int": None}, "B": {"int": None}}, "lines": [["A", "B"]]},
        num_cases=5,
    )
    return {"job_id": job.pk}


def script_check(out: Any) -> str | None:
    if out.get("status") != "completed" or out.get("cases") != 5:
        return f"expected a completed job with 5 cases, got {out}"
    return None


def hints_setup() -> dict[str, Any]:
    from celeriac_site.judge.models import SearchHistory

    results = [{"index": 0, "verdict": "WA", "expected_excerpt": "3\n", "stdout_excerpt": "4\n"}]
    history = SearchHistory.objects.create(
        problem=_aplusb(),
        code="print(4)",
        language="python",
        user_identifier="verify@celeriac",
        status="completed",
        verdict="WA",
        test_results=results,
        failed_count=1,
        total_count=1,
    )
    return {"history_id": history.pk}


def hints_check(out: Any) -> str | None:
    hints = out.get("hints") or []
    if not hints or not all(isinstance(h, str) and h for h in hints):
        return f"expected a list of hints, got {out}"
    return None


def warm_setup() -> dict[str, Any]:
    _aplusb()
    return {}


def at_least_one(out: Any) -> str | None:
    return None if isinstance(out, int) and out >= 1 else f"expected a count >= 1, got {out!r}"


def invalidate_setup() -> dict[str, Any]:
    from django.core.cache import cache

    tag = uuid.uuid4().hex[:8]
    cache.set_many({f"verify:{tag}:{i}": i for i in range(3)}, 60)
    return {"pattern": f"verify:{tag}:*"}
