"""HTTP: the JSON upload/list/detail API, the originals, the health figures and the gallery page."""

from __future__ import annotations

from typing import Any

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from celeriac_site.media.models import ProcessingStatus
from celeriac_site.media.services import config, health, uploads
from celeriac_site.media.services.kinds import PHOTOS, VIDEOS, KindSpec, spec
from celeriac_site.media.services.presenters import item_json, with_tags
from celeriac_site.media.upload_limit import MULTIPART_OVERHEAD_BYTES, SizeLimitHandler
from celeriac_site.media.validation import MediaKind, UploadRejected

LIST_DEFAULT = 50
LIST_MAX = 200
GALLERY_ITEMS = 60


def _error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _too_big(limit: int) -> JsonResponse:
    return _error(f"the file is larger than the limit of {limit} bytes", 413)


def _upload(request: HttpRequest, kind: MediaKind) -> JsonResponse:
    limit = config.max_upload_bytes(kind)
    if int(request.META.get("CONTENT_LENGTH") or 0) > limit + MULTIPART_OVERHEAD_BYTES:
        return _too_big(limit)  # refused before a byte of the body is read
    guard = SizeLimitHandler(limit, request)
    request.upload_handlers.insert(0, guard)
    try:
        upload: UploadedFile[bytes] | None = request.FILES.get("file")
    except MultiPartParserError as exc:
        return _error(f"malformed multipart body: {exc}", 400)
    if guard.exceeded:
        return _too_big(limit)
    name, size = (upload.name, upload.size or 0) if upload is not None else (None, 0)
    try:
        accepted = uploads.accept(kind, upload, name, size)
    except UploadRejected as exc:
        return _error(exc.message, exc.status)
    body = item_json(with_tags(spec(kind), spec(kind).model.objects.filter(pk=accepted.item.pk)).get())
    return JsonResponse({**body, "queued": accepted.queued}, status=201)


def _list(request: HttpRequest, s: KindSpec) -> JsonResponse:
    try:
        limit = min(LIST_MAX, max(1, int(request.GET.get("limit", LIST_DEFAULT))))
        offset = max(0, int(request.GET.get("offset", 0)))
    except ValueError:
        return _error("limit and offset must be integers", 400)
    qs = s.model.objects.order_by("-uploaded_at", "-pk")
    status = request.GET.get("status")
    if status:
        if status not in ProcessingStatus.values:
            return _error(f"status must be one of {', '.join(ProcessingStatus.values)}", 400)
        qs = qs.filter(processing_status=status)
    items = [item_json(i) for i in with_tags(s, qs[offset : offset + limit])]
    return JsonResponse({"count": qs.count(), "limit": limit, "offset": offset, "items": items})


def _collection(request: HttpRequest, kind: MediaKind) -> JsonResponse:
    return _upload(request, kind) if request.method == "POST" else _list(request, spec(kind))


@csrf_exempt  # a JSON API for programs; the reference site has no session-authenticated uploads
@require_http_methods(["GET", "POST"])
def photos(request: HttpRequest) -> JsonResponse:
    return _collection(request, MediaKind.PHOTO)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def videos(request: HttpRequest) -> JsonResponse:
    return _collection(request, MediaKind.VIDEO)


def _get(s: KindSpec, pk: int) -> Any:
    return with_tags(s, s.model.objects.filter(pk=pk)).first()


def _detail(s: KindSpec, pk: int) -> JsonResponse:
    item = _get(s, pk)
    return JsonResponse(item_json(item)) if item else _error(f"no {s.kind} with id {pk}", 404)


def _file(s: KindSpec, pk: int) -> HttpResponseBase:
    item = s.model.objects.filter(pk=pk).first()
    if item is None:
        return _error(f"no {s.kind} with id {pk}", 404)
    try:
        handle = default_storage.open(item.file.name or "", "rb")
    except (FileNotFoundError, OSError, ValueError):
        return _error(f"the file of {s.kind} {pk} is missing", 404)
    response = FileResponse(handle, content_type=item.content_type or "application/octet-stream")
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def photo_detail(request: HttpRequest, pk: int) -> JsonResponse:
    return _detail(PHOTOS, pk)


@require_GET
def video_detail(request: HttpRequest, pk: int) -> JsonResponse:
    return _detail(VIDEOS, pk)


@require_GET
def photo_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    return _file(PHOTOS, pk)


@require_GET
def video_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    return _file(VIDEOS, pk)


@require_GET
def health_view(request: HttpRequest) -> JsonResponse:
    return JsonResponse(health.health_figures())


@require_GET
def gallery(request: HttpRequest) -> HttpResponse:
    context = {
        "photos": [
            item_json(i) for i in with_tags(PHOTOS, PHOTOS.model.objects.order_by("-pk")[:GALLERY_ITEMS])
        ],
        "videos": [
            item_json(i) for i in with_tags(VIDEOS, VIDEOS.model.objects.order_by("-pk")[:GALLERY_ITEMS])
        ],
        "health": health.health_figures(),
        "settings": config.current(),
    }
    return render(request, "media/gallery.html", context)
