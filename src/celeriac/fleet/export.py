"""Export a planned fleet for deployment: Procfile, systemd units, Kubernetes + KEDA manifests, table rows."""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import PurePosixPath
from typing import Any

import yaml

from celeriac.fleet.spec import WorkerSpec
from celeriac.topology import PRIORITY_STEPS
from celeriac.workloads import Kind

Fleet = Sequence[WorkerSpec]
Manifest = dict[str, Any]

#: kombu's Redis ``Channel.sep``: a priority list is named ``<queue><sep><step>``.
KOMBU_PRIORITY_SEP = "\x06\x16"

#: Seconds a worker gets between SIGTERM (warm shutdown: finish running tasks) and SIGKILL.
DEFAULT_STOP_TIMEOUT_S = 600

#: Beat runs no tasks; on SIGTERM it only saves its schedule, so it never needs long.
BEAT_STOP_TIMEOUT_S = 30

#: Shown in the command column when the caller does not say which Celery app the fleet runs.
APP_PLACEHOLDER = "APP"

#: Cap on a cpu pod's request: ``concurrency`` comes from the planning host's core count, and a pod
#: asking for more cores than a typical node has would never be scheduled.
MAX_CPU_REQUEST_CORES = 4

#: (cpu, memory) requests for kinds that mostly wait: greenlets or a single maintenance child.
_WAITING_REQUESTS = {
    Kind.IO: ("250m", "512Mi"),
    Kind.AI: ("250m", "512Mi"),
    Kind.MAINTENANCE: ("100m", "256Mi"),
}
_CPU_MEMORY_REQUEST = "1Gi"

_LABEL_NAME = "app.kubernetes.io/name"
_LABEL_FAMILY = "celeriac/family"


# --- Shared ----------------------------------------------------------------------------------------


def worker_name(spec: WorkerSpec) -> str:
    """The process / unit name of one worker process (``worker-io-2``)."""
    return f"worker-{spec.name}"


def beat_argv(app: str, *, loglevel: str = "INFO") -> list[str]:
    """The ``celery beat`` command line."""
    return ["celery", "-A", app, "beat", "-l", loglevel]


def priority_lists(queue: str) -> tuple[str, ...]:
    """The Redis lists kombu spreads ``queue`` over, one per priority step (its ``_q_for_pri``).

    Step 0 is the bare queue name (kombu only appends the separator for a non-zero step). Celeriac
    sets no ``global_keyprefix``; with one, every name here would need that prefix too.
    """
    return tuple(f"{queue}{KOMBU_PRIORITY_SEP}{step}" if step else queue for step in PRIORITY_STEPS)


# --- Procfile --------------------------------------------------------------------------------------


def procfile(fleet: Fleet, app: str, *, beat: bool = True) -> str:
    """One ``worker-<family>`` line per worker, plus ``beat`` (there must be exactly one beat)."""
    lines = [f"{worker_name(spec)}: {shlex.join(spec.argv(app))}" for spec in fleet]
    if beat:
        lines.append(f"beat: {shlex.join(beat_argv(app))}")
    return "\n".join(lines) + "\n"


# --- systemd ---------------------------------------------------------------------------------------

TARGET_UNIT = "celeriac.target"
BEAT_UNIT = "celeriac-beat.service"


def worker_unit_name(spec: WorkerSpec) -> str:
    return f"celeriac-{worker_name(spec)}.service"


def systemd_units(
    fleet: Fleet,
    app: str,
    *,
    workdir: str,
    venv: str,
    env_file: str | None = None,
    user: str = "celeriac",
    environment: Mapping[str, str] | None = None,
    stop_timeout_s: int = DEFAULT_STOP_TIMEOUT_S,
) -> dict[str, str]:
    """Unit file name -> text: one service per worker, one for beat, and a target wanting them all."""
    for label, path in (("workdir", workdir), ("venv", venv)):
        if not PurePosixPath(path).is_absolute():
            raise ValueError(f"{label} must be an absolute path for systemd, got {path!r}")
    celery = str(PurePosixPath(venv) / "bin" / "celery")
    env_lines = _environment_lines(environment or {}, env_file)
    common = _ServiceCommon(workdir=workdir, user=user, env_lines=env_lines)
    units = {
        worker_unit_name(spec): common.render(
            description=f"Celeriac worker {spec.family} (queues {','.join(spec.queues)}, pool {spec.pool})",
            argv=[celery, *spec.argv(app)[1:]],
            stop_timeout_s=stop_timeout_s,
        )
        for spec in fleet
    }
    units[BEAT_UNIT] = common.render(
        description="Celeriac beat (periodic task scheduler)",
        argv=[celery, *beat_argv(app)[1:]],
        stop_timeout_s=BEAT_STOP_TIMEOUT_S,
    )
    units[TARGET_UNIT] = _target(list(units))
    return units


