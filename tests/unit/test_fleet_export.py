"""The fleet exports run each worker with its planned pool and scale on every Redis priority list."""

from __future__ import annotations

import functools
import shlex
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from kombu.transport.redis import Channel

from celeriac.fleet import export
from celeriac.fleet.spec import FamilyOverride, WorkerSpec, plan_fleet
from celeriac.topology import PRIORITY_STEPS, compile_topology
from celeriac.workloads import Kind, declare

APP = "proj.celery:app"
IMAGE = "registry.example/proj:1.2.3"


@pytest.fixture
def fleet() -> tuple[WorkerSpec, ...]:
    workloads = [
        declare("a.run", kind="cpu", queue="execution", priority=8),
        declare("a.fetch", kind="io"),
        declare("a.ask", kind="ai"),
        declare("a.clean", kind="maintenance", schedule=300),
    ]
    # One process per family here; the multi-process io family has its own tests below.
    one = {"io": FamilyOverride(processes=1)}
    return plan_fleet(compile_topology({wl.name: wl for wl in workloads}), cores=8, overrides=one)


@pytest.fixture
def multi_queue_spec() -> WorkerSpec:
    return WorkerSpec(
        family="io",
        kind=Kind.IO,
        queues=("email", "fetch"),
        pool="gevent",
        concurrency=100,
        prefetch_multiplier=4,
        max_tasks_per_child=None,
    )


def _flag(tokens: list[str], flag: str) -> str:
    return tokens[tokens.index(flag) + 1]


def _kombu_list_name(queue: str, step: int) -> str:
    """The list name kombu's own Redis channel computes, with Celeriac's priority steps."""
    kombu: Any = Channel  # the stubs omit the private method we call unbound
    channel: Any = SimpleNamespace(sep=kombu.sep, priority_steps=list(PRIORITY_STEPS))
    channel.priority = functools.partial(kombu.priority, channel)
    name: str = kombu._q_for_pri(channel, queue, step)
    return name


def _all_outputs(fleet: tuple[WorkerSpec, ...]) -> list[str]:
    units = export.systemd_units(fleet, APP, workdir="/srv/proj", venv="/srv/proj/.venv")
    rows = export.cli_table_rows(fleet, app=APP)
    return [
        export.procfile(fleet, APP),
        *units.values(),
        export.to_yaml(export.kubernetes(fleet, APP, image=IMAGE)),
        *(cell for row in rows for cell in row),
    ]


