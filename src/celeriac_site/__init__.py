"""The reference deployment: the seeds' systems running on Celeriac."""

from celeriac_site.celery import app as celery_app

__all__ = ["celery_app"]
