"""The judge end to end: the JSON API, real Celery workers, the real sandbox and PostgreSQL."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from celeriac_site.judge.problemset.submissions import APLUSB

pytestmark = pytest.mark.integration

SUBMIT_TIMEOUT_S = 120


@pytest.fixture(scope="module")
def judge_workers(
    tmp_path_factory: pytest.TempPathFactory, services: dict[str, str], celery_app: Any
) -> Iterator[None]:
    """The judge's families as the fleet runs them: cpu (prefork) for execution/generation, gevent for I/O."""
    from tests.integration.workers import start_worker

    tmp = tmp_path_factory.mktemp("judge-workers")
    started = [
        start_worker(
            tmp, services, queues=["execution", "generation"], pool="prefork", concurrency=2, family="cpu"
        ),
        start_worker(tmp, services, queues=["ai", "io"], pool="gevent", concurrency=20, family="io"),
    ]
    yield
    for w in started:
        w.stop()


@pytest.fixture(scope="module")
def problems(judge_workers: None, django_ready: None) -> dict[str, Any]:
    from celeriac_site.judge.problemset.load import load

    return {p.problem_id: p for p in load()}


@pytest.fixture
def client(django_ready: None) -> Any:
    from django.test import Client

    return Client()


def post(client: Any, path: str, body: Any) -> Any:
    return client.post(f"/api/judge/{path}", data=json.dumps(body), content_type="application/json")


def submit(client: Any, problem: int, language: str, code: str, **extra: Any) -> str:
    resp = post(
        client,
        "submissions",
        {
            "problem": problem,
            "language": language,
            "code": code,
            "user_identifier": "tester@example.com",
            **extra,
        },
    )
    assert resp.status_code == 202, resp.content
    return str(resp.json()["id"])


def result(client: Any, sid: str, timeout_s: float = SUBMIT_TIMEOUT_S) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        data: dict[str, Any] = client.get(f"/api/judge/submissions/{sid}").json()
        if data["status"] != "queued":
            return data
        time.sleep(0.2)
    raise AssertionError(f"submission {sid} still queued after {timeout_s}s")


@pytest.mark.slow
def test_every_language_gets_every_verdict_right(client: Any, problems: dict[str, Any]) -> None:
    aplusb = problems["aplusb"].pk
    sent = {key: submit(client, aplusb, key[0], code) for key, code in APLUSB.items()}
    wrong = {}
    for (language, want), sid in sent.items():
        got = result(client, sid)
        if got["verdict"] != want:
            wrong[(language, want)] = (got["verdict"], got["compile_output"][:200], got["tests"][:1])
        if want in ("AC", "WA"):
            assert got["total"] == 3 and all(t["time_ms"] > 0 for t in got["tests"])
    assert not wrong, wrong


def test_problem_set_reference_solutions_are_accepted(client: Any, problems: dict[str, Any]) -> None:
    sent = {pid: submit(client, p.pk, "python", p.reference_solution) for pid, p in problems.items()}
    verdicts = {pid: result(client, sid)["verdict"] for pid, sid in sent.items()}
    assert len(verdicts) >= 10
    assert set(verdicts.values()) == {"AC"}, verdicts


def test_fifty_concurrent_submissions_none_lost(client: Any, problems: dict[str, Any]) -> None:
    """Seed 000's load test: 50 submissions at once, all complete with the right verdict."""
    aplusb = problems["aplusb"].pk
    kinds = [("AC" if i % 3 else "WA") for i in range(50)]
    sent = [(kind, submit(client, aplusb, "python", APLUSB[("python", kind)])) for kind in kinds]
    got = [(kind, result(client, sid, timeout_s=240)["verdict"]) for kind, sid in sent]
    assert [g for _, g in got] == [k for k, _ in got]


def test_generated_outputs_match_the_hand_worked_ones(client: Any, problems: dict[str, Any]) -> None:
    from celeriac_site.judge.models import Problem, TestCase
    from celeriac_site.judge.problemset.problems import PROBLEMS

    spec = next(p for p in PROBLEMS if p.problem_id == "fib-mod")
    copy = Problem.objects.create(
        platform="copy",
        problem_id=uuid.uuid4().hex[:8],
        title=spec.title,
        reference_language="python",
        reference_solution=spec.reference,
    )
    TestCase.objects.bulk_create(
        TestCase(problem=copy, position=i, input=inp) for i, (inp, _) in enumerate(spec.tests)
    )
    resp = client.post(f"/api/judge/problems/{copy.pk}/outputs")
    assert resp.status_code == 202
    status = _wait_task(client, resp.json()["id"])
    assert status["result"] == {"ok": True, "updated": len(spec.tests)}
    got = list(
        TestCase.objects.filter(problem=copy).order_by("position").values_list("expected_output", flat=True)
    )
    assert [g.split() for g in got] == [exp.split() for _, exp in spec.tests]


