"""Django app config of the media pipeline."""

from django.apps import AppConfig


class MediaConfig(AppConfig):
    name = "celeriac_site.media"
    label = "media"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Media AI"
