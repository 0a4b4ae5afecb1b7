"""Each doctor rule on hand-built snapshots: the case that fires it and the case that does not."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from celeriac.ops.doctor import RULES
from celeriac.ops.doctor.rule import Rule
from celeriac.ops.doctor.snapshot import Snapshot, TaskInfo, WorkerGroup
from celeriac.ops.report import Severity, Status

REDIS = "redis://127.0.0.1:6379/0"
BY_ID = {r.id: r for r in RULES}


def task(name: str = "t.a", **kw: Any) -> TaskInfo:
    base: dict[str, Any] = {
        "queue": "io",
        "acks_late": True,
        "reject_on_worker_lost": True,
        "time_limit_s": 30.0,
        "soft_time_limit_s": 27.0,
    }
    return TaskInfo(name=name, **{**base, **kw})


def group(**kw: Any) -> WorkerGroup:
    base: dict[str, Any] = {
        "name": "io",
        "queues": ("io",),
        "pool": "prefork",
        "concurrency": 2,
        "prefetch_multiplier": 1,
        "max_tasks_per_child": None,
        "declared": True,
    }
    return WorkerGroup(**{**base, **kw})


def snap(*tasks: TaskInfo, conf: dict[str, Any] | None = None, **kw: Any) -> Snapshot:
    """A healthy Celeriac-like snapshot; each test changes one thing."""
    base_conf: dict[str, Any] = {
        "broker_url": REDIS,
        "result_backend": REDIS,
        "result_expires": timedelta(days=1),
        "task_default_queue": "default",
        "broker_transport_options": {
            "visibility_timeout": 600,
            "queue_order_strategy": "priority",
            "priority_steps": list(range(10)),
        },
        "result_backend_transport_options": {"visibility_timeout": 600},
        "visibility_timeout": 600,
        "broker_connection_retry": True,
        "broker_connection_retry_on_startup": True,
        "worker_send_task_events": True,
    }
    all_tasks = tasks or (task(),)
    fields: dict[str, Any] = {
        "conf": {**base_conf, **(conf or {})},
        "tasks": {t.name: t for t in all_tasks},
        "registered": frozenset(t.name for t in all_tasks) | {"celery.backend_cleanup"},
        "declared_queues": frozenset({"io", "default"}),
        "groups": (group(),),
        "celeriac": True,
    }
    return Snapshot(**{**fields, **kw})


def run(rule_id: str, s: Snapshot) -> Any:
    return BY_ID[rule_id].run(s)


def test_every_rule_has_a_stable_unique_id_reason_and_fix() -> None:
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    for r in RULES:
        assert isinstance(r, Rule) and r.id[0] == "C" and len(r.id) == 4
        assert r.reason and r.fix and r.title


def test_the_healthy_snapshot_passes_every_rule() -> None:
    found = [r.run(snap()) for r in RULES]
    bad = [(f.id, f.message) for f in found if f.status not in (Status.PASS, Status.SKIP)]
    assert bad == []


# --- (rule id, snapshot that fires it, expected words in the message) --------------------------------

FIRING: list[tuple[str, Snapshot, str]] = [
    ("C001", snap(user_keys=frozenset({"worker_pool"}), celeriac=False, conf={"worker_pool": "prefork"}),
     "worker_pool = 'prefork'"),
    ("C001", snap(celeriac_findings=("worker_pool is set in the Celery configuration. It overrides",)),
     "Celeriac reset it"),
    ("C002", snap(user_keys=frozenset({"worker_pool"}), celeriac=False, conf={"worker_pool": "gevent"}),
     "'gevent'"),
    ("C010", snap(task(reject_on_worker_lost=False)), "without reject_on_worker_lost"),
    ("C011", snap(task(acks_late=False)), "no effect on t.a"),
    ("C012", snap(task(time_limit_s=None), groups=(group(prefetch_multiplier=4),)), "long tasks t.a"),
    ("C012", snap(task(time_limit_s=10), groups=(group(prefetch_multiplier=4),)), "prefork with acks_late"),
    ("C013", snap(task(acks_late=False, reject_on_worker_lost=False)), "1 of 1 tasks ack early"),
    ("C020", snap(task(declared_wait_s=900.0)), "600 s <= the longest wait"),
    ("C020", snap(task(time_limit_s=30, max_retries=3, autoretry_for=("OSError",), retry_backoff=1.0,
                       retry_backoff_max_s=1200)), "1200 s"),
    ("C021", snap(conf={"visibility_timeout": 300}), "visibility_timeout=300"),
    ("C021", snap(conf={"visibility_timeout": None}), "missing in visibility_timeout"),
    ("C030", snap(task(time_limit_s=None, soft_time_limit_s=None)), "no hard time limit: t.a"),
    ("C031", snap(task(soft_time_limit_s=30.0)), "soft 30 s, hard 30 s"),
    ("C032", snap(groups=(group(pool="gevent"),)), "soft limits of 1 task(s) ignored"),
    ("C032", snap(groups=(group(pool="threads"),)), "hard limits of 1 task(s) ignored"),
    ("C032", snap(groups=(group(pool="gevent"),), conf={"worker_max_tasks_per_child": 100}),
     "max-tasks-per-child 100 ignored"),
    ("C040", snap(conf={"result_expires": None}), "result_expires is None"),
    ("C041", snap(conf={"result_backend": "db+postgresql://x/y"}), "nothing configures beat"),
    ("C050", snap(task(priorities=(3,)), conf={"broker_transport_options": {"visibility_timeout": 600}}),
     "queue_order_strategy is 'round_robin'"),
    ("C051", snap(task(priorities=(1,)), conf={"broker_transport_options": {
        "visibility_timeout": 600, "queue_order_strategy": "priority"}}), "outside the steps [0, 3, 6, 9]"),
    ("C060", snap(task(queue="elsewhere")), "elsewhere <- t.a"),
    ("C061", snap(task(queue="default")), "no Celeriac worker consumes"),
    ("C061", snap(task("a", queue="celery"), task("b", queue="celery"), task("c", queue="io"), celeriac=False,
                  conf={"task_default_queue": "celery"}, declared_queues=None), "2 of 3 tasks (67%)"),
    ("C070", snap(beat={"nightly": "t.missing"}), "nightly -> t.missing"),
    ("C080", snap(task(autoretry_for=("OSError",), max_retries=None, retry_backoff=1.0)), "no cap: t.a"),
    ("C080", snap(task(autoretry_for=("OSError",), retry_backoff=0.0)), "no backoff: t.a"),
    ("C081", snap(task(autoretry_for=("Exception",), retry_backoff=1.0)), "autoretry on Exception: t.a"),
    ("C090", snap(conf={"broker_connection_retry_on_startup": None}), "is unset"),
    ("C100", snap(conf={"worker_send_task_events": False}, monitoring_expected=("Flower is installed",)),
     "yet Flower is installed"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("rule_id", "s", "words"), FIRING, ids=[f"{r}-{i}" for i, (r, _, _) in enumerate(FIRING)]
)
def test_rule_fires(rule_id: str, s: Snapshot, words: str) -> None:
    finding = run(rule_id, s)
    expected = Status.FAIL if BY_ID[rule_id].severity is Severity.ERROR else Status.WARN
    assert finding.status is expected, finding.message
    assert words in finding.message
    assert finding.fix == BY_ID[rule_id].fix
    assert finding.failed is (BY_ID[rule_id].severity is Severity.ERROR)


# --- the nearest case that must not fire ---------------------------------------------------------------

CLEAN: list[tuple[str, Snapshot]] = [
    # Celeriac wrote Celery's default back after neutralising: not the project's setting.
    ("C001", snap(user_keys=frozenset({"worker_pool"}), conf={"worker_pool": "prefork"})),
    ("C001", snap(celeriac=False, conf={"worker_pool": "prefork"})),  # Celery's default layer
    ("C002", snap(celeriac=False, conf={"worker_pool": "gevent"})),  # e.g. -P decided, not config
    ("C010", snap(task(acks_late=False, reject_on_worker_lost=False))),
    ("C011", snap(task(acks_late=True, reject_on_worker_lost=True))),
    ("C012", snap(task(time_limit_s=30), groups=(group(pool="gevent", prefetch_multiplier=4),))),
    ("C012", snap(task(time_limit_s=None), groups=(group(prefetch_multiplier=1),))),
    ("C013", snap(task(acks_late=True))),
    ("C020", snap(task(declared_wait_s=599.0))),
    ("C021", snap(conf={"result_backend": "rpc://", "result_backend_transport_options": {}})),
    ("C030", snap(task(time_limit_s=1.0, soft_time_limit_s=None))),
    ("C031", snap(task(soft_time_limit_s=None))),
    ("C032", snap(groups=(group(pool="gevent"),), tasks={"t.a": task(soft_time_limit_s=None)})),
    ("C040", snap(conf={"result_expires": 60})),
    ("C041", snap(conf={"result_backend": "db+postgresql://x/y"}, beat={"x": "t.a"})),
    ("C050", snap(task(priorities=())),),
    ("C051", snap(task(priorities=(0, 3, 9)), conf={"broker_transport_options": {
        "visibility_timeout": 600, "queue_order_strategy": "priority"}})),
    ("C060", snap(task(queue="default"))),
    ("C061", snap(task("a", queue="celery"), task("b", queue="io"), celeriac=False,
                  conf={"task_default_queue": "celery"})),
    ("C070", snap(beat={"cleanup": "celery.backend_cleanup", "a": "t.a"})),
    ("C080", snap(task(autoretry_for=("OSError",), max_retries=5, retry_backoff=2.0))),
    ("C081", snap(task(autoretry_for=("ConnectionError", "TimeoutError"), retry_backoff=1.0))),
    ("C090", snap(conf={"broker_connection_retry_on_startup": False})),
    ("C100", snap(conf={"worker_send_task_events": False}, monitoring_expected=())),
]  # fmt: skip


@pytest.mark.parametrize(("rule_id", "s"), CLEAN, ids=[f"{r}-{i}" for i, (r, _) in enumerate(CLEAN)])
def test_rule_does_not_fire(rule_id: str, s: Snapshot) -> None:
    finding = run(rule_id, s)
    assert finding.status is Status.PASS, finding.message
    assert not finding.failed


def test_every_rule_has_a_firing_and_a_clean_case() -> None:
    assert {r for r, _, _ in FIRING} == set(BY_ID) == {r for r, _ in CLEAN}


@pytest.mark.parametrize("rule_id", ["C020", "C021", "C050", "C051"])
def test_redis_only_rules_skip_other_brokers(rule_id: str) -> None:
    finding = run(rule_id, snap(task(priorities=(3,)), conf={"broker_url": "amqp://guest@localhost//"}))
    assert finding.status is Status.SKIP
    assert "amqp" in finding.message


def test_backend_rules_skip_without_a_backend() -> None:
    for rule_id in ("C040", "C041"):
        assert run(rule_id, snap(conf={"result_backend": None})).status is Status.SKIP


def test_routes_rule_skips_when_queues_are_created_on_demand() -> None:
    assert run("C060", snap(task(queue="anything"), declared_queues=None)).status is Status.SKIP


def test_a_crashing_rule_becomes_a_warning_not_a_traceback() -> None:
    broken = replace(BY_ID["C030"], check=lambda s: 1 / 0)  # type: ignore[arg-type,return-value]
    finding = broken.run(snap())
    assert finding.status is Status.WARN
    assert "ZeroDivisionError" in finding.message


def test_longest_wait_without_celeriac_counts_retry_delays() -> None:
    plain = task(time_limit_s=30, default_retry_delay_s=180, max_retries=3)
    assert plain.longest_wait_s == 180
    assert task(time_limit_s=None).longest_wait_s is None
    assert task(time_limit_s=30, max_retries=0).longest_wait_s == 30
