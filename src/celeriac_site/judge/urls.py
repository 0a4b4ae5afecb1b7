"""URLs of the judge's JSON API; the OpenAPI schema is at ``openapi.json``, docs at ``docs``."""

from django.urls import path

from celeriac_site.judge.api import api

urlpatterns = [path("", api.urls)]
