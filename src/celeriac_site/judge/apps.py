"""Django app config of the code judge."""

from django.apps import AppConfig


class JudgeConfig(AppConfig):
    name = "celeriac_site.judge"
    label = "judge"
    default_auto_field = "django.db.models.BigAutoField"
