"""Django system checks with stable ids; ``celeriac doctor`` runs them too."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

from celeriac.conf import FORBIDDEN_IN_CONFIG

W001 = "celeriac.W001"  # a registered task has no workload declaration and lands on 'default'
E001 = "celeriac.E001"  # worker_pool set in settings (seed 004)
W002 = "celeriac.W002"  # no cache configured on Redis: caching and its counters need django-redis


def check_pool_not_in_settings(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    out: list[checks.CheckMessage] = []
    for name in FORBIDDEN_IN_CONFIG:
        setting = f"CELERY_{name.upper()}"
        if hasattr(settings, setting):
            out.append(
                checks.Error(
                    f"{setting} overrides the pool operators pass with -P (seed 004)",
                    hint="Remove it: the fleet passes -P per queue family on the worker command line.",
                    id=E001,
                )
            )
    return out


def check_cache_backend(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if "django_redis" not in backend:
        return [
            checks.Warning(
                f"the default cache is {backend or 'unset'}; Celeriac caching needs django-redis",
                hint="CACHES['default']['BACKEND'] = 'django_redis.cache.RedisCache'",
                id=W002,
            )
        ]
    return []


def check_tasks_declared(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    from celery import current_app

    from celeriac.app import topology_of

    app: Any = current_app
    topology = topology_of(app)
    if topology is None:
        return []
    # Import every app's tasks module the way Django autodiscovers admin modules; Celery's own
    # import_default_modules would run the system checks again (its Django fixup) and recurse.
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("tasks")
    out: list[checks.CheckMessage] = []
    for name in sorted(app.tasks):
        if name.startswith("celery.") or name in topology.workloads:
            continue
        out.append(
            checks.Warning(
                f"task {name} has no workload declaration and lands on the 'default' queue, "
                "which no Celeriac worker consumes",
                hint="Declare it with celeriac.declare() and register it with celeriac.task().",
                id=W001,
            )
        )
    return out


def register() -> None:
    checks.register(check_pool_not_in_settings, "celeriac")
    checks.register(check_cache_backend, "celeriac")
    checks.register(check_tasks_declared, "celeriac")
