"""URLs of the bridge, mounted at the site root: its API, its report page and Flower under /flower/."""

from django.urls import URLPattern, URLResolver, path, re_path

from celeriac_site.bridge import flower, views
from celeriac_site.bridge.api import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("api/bridge/", api.urls),
    path("bridge/", views.report_page, name="bridge-report"),
    re_path(r"^flower(?P<path>/.*)?$", flower.proxy, name="flower"),
]
