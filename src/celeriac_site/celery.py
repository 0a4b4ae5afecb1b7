"""The reference deployment's Celery app: Django settings first, then Celeriac's topology."""

from __future__ import annotations

import os

from celery import Celery

import celeriac
from celeriac_site.workloads import WORKLOADS

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "celeriac_site.settings")

app = Celery("celeriac_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
topology = celeriac.configure(app, WORKLOADS)
app.autodiscover_tasks()
