"""Flower under /flower/: a staff-only reverse proxy to the Flower process ``celeriac up`` starts."""

from __future__ import annotations

import base64
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt

#: Flower runs with ``--url_prefix=flower``: its pages, API and static files all live under this.
PREFIX = "/flower"
TIMEOUT_S = 15.0
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
#: Never forwarded: connection-level headers, and the browser's Django cookies and origin (checked here).
DROP_REQUEST = {
    "host", "connection", "keep-alive", "proxy-authorization", "te", "trailer", "transfer-encoding",
    "upgrade", "cookie", "content-length", "authorization", "origin", "referer",
}  # fmt: skip
#: httpx already decoded the body, and Django computes the length itself.
DROP_RESPONSE = {
    "connection",
    "keep-alive",
    "transfer-encoding",
    "content-encoding",
    "content-length",
    "set-cookie",
}


@csrf_exempt  # Flower's own pages cannot carry Django's token; same_origin() below guards writes instead
@staff_member_required
def proxy(request: HttpRequest, path: str | None = None) -> HttpResponse:
    """Forward the request to Flower; anonymous users are sent to the admin login first."""
    if request.method not in SAFE_METHODS and not same_origin(request):
        return HttpResponseForbidden("cross-origin request to Flower refused")
    upstream = settings.FLOWER_URL.rstrip("/") + PREFIX + (path or "/")
    if query := request.META.get("QUERY_STRING", ""):
        upstream += "?" + query
    headers = {k: v for k, v in request.headers.items() if k.lower() not in DROP_REQUEST}
    if auth := settings.FLOWER_BASIC_AUTH:
        # Flower itself demands this, so a local user who finds its port still cannot use it.
        headers["Authorization"] = "Basic " + base64.b64encode(auth.encode()).decode()
    try:
        resp = httpx.request(
            request.method or "GET",
            upstream,
            headers=headers,
            content=request.body if request.method not in SAFE_METHODS else None,
            timeout=TIMEOUT_S,
            follow_redirects=False,
        )
    except httpx.HTTPError as exc:
        return HttpResponse(
            f"Flower is not reachable at {settings.FLOWER_URL} ({type(exc).__name__}); is it running? "
            "`celeriac up` starts it.",
            status=502,
            content_type="text/plain",
        )
    out = HttpResponse(resp.content, status=resp.status_code)
    for key, value in resp.headers.items():
        if key.lower() not in DROP_RESPONSE:
            out[key] = _local(value) if key.lower() == "location" else value
    return out


def same_origin(request: HttpRequest) -> bool:
    """The write comes from a page of this site (Origin, else Referer, names our host)."""
    source = request.headers.get("Origin") or request.headers.get("Referer") or ""
    return bool(source) and urlsplit(source).netloc == request.get_host()


def _local(location: str) -> str:
    """Flower's redirects name its own address; the browser must stay on the site."""
    parts = urlsplit(location)
    if parts.netloc and parts.netloc == urlsplit(settings.FLOWER_URL).netloc:
        return parts._replace(scheme="", netloc="").geturl()
    return location
