"""Django app config of the demonstration workloads."""

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "celeriac_site.demo"
    label = "demo"
    default_auto_field = "django.db.models.BigAutoField"
