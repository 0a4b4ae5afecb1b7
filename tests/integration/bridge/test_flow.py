"""The dual-write gateway end to end: the API, both paths on real processes, answers and comparisons."""

from __future__ import annotations

import json
from typing import Any

import pytest

from celeriac_site.judge.problemset.submissions import APLUSB
from tests.integration.bridge.helpers import AC, poll, submit, wait_compared

pytestmark = pytest.mark.integration

KINDS = [("python", "AC"), ("c", "AC"), ("python", "WA"), ("python", "RE"), ("python", "CE"), ("c", "CE")]


def test_mirror_mode_answers_from_the_answering_path_and_both_results_match(
    client: Any, executors: Any, celery_path: Any, switches: Any, problem: Any
) -> None:
    executors("executor-1")
    executors("executor-2")
    switches(mode="mirror", answer="legacy", shadow_percentage=100)
    p = problem(tests=2)
    sent = [(want, submit(client, p, APLUSB[(lang, want)], lang)) for lang, want in KINDS]
    assert all(s["paths"] == ["legacy", "celery"] and s["answer_path"] == "legacy" for _, s in sent)
    for want, s in sent:
        got = poll(client, s["id"])
        assert (got["status"], got["answered_by"], got["fallback"]) == ("completed", "legacy", False)
        assert got["result"]["verdict"] == want
    compared = wait_compared([s["id"] for _, s in sent])
    assert {c.outcome for c in compared.values()} == {"match"}, [c.differences for c in compared.values()]
    ev = next(iter(compared.values())).evaluation
    assert ev.legacy_runner.startswith("executor-") and ev.celery_runner


def test_celery_mode_sends_to_celery_only(client: Any, celery_path: Any, switches: Any, problem: Any) -> None:
    switches(mode="celery")
    s = submit(client, problem(), AC["python"])
    assert s["paths"] == ["celery"] and s["answer_path"] == "celery"
    got = poll(client, s["id"])
    assert got["answered_by"] == "celery" and got["result"]["verdict"] == "AC"


def test_bad_input_is_a_4xx_with_a_reason(client: Any, switches: Any, problem: Any) -> None:
    from celeriac_site.bridge.models import Evaluation
    from celeriac_site.judge.models import Problem

    def post(body: dict[str, Any]) -> Any:
        return client.post("/api/bridge/evaluations", data=json.dumps(body), content_type="application/json")

    before = Evaluation.objects.count()
    p = problem()
    ok = {"problem": p.pk, "language": "python", "code": "print(1)", "user_identifier": "u"}
    cases = [
        ({**ok, "language": "cobol"}, 422, "unknown language"),
        ({**ok, "code": "  "}, 422, "empty"),
        ({**ok, "user_identifier": ""}, 422, "user_identifier"),
        ({k: v for k, v in ok.items() if k != "code"}, 422, "code"),
        ({**ok, "problem": 10**9}, 404, "no problem"),
    ]
    empty = Problem.objects.create(platform="bridge-test", problem_id="empty-" + str(p.pk), title="none")
    cases.append(({**ok, "problem": empty.pk}, 422, "no test cases"))
    for body, status, message in cases:
        resp = post(body)
        assert resp.status_code == status, (body, resp.content)
        assert message in resp.json()["error"]
    assert client.get("/api/bridge/evaluations/nope").status_code == 404
    assert Evaluation.objects.count() == before, "a refused job must leave no row"


def test_openapi_schema_and_report(client: Any, switches: Any) -> None:
    switches(mode="mirror", answer="celery", shadow_percentage=40)
    schema = client.get("/api/bridge/openapi.json").json()
    assert "/api/bridge/evaluations" in schema["paths"]
    report = client.get("/api/bridge/report").json()
    assert report["switches"]["answer_path"] == "celery" and report["switches"]["shadow_percentage"] == 40
    assert {"matched", "mismatched", "missing", "legacy_path", "celery_path"} <= set(report["live"])
