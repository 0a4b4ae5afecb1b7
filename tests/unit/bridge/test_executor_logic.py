"""The legacy executor's handling of one delivery, with a stub runner: quirks, bad payloads, poison jobs."""

from __future__ import annotations

from typing import Any

from celeriac_site.bridge import conf
from celeriac_site.bridge.services.executor import Options, evaluate
from celeriac_site.bridge.services.jobspec import JobSpec
from celeriac_site.bridge.services.legacy_queue import Delivery

SPEC = JobSpec("j1", "python", "print(3)\n", (("", "3\n"), ("", "3\n")), 2000, 256)


class Runner:
    """Records the spec it was given; answers with an output that has trailing whitespace."""

    def __init__(self) -> None:
        self.specs: list[JobSpec] = []

    def __call__(self, spec: JobSpec) -> dict[str, Any]:
        self.specs.append(spec)
        tests = [{"verdict": "AC", "stdout_excerpt": "3 \n", "exit_code": 0} for _ in spec.tests]
        return {"verdict": "AC", "error": "", "tests": tests}


def deliver(raw: str | None = SPEC.to_json(), deliveries: int = 1) -> Delivery:
    return Delivery("j1", raw, deliveries)


def test_plain_executor_passes_the_job_and_the_output_through() -> None:
    run = Runner()
    out = evaluate(deliver(), Options(name="e"), run)
    assert run.specs == [SPEC]
    assert [t["stdout_excerpt"] for t in out["tests"]] == ["3 \n", "3 \n"]


def test_trim_quirk_strips_every_output_on_the_right() -> None:
    out = evaluate(deliver(), Options(name="e", trim_trailing_whitespace=True), Runner())
    assert [t["stdout_excerpt"] for t in out["tests"]] == ["3", "3"]


def test_time_limit_quirk_changes_the_limit_the_runner_gets() -> None:
    run = Runner()
    evaluate(deliver(), Options(name="e", time_limit_ms=100), run)
    assert run.specs[0].time_limit_ms == 100 and run.specs[0].tests == SPEC.tests


def test_invalid_payload_is_answered_ie_with_the_reason_not_run() -> None:
    run = Runner()
    out = evaluate(deliver('{"job_id": "j1"}'), Options(name="e"), run)
    assert out["verdict"] == "IE" and out["error"].startswith("invalid job payload: language")
    assert run.specs == []


def test_vanished_payload_is_answered_ie() -> None:
    out = evaluate(deliver(None), Options(name="e"), Runner())
    assert out["verdict"] == "IE" and "payload is gone" in out["error"]


def test_a_job_that_kept_killing_its_executors_is_given_up() -> None:
    run = Runner()
    out = evaluate(deliver(deliveries=conf.MAX_DELIVERIES + 1), Options(name="e"), run)
    assert out["verdict"] == "IE" and "delivered" in out["error"] and run.specs == []
    evaluate(deliver(deliveries=conf.MAX_DELIVERIES), Options(name="e"), run)
    assert len(run.specs) == 1
