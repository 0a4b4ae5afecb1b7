"""Helpers of the bridge tests: executor processes, problems, submitting through the API and waiting."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from celeriac_site.judge.problemset.submissions import APLUSB

SLOW_PYTHON = "import time\na, b = map(int, input().split())\ntime.sleep({s})\nprint(a + b)\n"
AC = {"python": APLUSB[("python", "AC")], "c": APLUSB[("c", "AC")]}


class Executor:
    """One ``python -m celeriac_site.bridge.executor`` process, in its own session."""

    def __init__(self, name: str, flags: Sequence[str], env: dict[str, str], log: Path) -> None:
        self.name = name
        self.log = log
        self._out = open(log, "wb")  # noqa: SIM115 - closed in stop()
        argv = [sys.executable, "-m", "celeriac_site.bridge.executor", "--name", name, *flags]
        self.proc = subprocess.Popen(
            argv,
            env={**os.environ, **env},
            stdout=self._out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def wait_registered(self, queue: Any, timeout_s: float = 30) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"executor {self.name} exited: {self.output()[-2000:]}")
            if queue.client.exists(queue.key("alive", self.name)) and "executor_start" in self.output():
                return
            time.sleep(0.05)
        raise RuntimeError(f"executor {self.name} did not register: {self.output()[-2000:]}")

    def kill9(self) -> None:
        """SIGKILL the whole group (the executor and the sandbox it is running), as an OOM kill would."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill9()
        self._out.close()

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def events(self, kind: str) -> list[dict[str, Any]]:
        out = []
        for line in self.output().splitlines():
            if line.startswith("{"):
                event = json.loads(line)
                if event.get("event") == kind:
                    out.append(event)
        return out


def make_problem(tests: int = 1, time_limit_ms: int = 2000) -> Any:
    from celeriac_site.judge.models import Problem, TestCase

    p = Problem.objects.create(
        platform="bridge-test", problem_id=uuid.uuid4().hex[:12], title="A+B", time_limit_ms=time_limit_ms
    )
    pairs = [(f"{i} {i + 2}\n", f"{2 * i + 2}\n") for i in range(1, tests + 1)]
    TestCase.objects.bulk_create(
        TestCase(problem=p, position=i, input=a, expected_output=b) for i, (a, b) in enumerate(pairs)
    )
    return p


def submit(client: Any, problem: Any, code: str, language: str = "python") -> dict[str, Any]:
    body = {"problem": problem.pk, "language": language, "code": code, "user_identifier": "bridge@test"}
    resp = client.post("/api/bridge/evaluations", data=json.dumps(body), content_type="application/json")
    assert resp.status_code == 202, resp.content
    data: dict[str, Any] = resp.json()
    return data


def poll(client: Any, job_id: str, timeout_s: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        data: dict[str, Any] = client.get(f"/api/bridge/evaluations/{job_id}").json()
        if data["status"] != "queued":
            return data
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} still queued after {timeout_s}s")


def wait_compared(job_ids: Sequence[str], timeout_s: float = 180) -> dict[str, Any]:
    """Sweep like the collector until every job has a comparison; {job_id: Comparison}."""
    from celeriac_site.bridge.models import Comparison, Evaluation
    from celeriac_site.bridge.services import results

    pks = list(Evaluation.objects.filter(job_id__in=job_ids).values_list("pk", flat=True))
    deadline = time.monotonic() + timeout_s
    while True:
        results.collect(only=pks)
        found = {
            c.evaluation.job_id: c
            for c in Comparison.objects.filter(evaluation_id__in=pks).select_related("evaluation")
        }
        if len(found) == len(job_ids):
            return found
        if time.monotonic() > deadline:
            raise AssertionError(
                f"{len(job_ids) - len(found)} of {len(job_ids)} jobs not compared in {timeout_s}s"
            )
        time.sleep(0.5)
