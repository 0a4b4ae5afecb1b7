"""Photos and videos side by side: their model, their tag links, their names."""

from __future__ import annotations

from dataclasses import dataclass

from celeriac_site.media.models import MediaItem, Photo, PhotoTag, Video, VideoTag
from celeriac_site.media.validation import MediaKind


@dataclass(frozen=True)
class KindSpec:
    """Where one kind of item lives in the database."""

    kind: MediaKind
    model: type[Photo] | type[Video]
    link_model: type[PhotoTag] | type[VideoTag]
    link_field: str  # the link's foreign key to the item
    plural: str


PHOTOS = KindSpec(MediaKind.PHOTO, Photo, PhotoTag, "photo", "photos")
VIDEOS = KindSpec(MediaKind.VIDEO, Video, VideoTag, "video", "videos")


def spec(kind: MediaKind | str) -> KindSpec:
    """The spec of ``kind`` ("photo" or "video")."""
    return PHOTOS if MediaKind(kind) is MediaKind.PHOTO else VIDEOS


def of(item: MediaItem) -> KindSpec:
    return PHOTOS if isinstance(item, Photo) else VIDEOS
