"""Django admin: the AI settings (one row, edited at run time), photos, videos and tags."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from celeriac_site.media.models import AISettings, BatchRun, Photo, PhotoTag, Tag, Video, VideoTag
from celeriac_site.media.services import claims, dispatch
from celeriac_site.media.services.kinds import PHOTOS, VIDEOS, KindSpec


@admin.register(AISettings)
class AISettingsAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "auto_process_on_upload",
        "scheduled_processing_enabled",
        "batch_size",
        "per_item_timeout_s",
        "captioner_enabled",
        "updated_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not AISettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _reprocess(s: KindSpec, request: HttpRequest, queryset: QuerySet[Any]) -> None:
    pks = list(queryset.values_list("pk", flat=True))
    reset = claims.reset(s, pks)
    queued = sum(dispatch.try_send(s.kind, pk) for pk in pks)
    messages.info(request, f"{reset} {s.plural} reset to pending, {queued} queued")


class PhotoTagInline(admin.TabularInline):  # type: ignore[type-arg]
    model = PhotoTag
    extra = 0


class VideoTagInline(admin.TabularInline):  # type: ignore[type-arg]
    model = VideoTag
    extra = 0


_ITEM_LIST = ("id", "original_name", "processing_status", "ai_description", "uploaded_at", "processed_at")
_ITEM_READONLY = (
    "sha256",
    "size_bytes",
    "claim_token",
    "claimed_at",
    "attempts",
    "processed_at",
    "analysis",
    "exif",
)


@admin.register(Photo)
class PhotoAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = _ITEM_LIST
    list_filter = ("processing_status",)
    search_fields = ("original_name", "ai_description")
    readonly_fields = _ITEM_READONLY
    inlines = (PhotoTagInline,)
    actions = ("reprocess",)

    @admin.action(description="Reprocess selected photos")
    def reprocess(self, request: HttpRequest, queryset: QuerySet[Photo]) -> None:
        _reprocess(PHOTOS, request, queryset)


@admin.register(Video)
class VideoAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (*_ITEM_LIST, "duration_s")
    list_filter = ("processing_status",)
    search_fields = ("original_name", "ai_description")
    readonly_fields = _ITEM_READONLY
    inlines = (VideoTagInline,)
    actions = ("reprocess",)

    @admin.action(description="Reprocess selected videos")
    def reprocess(self, request: HttpRequest, queryset: QuerySet[Video]) -> None:
        _reprocess(VIDEOS, request, queryset)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "parent", "created_at")
    search_fields = ("name",)


@admin.register(BatchRun)
class BatchRunAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("kind", "trigger", "started_at", "enabled", "selected", "queued", "swept", "note")
    list_filter = ("kind", "trigger", "enabled")
