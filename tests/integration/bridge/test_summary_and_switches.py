"""The periodic summary over settled traffic, and the switches from the admin and the command line."""

from __future__ import annotations

import datetime as dt
import io
import secrets
from typing import Any

import pytest

pytestmark = pytest.mark.integration


def result(output: str) -> dict[str, Any]:
    test = {"index": 0, "verdict": "AC", "exit_code": 0, "stdout_excerpt": output, "stderr_excerpt": ""}
    return {"verdict": "AC", "error": "", "compile_output": "", "tests": [test]}


def row(problem: Any, at: dt.datetime, legacy: str | None, celery: str | None) -> Any:
    from celeriac_site.bridge.models import Evaluation

    def done(output: str | None) -> dict[str, Any]:
        return (
            {"result": result(output), "finished": at + dt.timedelta(seconds=1)} if output is not None else {}
        )

    leg, cel = done(legacy), done(celery)
    return Evaluation.objects.create(
        job_id=secrets.token_hex(16),
        problem=problem,
        language="python",
        code="print(4)",
        user_identifier="summary",
        mode="mirror",
        answer_path="legacy",
        mirrored=True,
        sent_legacy=True,
        sent_celery=True,
        submitted_at=at,
        legacy_result=leg.get("result"),
        legacy_finished_at=leg.get("finished"),
        celery_result=cel.get("result"),
        celery_finished_at=cel.get("finished"),
    )


def test_summary_counts_settled_windows_back_to_back(switches: Any, problem: Any, bridge_redis: str) -> None:
    from django.utils import timezone

    from celeriac_site.bridge.models import Comparison, Evaluation, Summary
    from celeriac_site.bridge.services import results, summary
    from celeriac_site.bridge.tasks import summary_task

    # The first summary covers everything not yet summarised: start from an empty ledger, since other
    # tests of the session (the 1,000-job mirror run) leave their evaluations behind.
    Summary.objects.all().delete()
    Comparison.objects.all().delete()
    Evaluation.objects.all().delete()
    switches(mode="mirror", result_timeout_s=60)
    # A clock two days ahead: the window holds this test's jobs only, not the session's other traffic.
    now = timezone.now() + dt.timedelta(days=2)
    p = problem()
    at = now - dt.timedelta(seconds=200)
    row(p, at, "4\n", "4\n")
    row(p, at, "4", "4\n")
    row(p, at, None, "4\n")
    results.collect(now)
    first = summary.summarize(now, period_s=300)
    assert first is not None
    assert (first.jobs, first.matched, first.mismatched, first.missing) == (3, 1, 1, 1)
    assert first.period_end == now - dt.timedelta(seconds=60)  # one result timeout ago: all settled
    assert first.data["mismatch_rate"] == "50.00 %" and first.data["paths"]["celery"]["results"] == 3
    assert any(ex["outcome"] == "missing" and ex["missing"] == ["legacy"] for ex in first.data["examples"])
    assert summary.summarize(now) is None  # no new window has closed
    assert summary_task.apply().get() == {"stored": False}  # the beat task, at the real time: same
    second = summary.summarize(now + dt.timedelta(seconds=30))
    assert second is not None and second.period_start == first.period_end and second.jobs == 0


def test_cut_over_and_rollback_from_the_admin(client: Any, switches: Any) -> None:
    from django.contrib.auth.models import User

    from celeriac_site.bridge.models import BridgeSettings

    switches(mode="mirror", answer="legacy", shadow_percentage=100)
    client.force_login(User.objects.create_superuser(f"admin-{secrets.token_hex(4)}", password="x"))
    url = "/admin/bridge/bridgesettings/"
    assert client.get(url).status_code == 200
    for action, answer in (("cut_over", "celery"), ("rollback", "legacy")):
        resp = client.post(url, {"action": action, "_selected_action": [BridgeSettings.SINGLETON_ID]})
        assert resp.status_code == 302
        assert BridgeSettings.load().answer_path == answer


def test_switch_command(switches: Any) -> None:
    from django.core.management import CommandError, call_command

    switches(mode="legacy")
    out = io.StringIO()
    call_command("bridge_switch", "cutover", stdout=out)
    assert out.getvalue().strip() == "celery, answered by celery, shadow 100 %"
    call_command("bridge_switch", "--mode", "mirror", "--answer", "legacy", "--shadow", "10", stdout=out)
    assert "mirror, answered by legacy, shadow 10 %" in out.getvalue()
    with pytest.raises(CommandError, match="100"):
        call_command("bridge_switch", "--shadow", "150")
