"""The chaos scenarios and how one run of each is judged: lost, duplicated, time to recovery (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from celeriac.ops.report import Finding, Severity, Status


class Scenario(StrEnum):
    KILL_CHILD = "kill-child"  #: kill -9 the pool process running a task (the OOM killer's way)
    KILL_MAIN = "kill-main"  #: kill -9 the worker's main process mid-task, then start a new worker
    RESTART_BROKER = "restart-broker"  #: stop and start the broker while tasks are queued and running
    STOP_DATABASE = "stop-database"  #: stop the database for a few seconds while tasks run


FINDING_ID = {
    Scenario.KILL_CHILD: "C001",
    Scenario.KILL_MAIN: "C002",
    Scenario.RESTART_BROKER: "C003",
    Scenario.STOP_DATABASE: "C004",
}
TITLE = {
    Scenario.KILL_CHILD: "kill -9 a pool child mid-task",
    Scenario.KILL_MAIN: "kill -9 the worker main process mid-task, start a new one",
    Scenario.RESTART_BROKER: "restart the broker with tasks queued and running",
    Scenario.STOP_DATABASE: "stop the database for a few seconds",
}


@dataclass
class Outcome:
    """What one scenario run measured. ``effects`` counts real side effects per key; ``starts`` counts
    task-started events per task id (deliveries that reached a pool)."""

    scenario: Scenario
    keys: list[str]
    effects: Mapping[str, int]
    starts: Mapping[str, int] = field(default_factory=dict)  #: task-started events less retries, per id
    retries: int = 0
    fault: str = ""
    fault_at: float | None = None
    settled_at: float | None = None  #: every task finished and none is left in the broker
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def lost(self) -> list[str]:
        return [k for k in self.keys if self.effects.get(k, 0) == 0]

    @property
    def duplicated(self) -> list[str]:
        return [k for k in self.keys if self.effects.get(k, 0) > 1]

    @property
    def redelivered(self) -> int:
        """Extra deliveries that reached a pool: work repeated, whether or not its effect was."""
        return sum(max(0, n - 1) for n in self.starts.values())

    @property
    def recovery_s(self) -> float | None:
        """Fault → every task done once; None when some task never was (lost)."""
        if self.lost or self.fault_at is None or self.settled_at is None:
            return None
        return max(0.0, self.settled_at - self.fault_at)


def judge(outcome: Outcome, *, effect_is_idempotent: bool) -> Finding:
    """PASS when nothing was lost and no side effect happened twice; FAIL otherwise."""
    s = outcome.scenario
    lost, dup = outcome.lost, outcome.duplicated
    recovery = outcome.recovery_s
    parts = [
        f"{len(outcome.keys)} tasks: {len(lost)} lost, {len(dup)} duplicated effects",
        f"{outcome.redelivered} redelivered run(s)"
        + (" (the effect stayed single: idempotent)" if effect_is_idempotent and outcome.redelivered else "")
        + (f", {outcome.retries} retried" if outcome.retries else ""),
        f"recovered {recovery:.1f} s after the fault" if recovery is not None else "never recovered",
    ]
    message = "; ".join(parts)
    if outcome.notes:
        message += ". " + " ".join(outcome.notes)
    details = {
        "fault": outcome.fault,
        "lost": len(lost),
        "duplicated": len(dup),
        "redelivered": outcome.redelivered,
        "retries": outcome.retries,
        "recovery_s": None if recovery is None else round(recovery, 2),
        "lost_keys": lost,
        "duplicated_keys": dup,
        "effects": dict(outcome.effects),
        "starts": dict(outcome.starts),
    }
    failed = bool(lost or dup)
    return Finding(
        FINDING_ID[s],
        TITLE[s],
        Status.FAIL if failed else Status.PASS,
        Severity.ERROR,
        message=message,
        fix=_fix(s, bool(lost), bool(dup)) if failed else "",
        seconds=outcome.seconds,
        details=details,
    )


def skipped(scenario: Scenario, reason: str) -> Finding:
    return Finding(FINDING_ID[scenario], TITLE[scenario], Status.SKIP, Severity.INFO, message=reason)


def _fix(s: Scenario, lost: bool, dup: bool) -> str:
    fixes = []
    if lost and s is Scenario.KILL_CHILD:
        fixes.append(
            "task_acks_late = True with task_reject_on_worker_lost = True requeues a killed child's task"
        )
    if lost and s is Scenario.KILL_MAIN:
        fixes.append(
            "task_acks_late = True, prefetch 1 for long tasks, and a visibility_timeout (plus a frequent "
            "unacked_restore_interval) short enough to bring the killed worker's messages back"
        )
    if lost and s is Scenario.RESTART_BROKER:
        fixes.append("a broker with persistence (RDB/AOF) and acks_late; connection retry on the workers")
    if lost and s is Scenario.STOP_DATABASE:
        fixes.append("declare the database's connection errors as transient (RetryPolicy on=...)")
    if dup:
        fixes.append("make the side effect idempotent (celeriac.contrib.django.effects.once or a dedupe key)")
    return "; ".join(fixes)


def summary(outcomes: Sequence[Outcome]) -> dict[str, object]:
    """Flat figures per scenario for the terminal, the whole tallies for JSON."""
    out: dict[str, object] = {}
    for o in outcomes:
        rec = o.recovery_s
        out[f"{o.scenario.value}"] = (
            f"lost {len(o.lost)}, duplicated {len(o.duplicated)}, redelivered {o.redelivered}, "
            + (f"recovery {rec:.1f} s" if rec is not None else "not recovered")
        )
    out["lost_total"] = sum(len(o.lost) for o in outcomes)
    out["duplicated_total"] = sum(len(o.duplicated) for o in outcomes)
    return out
