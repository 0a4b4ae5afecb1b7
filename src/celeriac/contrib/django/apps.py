"""Explicit Django wiring: ``ready()`` installs the query counter and registers the system checks."""

from __future__ import annotations

from django.apps import AppConfig


class CeleriacConfig(AppConfig):
    name = "celeriac.contrib.django"
    label = "celeriac"
    verbose_name = "Celeriac"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from celeriac.contrib.django import checks, queries
        from celeriac.observe import queries as observe_queries

        observe_queries.install(queries.count_queries)
        checks.register()
