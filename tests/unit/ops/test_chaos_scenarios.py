"""Judging a chaos scenario: lost and duplicated effects fail it; recovery is fault → all done."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

from celeriac.ops.chaos.broker import ids_in
from celeriac.ops.chaos.engine import _skip_reason
from celeriac.ops.chaos.scenarios import Outcome, Scenario, judge, skipped, summary
from celeriac.ops.report import Status


def _outcome(effects: dict[str, int], **kw: object) -> Outcome:
    o = Outcome(scenario=Scenario.KILL_CHILD, keys=sorted(effects), effects=effects, fault_at=100.0)
    for k, v in kw.items():
        setattr(o, k, v)
    return o


def test_every_effect_once_passes_with_the_time_to_recovery() -> None:
    o = _outcome({"k1": 1, "k2": 1}, starts={"a": 2, "b": 1}, settled_at=106.5)
    finding = judge(o, effect_is_idempotent=True)
    assert finding.status is Status.PASS and finding.id == "C001"
    assert "0 lost, 0 duplicated effects" in finding.message
    assert "1 redelivered run(s) (the effect stayed single: idempotent)" in finding.message
    assert "recovered 6.5 s after the fault" in finding.message
    assert finding.details["recovery_s"] == 6.5


def test_a_lost_task_fails_and_never_recovers() -> None:
    o = _outcome({"k1": 1, "k2": 0}, settled_at=103.0, notes=["Failed: 1 with WorkerLostError."])
    finding = judge(o, effect_is_idempotent=False)
    assert finding.status is Status.FAIL and finding.failed
    assert "1 lost" in finding.message and "never recovered" in finding.message
    assert "reject_on_worker_lost" in finding.fix
    assert finding.details["lost_keys"] == ["k2"] and o.recovery_s is None


def test_a_duplicated_effect_fails_even_when_nothing_is_lost() -> None:
    o = _outcome({"k1": 2}, settled_at=101.0)
    finding = judge(o, effect_is_idempotent=False)
    assert finding.status is Status.FAIL and "1 duplicated effects" in finding.message
    assert "idempotent" in finding.fix


def test_recovery_needs_a_fault_and_a_settled_run() -> None:
    assert _outcome({"k": 1}, settled_at=None).recovery_s is None
    assert _outcome({"k": 1}, fault_at=None, settled_at=5.0).recovery_s is None
    assert _outcome({"k": 1}, settled_at=99.0).recovery_s == 0.0  # clock jitter never goes negative


def test_skips_never_pass_and_summary_totals() -> None:
    s = skipped(Scenario.RESTART_BROKER, "not ours")
    assert s.status is Status.SKIP and s.id == "C003" and not s.failed
    totals = summary([_outcome({"k1": 0, "k2": 1}, settled_at=101.0), _outcome({"k3": 3}, settled_at=102.0)])
    assert totals["lost_total"] == 1 and totals["duplicated_total"] == 1


def test_probe_ids_are_read_from_queued_and_unacked_messages() -> None:
    message = {"body": "...", "headers": {"id": "t1", "task": "demo.slow_effect"}, "properties": {}}
    wanted = {"t1", "t2"}
    assert ids_in(json.dumps(message), wanted, wrapped=False) == {"t1"}
    assert ids_in(json.dumps([message, "compute", "compute"]).encode(), wanted, wrapped=True) == {"t1"}
    assert ids_in(json.dumps({**message, "headers": {"id": "other"}}), wanted, wrapped=False) == set()
    assert ids_in(b"not json", wanted, wrapped=False) == set()


def _ctx(embedded: set[str], uses_database: bool = True) -> Any:
    fleet = SimpleNamespace(embedded=embedded, redis_url="redis://127.0.0.1:6379/0")
    probe = SimpleNamespace(uses_database=uses_database, task="demo.slow_effect")
    return SimpleNamespace(fleet=fleet, probe=probe)


def test_services_chaos_did_not_start_are_never_restarted() -> None:
    machine = _ctx(embedded=set())
    assert "not an embedded one" in _skip_reason(machine, Scenario.RESTART_BROKER, "w@h")
    assert "not an embedded one" in _skip_reason(machine, Scenario.STOP_DATABASE, "w@h")
    ours = _ctx(embedded={"redis", "postgres"})
    assert _skip_reason(ours, Scenario.RESTART_BROKER, "w@h") == ""
    assert _skip_reason(ours, Scenario.STOP_DATABASE, "w@h") == ""
    no_db = _ctx(embedded={"redis", "postgres"}, uses_database=False)
    assert "does not use the database" in _skip_reason(no_db, Scenario.STOP_DATABASE, "w@h")