def _deployments(manifests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [m for m in manifests if m["kind"] == "Deployment"]


def _scaled_objects(manifests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [m for m in manifests if m["kind"] == "ScaledObject"]


# --- Shared ----------------------------------------------------------------------------------------


def test_fixture_plans_one_worker_per_kind(fleet: tuple[WorkerSpec, ...]) -> None:
    assert {spec.family for spec in fleet} == {"cpu", "io", "ai", "maintenance"}


def test_priority_lists_are_exactly_what_kombu_produces() -> None:
    assert Channel.sep == export.KOMBU_PRIORITY_SEP
    lists = export.priority_lists("execution")
    assert lists == tuple(_kombu_list_name("execution", step) for step in PRIORITY_STEPS)
    assert len(lists) == 10
    assert lists[0] == "execution"  # kombu appends nothing for step 0
    assert lists[9] == "execution\x06\x169"


def test_no_output_sets_the_pool_in_config(fleet: tuple[WorkerSpec, ...]) -> None:
    for text in _all_outputs(fleet):
        assert "worker_pool" not in text


# --- Procfile --------------------------------------------------------------------------------------


def test_procfile_has_one_line_per_family_plus_beat(fleet: tuple[WorkerSpec, ...]) -> None:
    lines = export.procfile(fleet, APP).splitlines()
    names = [line.split(":", 1)[0] for line in lines]
    assert names == [f"worker-{spec.name}" for spec in fleet] + ["beat"]
    assert lines[-1] == f"beat: celery -A {APP} beat -l INFO"


def test_procfile_commands_run_the_planned_pool(fleet: tuple[WorkerSpec, ...]) -> None:
    lines = export.procfile(fleet, APP).splitlines()
    for spec, line in zip(fleet, lines[:-1], strict=True):
        tokens = shlex.split(line.split(": ", 1)[1])
        assert tokens == spec.argv(APP)
        assert _flag(tokens, "-P") == spec.pool
        assert _flag(tokens, "-Q") == ",".join(spec.queues)


def test_procfile_without_beat(fleet: tuple[WorkerSpec, ...]) -> None:
    lines = export.procfile(fleet, APP, beat=False).splitlines()
    assert len(lines) == len(fleet)
    assert not any(line.startswith("beat:") for line in lines)


# --- systemd ---------------------------------------------------------------------------------------


def _settings(unit: str, key: str) -> list[str]:
    return [line.split("=", 1)[1] for line in unit.splitlines() if line.startswith(f"{key}=")]


def test_systemd_target_wants_every_unit(fleet: tuple[WorkerSpec, ...]) -> None:
    units = export.systemd_units(fleet, APP, workdir="/srv/proj", venv="/srv/proj/.venv")
    services = {name for name in units if name.endswith(".service")}
    assert services == {f"celeriac-worker-{spec.name}.service" for spec in fleet} | {"celeriac-beat.service"}
    (wants,) = _settings(units["celeriac.target"], "Wants")
    assert set(wants.split()) == services
    for name in services:
        assert _settings(units[name], "PartOf") == ["celeriac.target"]
        assert _settings(units[name], "WantedBy") == ["celeriac.target"]


def test_systemd_workers_stop_warmly(fleet: tuple[WorkerSpec, ...]) -> None:
    units = export.systemd_units(
        fleet, APP, workdir="/srv/proj", venv="/srv/proj/.venv", user="worker", stop_timeout_s=1234
    )
    for spec in fleet:
        unit = units[f"celeriac-worker-{spec.name}.service"]
        assert _settings(unit, "Type") == ["simple"]
        assert _settings(unit, "KillMode") == ["mixed"]
        assert _settings(unit, "TimeoutStopSec") == ["1234"]
        assert _settings(unit, "Restart") == ["always"]
        assert _settings(unit, "RestartSec") == ["5"]
        assert _settings(unit, "User") == ["worker"]
        assert _settings(unit, "WorkingDirectory") == ["/srv/proj"]


def test_systemd_execstart_runs_the_venv_celery_with_the_planned_pool(fleet: tuple[WorkerSpec, ...]) -> None:
    units = export.systemd_units(fleet, APP, workdir="/srv/proj", venv="/srv/proj/.venv/")
    for spec in fleet:
        (exec_start,) = _settings(units[f"celeriac-worker-{spec.name}.service"], "ExecStart")
        tokens = exec_start.split()
        assert tokens[0] == "/srv/proj/.venv/bin/celery"
        assert _flag(tokens, "-P") == spec.pool
        # systemd would expand a bare %h to the user's home; Celery must receive %h itself.
        assert _flag(tokens, "-n") == f"{spec.name}@%%h"
        expected = [a.replace("%", "%%") for a in spec.argv(APP)[1:]]
        assert tokens[1:] == expected
    (beat_start,) = _settings(units["celeriac-beat.service"], "ExecStart")
    assert beat_start == f"/srv/proj/.venv/bin/celery -A {APP} beat -l INFO"


def test_systemd_environment(fleet: tuple[WorkerSpec, ...]) -> None:
    units = export.systemd_units(
        fleet,
        APP,
        workdir="/srv/proj",
        venv="/srv/proj/.venv",
        env_file="/etc/celeriac/env",
        environment={"DJANGO_SETTINGS_MODULE": "proj.settings", "GREETING": "hello world"},
    )
    for name, unit in units.items():
        if name.endswith(".service"):
            assert _settings(unit, "EnvironmentFile") == ["/etc/celeriac/env"]
            assert _settings(unit, "Environment") == [
                "DJANGO_SETTINGS_MODULE=proj.settings",
                '"GREETING=hello world"',
            ]
    bare = export.systemd_units(fleet, APP, workdir="/srv/proj", venv="/srv/proj/.venv")
    assert not any("EnvironmentFile=" in unit or "Environment=" in unit for unit in bare.values())


@pytest.mark.parametrize("field", ["workdir", "venv"])
def test_systemd_needs_absolute_paths(fleet: tuple[WorkerSpec, ...], field: str) -> None:
    paths = {"workdir": "/srv/proj", "venv": "/srv/proj/.venv", field: "relative/dir"}
    with pytest.raises(ValueError, match=field):
        export.systemd_units(fleet, APP, workdir=paths["workdir"], venv=paths["venv"])


# --- Kubernetes + KEDA -----------------------------------------------------------------------------


def test_every_deployment_has_a_scaled_object_targeting_it(fleet: tuple[WorkerSpec, ...]) -> None:
    manifests = export.kubernetes(fleet, APP, image=IMAGE, namespace="jobs")
    deployments = _deployments(manifests)
    scaled = {so["spec"]["scaleTargetRef"]["name"]: so for so in _scaled_objects(manifests)}
    assert len(deployments) == len(fleet) == len(scaled)
    for dep in deployments:
        assert dep["apiVersion"] == "apps/v1"
        assert dep["metadata"]["namespace"] == "jobs"
        so = scaled[dep["metadata"]["name"]]
        assert so["apiVersion"] == "keda.sh/v1alpha1"
        assert so["metadata"]["namespace"] == "jobs"
        assert so["spec"]["scaleTargetRef"]["kind"] == "Deployment"
        assert (so["spec"]["minReplicaCount"], so["spec"]["maxReplicaCount"]) == (1, 10)


def test_triggers_cover_all_priority_lists_of_each_queue(
    fleet: tuple[WorkerSpec, ...], multi_queue_spec: WorkerSpec
) -> None:
    specs = (*fleet, multi_queue_spec)
    for spec in specs:
        manifests = export.kubernetes((spec,), APP, image=IMAGE, redis_address_env="BROKER_HOSTPORT")
        (so,) = _scaled_objects(manifests)
        triggers = so["spec"]["triggers"]
        names = [t["metadata"]["listName"] for t in triggers]
        expected = [_kombu_list_name(q, step) for q in spec.queues for step in PRIORITY_STEPS]
        assert names == expected
        assert len(names) == 10 * len(spec.queues) == len(set(names))
        for trigger in triggers:
            assert trigger["type"] == "redis"
            assert trigger["metadata"]["addressFromEnv"] == "BROKER_HOSTPORT"
            assert trigger["metadata"]["listLength"] == "20"  # KEDA metadata is all strings


def test_deployments_run_the_planned_pool_and_stop_warmly(fleet: tuple[WorkerSpec, ...]) -> None:
    manifests = export.kubernetes(fleet, APP, image=IMAGE, stop_timeout_s=900)
    for spec, dep in zip(fleet, _deployments(manifests), strict=True):
        labels = {"app.kubernetes.io/name": "celeriac", "celeriac/family": spec.family}
        assert dep["metadata"]["labels"] == labels
        assert dep["spec"]["selector"]["matchLabels"] == labels
        assert dep["spec"]["template"]["metadata"]["labels"] == labels
        assert "replicas" not in dep["spec"]  # KEDA owns the count
        pod = dep["spec"]["template"]["spec"]
        assert pod["terminationGracePeriodSeconds"] == 900
        (container,) = pod["containers"]
        assert container["image"] == IMAGE
        assert container["command"] == spec.argv(APP)
        assert _flag(container["command"], "-P") == spec.pool
        assert container["envFrom"] == [{"secretRef": {"name": "celeriac"}}]


def test_resource_requests_by_kind(fleet: tuple[WorkerSpec, ...]) -> None:
    requests = {
        spec.family: dep["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"]
        for spec, dep in zip(fleet, _deployments(export.kubernetes(fleet, APP, image=IMAGE)), strict=True)
    }
    # cores=8 plans 8 cpu children; the request is capped so the pod stays schedulable.
    assert requests["cpu"] == {"cpu": "4000m", "memory": "1Gi"}
    assert requests["io"] == {"cpu": "250m", "memory": "512Mi"}
    assert requests["ai"] == {"cpu": "250m", "memory": "512Mi"}
    assert requests["maintenance"] == {"cpu": "100m", "memory": "256Mi"}
    small = plan_fleet(compile_topology({"a.run": declare("a.run", kind="cpu")}), cores=2)
    assert export.resource_requests(small[0]) == {"cpu": "2000m", "memory": "1Gi"}


def test_kubernetes_without_env_secret(fleet: tuple[WorkerSpec, ...]) -> None:
    for dep in _deployments(export.kubernetes(fleet, APP, image=IMAGE, env_secret=None)):
        assert "envFrom" not in dep["spec"]["template"]["spec"]["containers"][0]


@pytest.mark.parametrize(("low", "high", "target"), [(5, 2, 20), (-1, 3, 20), (0, 0, 20), (1, 3, 0)])
def test_kubernetes_rejects_bad_scaling(
    fleet: tuple[WorkerSpec, ...], low: int, high: int, target: int
) -> None:
    with pytest.raises(ValueError):
        export.kubernetes(
            fleet, APP, image=IMAGE, min_replicas=low, max_replicas=high, target_queue_length=target
        )


def test_yaml_round_trip_preserves_list_names(
    fleet: tuple[WorkerSpec, ...], multi_queue_spec: WorkerSpec
) -> None:
    manifests = export.kubernetes((*fleet, multi_queue_spec), APP, image=IMAGE)
    text = export.to_yaml(manifests)
    # The separator's control characters are written as escapes, never raw.
    assert "\x06" not in text and "\x16" not in text
    assert '"execution\\x06\\x169"' in text
    loaded = list(yaml.safe_load_all(text))
    assert loaded == manifests
    names = [t["metadata"]["listName"] for so in _scaled_objects(loaded) for t in so["spec"]["triggers"]]
    assert "fetch\x06\x163" in names
    assert names == [
        _kombu_list_name(q, step)
        for spec in (*fleet, multi_queue_spec)
        for q in spec.queues
        for step in PRIORITY_STEPS
    ]
    assert text.count("\n---\n") + text.startswith("---\n") == len(manifests)


# --- CLI table -------------------------------------------------------------------------------------


def test_cli_table_rows(fleet: tuple[WorkerSpec, ...], multi_queue_spec: WorkerSpec) -> None:
    rows = export.cli_table_rows((*fleet, multi_queue_spec), app=APP)
    assert all(len(row) == len(export.TABLE_COLUMNS) for row in rows)
    by_family = {row[0]: row for row in rows[:-1]}
    assert by_family["cpu"] == (
        "cpu",
        "execution",
        "prefork",
        "8",
        "1",
        "1000",
        shlex.join(fleet[0].argv(APP)),
    )
    assert by_family["io"][5] == "-"  # gevent does not recycle children
    assert rows[-1][1] == "email,fetch"
    for spec, row in zip((*fleet, multi_queue_spec), rows, strict=True):
        assert _flag(shlex.split(row[6]), "-P") == spec.pool == row[2]
    placeholder = export.cli_table_rows(fleet)
    assert shlex.split(placeholder[0][6])[:3] == ["celery", "-A", export.APP_PLACEHOLDER]


# --- Families with several processes -----------------------------------------------------------------


def test_io_family_runs_one_process_per_core_with_distinct_names() -> None:
    topo = compile_topology({"a.fetch": declare("a.fetch", kind="io"), "a.run": declare("a.run", kind="cpu")})
    fleet = plan_fleet(topo, cores=3)
    io = [s for s in fleet if s.family == "io"]
    assert [s.name for s in io] == ["io-1", "io-2", "io-3"]
    assert [_flag(s.argv(APP), "-n") for s in io] == ["io-1@%h", "io-2@%h", "io-3@%h"]
    names = [line.split(":", 1)[0] for line in export.procfile(fleet, APP).splitlines()]
    assert names == ["worker-cpu", "worker-io-1", "worker-io-2", "worker-io-3", "beat"]
    deployments = _deployments(export.kubernetes(fleet, APP, image=IMAGE))
    assert [d["metadata"]["name"] for d in deployments] == ["celeriac-worker-cpu", "celeriac-worker-io"]
