"""Apply a compiled topology and the reliable defaults to a Celery app."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

from celery import Celery

from celeriac.conf import check_no_pool_in_config, reliable_settings, settings_values
from celeriac.errors import ConfigurationError
from celeriac.fleet.spec import FamilyOverride, WorkerSpec, plan_fleet
from celeriac.topology import Topology, compile_topology
from celeriac.workloads import Workload

_TOPOLOGY_ATTR = "_celeriac_topology"
_FINDINGS_ATTR = "_celeriac_findings"
_APPLIED_ATTR = "_celeriac_applied"
#: Celery's built-in default: with it in config, the pool given by -P (or its default) decides.
CELERY_DEFAULT_POOL = "prefork"
log = logging.getLogger("celeriac")


def configure(app: Celery, workloads: Mapping[str, Workload], *, broker_url: str | None = None) -> Topology:
    """Compile ``workloads`` and fill every setting the project left unset with Celeriac's choice.

    Whatever the project sets itself (Django ``CELERY_*`` settings, ``config_from_object``,
    ``app.conf.update``) wins; transport-option dicts are merged key by key. The settings are applied
    when Celery first loads its configuration, so importing the app stays cheap and side-effect free.
    ``worker_pool`` in the configuration is refused: it silently overrides ``-P`` (seed 004).
    """
    topology = compile_topology(workloads)
    setattr(app, _TOPOLOGY_ATTR, topology)
    findings: list[str] = []
    setattr(app, _FINDINGS_ATTR, findings)
    applied: set[str] = set()
    setattr(app, _APPLIED_ATTR, applied)

    def apply(conf: Any) -> None:
        user = set(user_config_keys(conf, getattr(app, "namespace", None)))
        try:
            check_no_pool_in_config(user)
        except ConfigurationError as exc:
            # Celery's signal dispatcher would swallow a raise here. Neutralise the setting instead
            # (Celery's own default lets -P decide) and say so loudly; doctor reports it as an error.
            log.error("celeriac: %s Ignoring it.", exc)
            findings.append(str(exc))
            conf.update(worker_pool=CELERY_DEFAULT_POOL)
            user.discard("worker_pool")
        url = broker_url or conf.broker_url or os.environ.get("REDIS_URL") or ""
        chosen = settings_values(reliable_settings(topology, url))
        updates: dict[str, Any] = {}
        if not conf.result_backend:
            # Without a backend there is nothing to compress, and Celery warns at every worker start.
            chosen.pop("result_compression", None)
        for key, value in chosen.items():
            if key not in user:
                updates[key] = value
            elif isinstance(value, dict) and isinstance(conf.get(key), dict):
                updates[key] = {**value, **conf.get(key)}
        conf.update(updates)
        applied.update(k for k in updates if k not in user)  # merged dicts stay the project's

    if getattr(app, "configured", False):
        apply(app.conf)
    else:
        app.on_after_configure.connect(lambda sender, source, **_: apply(source), sender=app, weak=False)
    return topology


def user_config_keys(conf: Any, namespace: str | None = "CELERY") -> list[str]:
    """Setting names the project set itself, in Celery's current lower-case spelling.

    Understands a ``config_from_object`` namespace prefix and Celery's old upper-case names
    (``CELERY_ACKS_LATE`` is ``task_acks_late``, ``CELERYD_PREFETCH_MULTIPLIER`` is
    ``worker_prefetch_multiplier``), using Celery's own translation table.
    """
    from celery.app.defaults import _TO_NEW_KEY  # type: ignore[attr-defined]

    keys: set[str] = {k for k in conf.changes if k != "deprecated_settings"}
    # A loaded Settings is a ChainMap: [changes, config_from_object sources..., Celery's defaults].
    for layer in conf.maps[1:-1]:
        keys.update(k for k in layer if isinstance(k, str) and not k.startswith("_"))
    prefix = f"{namespace}_" if namespace else None
    out = set()
    for key in keys:
        if key in _TO_NEW_KEY:
            out.add(_TO_NEW_KEY[key])
            continue
        if prefix and key.startswith(prefix):
            key = key[len(prefix) :]
        out.add(_TO_NEW_KEY.get(key, key.lower()))
    return sorted(out)


def project_config_keys(app: Celery) -> list[str]:
    """What the project set itself: the configured keys minus those ``configure`` filled in."""
    app.conf.get("broker_url")  # load the configuration (and apply Celeriac's) before reading its layers
    applied: set[str] = getattr(app, _APPLIED_ATTR, set())
    keys = user_config_keys(app.conf, getattr(app, "namespace", None))
    return [k for k in keys if k not in applied]


def configuration_findings(app: Celery) -> list[str]:
    """Problems ``configure`` found and neutralised in the project's own configuration."""
    found = getattr(app, _FINDINGS_ATTR, [])
    return list(found)


def topology_of(app: Celery) -> Topology | None:
    """The topology ``configure`` compiled for this app, if any."""
    topo = getattr(app, _TOPOLOGY_ATTR, None)
    return topo if isinstance(topo, Topology) else None


def fleet_of(
    app: Celery, *, cores: int | None = None, overrides: Mapping[str, FamilyOverride] | None = None
) -> tuple[WorkerSpec, ...]:
    topo = topology_of(app)
    if topo is None:
        raise LookupError("this app was not configured with celeriac.configure(); it has no declared fleet")
    return plan_fleet(topo, cores=cores, overrides=overrides)
