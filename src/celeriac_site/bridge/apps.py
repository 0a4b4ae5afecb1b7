"""Django app config of the legacy bridge."""

from django.apps import AppConfig


class BridgeConfig(AppConfig):
    name = "celeriac_site.bridge"
    label = "bridge"
    default_auto_field = "django.db.models.BigAutoField"