class _ServiceCommon:
    """What every Celeriac service shares: where, as whom, with which environment."""

    def __init__(self, *, workdir: str, user: str, env_lines: list[str]) -> None:
        self.workdir = workdir
        self.user = user
        self.env_lines = env_lines

    def render(self, *, description: str, argv: list[str], stop_timeout_s: int) -> str:
        lines = [
            "[Unit]",
            f"Description={description}",
            "After=network-online.target",
            "Wants=network-online.target",
            # Stopping or restarting the target stops or restarts this unit with it.
            f"PartOf={TARGET_UNIT}",
            "",
            "[Service]",
            "Type=simple",
            f"User={_no_specifiers(self.user)}",
            f"WorkingDirectory={_no_specifiers(self.workdir)}",
            *self.env_lines,
            f"ExecStart={' '.join(_systemd_quote(a) for a in argv)}",
            # mixed: SIGTERM goes to the main process only, which is Celery's warm shutdown (stop
            # consuming, let running tasks finish, then exit). Were the pool children signalled too
            # (control-group), they would die mid-task. Whatever is still alive after TimeoutStopSec
            # gets SIGKILL, children included; acks_late then redelivers their tasks.
            "KillMode=mixed",
            "KillSignal=SIGTERM",
            f"TimeoutStopSec={stop_timeout_s}",
            "Restart=always",
            "RestartSec=5",
            "",
            "[Install]",
            f"WantedBy={TARGET_UNIT}",
        ]
        return "\n".join(lines) + "\n"


def _target(units: Iterable[str]) -> str:
    wants = " ".join(units)
    lines = [
        "[Unit]",
        "Description=Celeriac worker fleet and beat",
        f"Wants={wants}",
        "",
        "[Install]",
        "WantedBy=multi-user.target",
    ]
    return "\n".join(lines) + "\n"


def _environment_lines(environment: Mapping[str, str], env_file: str | None) -> list[str]:
    lines = [f"Environment={_systemd_quote(f'{key}={value}')}" for key, value in environment.items()]
    if env_file is not None:
        lines.append(f"EnvironmentFile={_no_specifiers(env_file)}")
    return lines


def _no_specifiers(value: str) -> str:
    """systemd expands ``%x`` specifiers in most settings; keep a literal ``%`` literal."""
    return value.replace("%", "%%")


def _systemd_quote(arg: str) -> str:
    """Quote one word for systemd, which is not a shell: it expands ``%`` specifiers and ``$VAR``.

    The worker's ``-n family@%h`` must reach Celery as ``%h`` (Celery's hostname), not systemd's
    home-directory specifier, hence ``%%``.
    """
    escaped = _no_specifiers(arg).replace("$", "$$")
    if escaped and not any(c.isspace() or c in "\"'\\;" for c in escaped):
        return escaped
    return '"' + escaped.replace("\\", "\\\\").replace('"', '\\"') + '"'


# --- Kubernetes + KEDA -----------------------------------------------------------------------------


def kubernetes(
    fleet: Fleet,
    app: str,
    *,
    image: str,
    namespace: str = "default",
    redis_address_env: str = "REDIS_ADDRESS",
    min_replicas: int = 1,
    max_replicas: int = 10,
    target_queue_length: int = 20,
    stop_timeout_s: int = DEFAULT_STOP_TIMEOUT_S,
    env_secret: str | None = "celeriac",
) -> list[Manifest]:
    """Per worker, a Deployment and the KEDA ScaledObject that scales it on its Redis lists.

    ``env_secret`` is loaded into every container with ``envFrom``: it should hold what the app
    reads (e.g. ``REDIS_URL``) and ``redis_address_env`` (``host:port``), which KEDA's redis
    scaler resolves from the target container's environment.
    """
    if not 0 <= min_replicas <= max_replicas or max_replicas < 1:
        raise ValueError(f"need 0 <= min_replicas <= max_replicas >= 1, got {min_replicas}..{max_replicas}")
    if target_queue_length < 1:
        raise ValueError("target_queue_length must be >= 1")
    manifests: list[Manifest] = []
    # One Deployment per family: on Kubernetes the family's processes are pods, and KEDA counts them.
    for spec in (s for s in fleet if s.instance == 0):
        spec = replace(spec, instances=1)
        manifests.append(_deployment(spec, app, image, namespace, stop_timeout_s, env_secret))
        manifests.append(
            _scaled_object(
                spec, namespace, redis_address_env, min_replicas, max_replicas, target_queue_length
            )
        )
    return manifests


