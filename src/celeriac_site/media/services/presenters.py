"""JSON shapes of photos, videos and tags for the API and the gallery."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.urls import reverse

from celeriac_site.media.models import MediaItem, Video
from celeriac_site.media.services.kinds import KindSpec, of


def with_tags(s: KindSpec, qs: QuerySet[Any]) -> QuerySet[Any]:
    """``qs`` with its tag links and their tags fetched in one more query."""
    links = s.link_model.objects.select_related("tag__parent").order_by("-confidence", "tag__name")
    return qs.prefetch_related(Prefetch("tag_links", queryset=links))


def _when(value: Any) -> str | None:
    return value.isoformat() if value else None


def item_json(item: MediaItem) -> dict[str, Any]:
    """Everything the API shows about one item (tags must be prefetched with :func:`with_tags`)."""
    s = of(item)
    tags = [
        {
            "name": link.tag.name,
            "parent": link.tag.parent.name if link.tag.parent else None,
            "confidence": link.confidence,
            "source": link.source,
        }
        for link in item.tag_links.all()  # type: ignore[attr-defined]
    ]
    out: dict[str, Any] = {
        "id": item.pk,
        "kind": s.kind.value,
        "url": reverse(f"media:{s.kind.value}-detail", args=[item.pk]),
        "file_url": reverse(f"media:{s.kind.value}-file", args=[item.pk]),
        "original_name": item.original_name,
        "content_type": item.content_type,
        "size_bytes": item.size_bytes,
        "sha256": item.sha256,
        "width": item.width,
        "height": item.height,
        "uploaded_at": _when(item.uploaded_at),
        "processing_status": item.processing_status,
        "failure_reason": item.failure_reason,
        "failure_retryable": item.failure_retryable,
        "attempts": item.attempts,
        "processed_at": _when(item.processed_at),
        "ai_description": item.ai_description,
        "description_source": item.description_source,
        "model_name": item.model_name,
        "model_version": item.model_version,
        "ai_confidence": item.ai_confidence,
        "faces": item.faces,
        "tags": tags,
        "exif": item.exif,
        "analysis": item.analysis,
    }
    if isinstance(item, Video):
        out.update(duration_s=item.duration_s, frame_at_s=item.frame_at_s, codec=item.codec)
    return out
