"""Celeriac's effective settings copied onto a plain Celery app whose tasks use Celery's own Task."""

from __future__ import annotations

import os
from typing import Any

from celery import Celery

import celeriac
from benchmarks.apps.common import BROKER_URL, noop_body, sleep_body
from benchmarks.apps.declarations import DECLARATIONS, NOOP, SLEEP50

#: Copied even when equal to the default, so the apps agree whatever Celery's defaults become.
_CARRIED = ("broker_url",)


def celeriac_settings() -> dict[str, Any]:
    """Every setting where a Celeriac-configured app differs from Celery's defaults (throwaway apps).

    Comparing values, not ``conf.changes``: a loaded configuration lists Celery's defaults there too,
    and copying ``worker_pool`` would override ``-P`` (Celeriac's seed 004).
    """
    probe = Celery("celeriac_settings_probe", broker=BROKER_URL, set_as_current=False)
    celeriac.configure(probe, DECLARATIONS)
    plain = Celery("plain_settings_probe", broker=BROKER_URL, set_as_current=False)
    chosen, default = probe.conf, plain.conf
    return {key: chosen[key] for key in chosen if key in _CARRIED or chosen[key] != default.get(key)}


def reverted(settings: dict[str, Any], names: list[str]) -> dict[str, Any]:
    """``settings`` with ``names`` put back to Celery's defaults (``priority_lists``: kombu's own order).

    Only ``python -m benchmarks.ablate`` asks for this (env ``BENCH_REVERT``); the benchmark never does.
    """
    default = Celery("plain_settings_probe", set_as_current=False).conf
    out = dict(settings)
    for name in names:
        if name == "priority_lists":
            opts = dict(out["broker_transport_options"])
            for key in ("queue_order_strategy", "priority_steps"):
                opts.pop(key, None)
            out["broker_transport_options"] = opts
        else:
            out[name] = default[name]
    return out


app = Celery("bare", broker=BROKER_URL, set_as_current=True)
app.conf.update(
    reverted(celeriac_settings(), [n for n in os.environ.get("BENCH_REVERT", "").split(",") if n])
)


@app.task(name=NOOP.name, time_limit=int(NOOP.time_limit_s), soft_time_limit=int(NOOP.soft_time_limit_s))
def noop() -> None:
    noop_body()


@app.task(
    name=SLEEP50.name, time_limit=int(SLEEP50.time_limit_s), soft_time_limit=int(SLEEP50.soft_time_limit_s)
)
def sleep50() -> None:
    sleep_body()
