"""URL map of the reference deployment."""

from django.contrib import admin
from django.urls import include, path

from celeriac_site import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/judge/", include("celeriac_site.judge.urls")),
    path("media-ai/", include("celeriac_site.media.urls")),
    path("", include("celeriac_site.bridge.urls")),  # /api/bridge/, /bridge/, /flower/
]