def deployment_name(spec: WorkerSpec) -> str:
    return f"celeriac-{worker_name(spec)}"


def _labels(spec: WorkerSpec) -> dict[str, str]:
    return {_LABEL_NAME: "celeriac", _LABEL_FAMILY: spec.family}


def _metadata(spec: WorkerSpec, namespace: str) -> dict[str, Any]:
    return {"name": deployment_name(spec), "namespace": namespace, "labels": _labels(spec)}


def resource_requests(spec: WorkerSpec) -> dict[str, str]:
    """Requests sized by kind: a cpu worker needs a core per child; the others mostly wait."""
    if spec.kind is Kind.CPU:
        # Requests beyond the cap still let the children run, just sharing fewer cores.
        cores = min(spec.concurrency, MAX_CPU_REQUEST_CORES)
        return {"cpu": f"{cores * 1000}m", "memory": _CPU_MEMORY_REQUEST}
    cpu, memory = _WAITING_REQUESTS[spec.kind]
    return {"cpu": cpu, "memory": memory}


def _deployment(
    spec: WorkerSpec, app: str, image: str, namespace: str, stop_timeout_s: int, env_secret: str | None
) -> Manifest:
    container: dict[str, Any] = {
        "name": "worker",
        "image": image,
        # Celery is PID 1, so the kubelet's SIGTERM reaches it directly: a warm shutdown.
        "command": spec.argv(app),
        "resources": {"requests": resource_requests(spec)},
    }
    if env_secret is not None:
        container["envFrom"] = [{"secretRef": {"name": env_secret}}]
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _metadata(spec, namespace),
        # No ``replicas``: KEDA's HPA owns the count, and re-applying a fixed number would reset it.
        "spec": {
            "selector": {"matchLabels": _labels(spec)},
            "template": {
                "metadata": {"labels": _labels(spec)},
                "spec": {
                    # Time between SIGTERM and SIGKILL, so scale-down lets running tasks finish.
                    "terminationGracePeriodSeconds": stop_timeout_s,
                    "containers": [container],
                },
            },
        },
    }


def _scaled_object(
    spec: WorkerSpec,
    namespace: str,
    redis_address_env: str,
    min_replicas: int,
    max_replicas: int,
    target_queue_length: int,
) -> Manifest:
    # KEDA's redis scaler reads one list per trigger, and the HPA follows the trigger asking for the
    # most replicas (max, not sum): a backlog spread thinly over many priority lists scales less
    # than the same backlog on one list.
    triggers = [
        {
            "type": "redis",
            # KEDA trigger metadata is a string map: numbers must be quoted.
            "metadata": {
                "addressFromEnv": redis_address_env,
                "listName": name,
                "listLength": str(target_queue_length),
            },
        }
        for queue in spec.queues
        for name in priority_lists(queue)
    ]
    return {
        "apiVersion": "keda.sh/v1alpha1",
        "kind": "ScaledObject",
        "metadata": _metadata(spec, namespace),
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": deployment_name(spec)},
            "minReplicaCount": min_replicas,
            "maxReplicaCount": max_replicas,
            "triggers": triggers,
        },
    }


def to_yaml(manifests: Iterable[Manifest]) -> str:
    """A multi-document YAML stream, ready for ``kubectl apply -f -``.

    ``safe_dump`` writes the control characters of kombu's separator as ``"\\x06\\x16"`` escapes in
    a double-quoted scalar, so list names survive the round trip byte for byte. An unlimited width
    keeps every value on one line, readable and greppable.
    """
    return yaml.safe_dump_all(list(manifests), explicit_start=True, sort_keys=False, width=float("inf"))


# --- CLI table -------------------------------------------------------------------------------------

TABLE_COLUMNS = ("worker", "queues", "pool", "concurrency", "prefetch", "max tasks/child", "command")


def cli_table_rows(fleet: Fleet, *, app: str = APP_PLACEHOLDER) -> list[tuple[str, ...]]:
    """One row per worker, in :data:`TABLE_COLUMNS` order; ``command`` is exactly what is run."""
    return [
        (
            spec.name,
            ",".join(spec.queues),
            spec.pool,
            str(spec.concurrency),
            str(spec.prefetch_multiplier),
            "-" if spec.max_tasks_per_child is None else str(spec.max_tasks_per_child),
            shlex.join(spec.argv(app)),
        )
        for spec in fleet
    ]
