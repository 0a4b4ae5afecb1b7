"""Mirror mode at volume: the same runner on both paths matches; a real legacy quirk is caught and shown."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from typing import Any

import pytest

from tests.integration.bridge.helpers import AC, submit, wait_compared

pytestmark = pytest.mark.integration

WRONG = "a, b = map(int, input().split())\nprint(a - b)\n"
#: Python A+B that burns ≈ 0.3 s of CPU first: AC under 2 s, TLE under a 100 ms limit.
BUSY = "s = 0\nfor i in range(4_000_000):\n    s += i\na, b = map(int, input().split())\nprint(a + b)\n"


def report_of(job_ids: list[str]) -> Any:
    from celeriac.ops.compare import build_report
    from celeriac_site.bridge.models import Evaluation
    from celeriac_site.bridge.services import pairs

    rows = Evaluation.objects.filter(job_id__in=job_ids).select_related("comparison")
    return build_report(pairs.to_pairs(rows), target="test", source="test", fail_on_mismatch=True)


@pytest.mark.slow
def test_a_thousand_mirrored_evaluations_all_match(
    client: Any, executors: Any, celery_path: Any, switches: Any, problem: Any
) -> None:
    executors("executor-1")
    executors("executor-2")
    switches(mode="mirror", answer="legacy", shadow_percentage=100)
    p = problem(tests=1)
    began = time.monotonic()
    ids = [submit(client, p, WRONG if i % 10 == 0 else AC["python"])["id"] for i in range(1000)]
    sent_s = time.monotonic() - began
    compared = wait_compared(ids, timeout_s=420)
    outcomes = [c.outcome for c in compared.values()]
    assert outcomes.count("match") == 1000, {
        c.evaluation.job_id: c.differences for c in compared.values() if c.outcome != "match"
    }
    report = report_of(ids)
    assert report.exit_code == 0 and report.summary["matched"] == 1000
    verdicts = [c.evaluation.celery_result["verdict"] for c in compared.values()]
    assert verdicts.count("WA") == 100 and verdicts.count("AC") == 900
    print(
        f"1000 mirrored: sent in {sent_s:.1f}s, all compared after {time.monotonic() - began:.1f}s; "
        f"legacy {report.summary['legacy_path']}; celery {report.summary['celery_path']}"
    )


def test_legacy_trimming_trailing_whitespace_is_caught_with_both_outputs(
    client: Any,
    executors: Any,
    celery_path: Any,
    switches: Any,
    problem: Any,
    services: dict[str, str],
    bridge_env: dict[str, str],
) -> None:
    executors("executor-1", "--trim-trailing-whitespace")
    switches(mode="mirror", answer="legacy", shadow_percentage=100)
    p = problem(tests=2)
    ids = [submit(client, p, AC["python"])["id"] for _ in range(6)]
    compared = wait_compared(ids)
    assert {c.outcome for c in compared.values()} == {"mismatch"}
    for c in compared.values():
        assert c.differences == [
            {"field": "tests[0].output", "legacy": "4", "celery": "4\n"},
            {"field": "tests[1].output", "legacy": "6", "celery": "6\n"},
        ]
        assert c.evaluation.legacy_result["verdict"] == c.evaluation.celery_result["verdict"] == "AC"
    report = report_of(ids)
    mismatch = next(f for f in report.findings if f.id == "CMP003")
    assert report.exit_code == 1 and "legacy '4' vs celery '4\\n'" in mismatch.message
    # The same through the command line, from the stored comparisons, as CI would run it.
    cli = [sys.executable, "-m", "celeriac.cli.compare", "--stored", "--since", "600", "--fail-on-mismatch"]
    env = {**bridge_env, "COLUMNS": "200"}
    as_json = subprocess.run([*cli, "--json"], env=env, capture_output=True, text=True, timeout=120)
    assert as_json.returncode == 1, as_json.stderr
    examples = json.loads(as_json.stdout)["summary"]["examples"]
    assert {"field": "tests[0].output", "legacy": "4", "celery": "4\n"} in [
        d for e in examples for d in e["differences"]
    ]
    table = subprocess.run(cli, env=env, capture_output=True, text=True, timeout=120)
    assert table.returncode == 1 and "'4'" in table.stdout and "'4\\n'" in table.stdout, table.stdout


def test_a_different_time_limit_on_the_legacy_path_is_caught(
    client: Any, executors: Any, celery_path: Any, switches: Any, problem: Any
) -> None:
    executors("executor-1", "--time-limit-ms", "100")
    switches(mode="mirror", answer="celery", shadow_percentage=100)
    ids = [submit(client, problem(tests=1), BUSY)["id"] for _ in range(2)]
    compared = wait_compared(ids)
    for c in compared.values():
        fields = {d["field"]: (d["legacy"], d["celery"]) for d in c.differences}
        assert c.outcome == "mismatch"
        assert fields["verdict"] == ("TLE", "AC") and fields["tests[0].verdict"] == ("TLE", "AC")