def _wait_task(client: Any, task_id: str, timeout_s: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        data: dict[str, Any] = client.get(f"/api/judge/tasks/{task_id}").json()
        if data["state"] in ("SUCCESS", "FAILURE"):
            return data
        time.sleep(0.2)
    raise AssertionError(f"task {task_id} did not finish")


def test_generation_job_from_spec_runs_once(client: Any, judge_workers: None, celery_app: Any) -> None:
    from celeriac_site.judge.models import ScriptGenerationJob, TestCase
    from celeriac_site.judge.tasks import generate_script_task

    pid = uuid.uuid4().hex[:8]
    spec = {"vars": {"A": {"int": None}, "B": {"int": None}}, "lines": [["A", "B"]]}
    body = {
        "platform": "gen",
        "problem_id": pid,
        "title": "A+B",
        "constraints": "1 ≤ A, B ≤ 10",
        "input_spec": spec,
        "num_cases": 12,
    }
    resp = post(client, "jobs", body)
    assert resp.status_code == 202, resp.content
    job_id = resp.json()["id"]
    duplicates = [generate_script_task.delay(job_id) for _ in range(3)]  # sent again: must not run again
    deadline = time.monotonic() + 120
    while client.get(f"/api/judge/jobs/{job_id}").json()["status"] not in ("completed", "failed"):
        assert time.monotonic() < deadline
        time.sleep(0.2)
    for r in duplicates:
        r.get(timeout=60)
    job = ScriptGenerationJob.objects.get(pk=job_id)
    assert (job.status, job.generator_source, job.cases_created) == ("completed", "spec:v1", 12), job.error
    cases = list(TestCase.objects.filter(problem__platform="gen", problem__problem_id=pid))
    assert len(cases) == 12, "duplicate sends must not create cases twice"
    for case in cases:
        a, b = map(int, case.input.split())
        assert 1 <= a <= 10 and 1 <= b <= 10


def test_bad_input_gets_clear_4xx(client: Any, problems: dict[str, Any]) -> None:
    aplusb = problems["aplusb"].pk
    cases = [
        (
            {"problem": aplusb, "language": "cobol", "code": "x", "user_identifier": "u"},
            422,
            "unknown language",
        ),
        ({"problem": aplusb, "language": "python", "code": "  ", "user_identifier": "u"}, 422, "empty"),
        (
            {
                "problem": aplusb,
                "language": "python",
                "code": "#" * (1024 * 1024 + 1),
                "user_identifier": "u",
            },
            422,
            "over 1024 KB",
        ),
        (
            {"problem": 10**9, "language": "python", "code": "print(1)", "user_identifier": "u"},
            404,
            "no problem",
        ),
        ({"problem": aplusb, "language": "python"}, 422, "code"),
    ]
    for body, status, message in cases:
        resp = post(client, "submissions", body)
        assert resp.status_code == status, (body.get("language"), resp.content[:200])
        assert message in resp.json()["error"]
    bad_spec = {
        "platform": "gen",
        "problem_id": "x",
        "title": "t",
        "input_spec": {"vars": {"n": {"int": [5, 1]}}, "lines": [["n"]]},
    }
    resp = post(client, "jobs", bad_spec)
    assert resp.status_code == 422 and "above high" in resp.json()["error"]
    assert client.get("/api/judge/submissions/nope").status_code == 404
    assert client.get("/api/judge/openapi.json").json()["info"]["title"] == "Celeriac judge"


def test_non_utf8_output_is_judged_not_crashed(client: Any, problems: dict[str, Any]) -> None:
    sid = submit(
        client, problems["aplusb"].pk, "python", "import sys\nsys.stdout.buffer.write(b'\\xff\\xfe 3\\n')\n"
    )
    got = result(client, sid)
    assert got["status"] == "completed" and got["verdict"] == "WA"


def test_callback_url_receives_the_verdict(client: Any, problems: dict[str, Any]) -> None:
    received: list[dict[str, Any]] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/done"
        sid = submit(client, problems["aplusb"].pk, "python", APLUSB[("python", "AC")], callback_url=url)
        deadline = time.monotonic() + 60
        while not received:
            assert time.monotonic() < deadline, "no callback arrived"
            time.sleep(0.1)
        assert received[0]["submission"] == sid and received[0]["verdict"] == "AC"
    finally:
        server.shutdown()


def test_query_budgets_on_postgres(problems: dict[str, Any]) -> None:
    """Seed 000: execute_code_task ≤ 5, generate_outputs_task ≤ 5, generate_script_task ≤ 5 queries."""
    from celeriac.contrib.django.queries import count_queries
    from celeriac_site.judge import workloads as wl
    from celeriac_site.judge.models import ScriptGenerationJob, SearchHistory
    from celeriac_site.judge.services import execution, generation

    aplusb = problems["aplusb"]
    with count_queries() as q:  # the seed's direct call: the row is created by the task
        out = execution.execute(
            APLUSB[("python", "AC")], "python", aplusb.pk, None, "budget", False, uuid.uuid4().hex
        )
    assert out["verdict"] == "AC" and q.count <= (wl.EXECUTE_CODE.query_budget or 0), q.count
    tid = uuid.uuid4().hex
    SearchHistory.objects.create(
        task_id=tid, problem=aplusb, code="x", language="python", user_identifier="b"
    )
    with count_queries() as q:  # through the API: the row exists already
        execution.execute(APLUSB[("python", "WA")], "python", aplusb.pk, None, "budget", False, tid)
    assert q.count <= 3, q.count
    with count_queries() as q:
        assert generation.generate_outputs("local", "gcd")["ok"]
    assert q.count <= (wl.GENERATE_OUTPUTS.query_budget or 0), q.count
    job = ScriptGenerationJob.objects.create(
        platform="budget",
        problem_id=uuid.uuid4().hex[:8],
        title="t",
        input_spec={"vars": {"n": {"int": [1, 9]}}, "lines": [["n"]]},
        num_cases=100,
    )
    with count_queries() as q:
        assert generation.generate_script(job.pk)["status"] == "completed"
    assert q.count <= (wl.GENERATE_SCRIPT.query_budget or 0), q.count
