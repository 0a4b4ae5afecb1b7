"""Run-time configuration: the admin-edited AI settings row and the deployment's limits."""

from __future__ import annotations

import os
from datetime import timedelta

from django.conf import settings

from celeriac_site.media import limits
from celeriac_site.media.models import AISettings
from celeriac_site.media.pipeline.captioner import Captioner, OpenAICompatibleCaptioner
from celeriac_site.media.validation import MediaKind

#: The captioner's API key comes from the environment, never from the database.
CAPTIONER_API_KEY_ENV = "MEDIA_AI_CAPTIONER_API_KEY"


def current() -> AISettings:
    """The AI settings as they are now (one query): no restart is needed after an edit."""
    return AISettings.load()


def stale_after(ai: AISettings) -> timedelta:
    """A claim older than this belongs to a worker that died or hung."""
    return timedelta(seconds=ai.per_item_timeout_s + limits.STALE_CLAIM_GRACE_S)


def captioner(ai: AISettings) -> Captioner | None:
    """The external captioner when an admin switched it on and configured it; otherwise ``None``."""
    if not (ai.captioner_enabled and ai.captioner_base_url and ai.captioner_model):
        return None
    return OpenAICompatibleCaptioner(
        ai.captioner_base_url, ai.captioner_model, api_key=os.environ.get(CAPTIONER_API_KEY_ENV, "")
    )


def max_upload_bytes(kind: MediaKind) -> int:
    """``MEDIA_AI_MAX_PHOTO_BYTES`` / ``MEDIA_AI_MAX_VIDEO_BYTES`` if set, else the app's limits."""
    if kind is MediaKind.PHOTO:
        return int(getattr(settings, "MEDIA_AI_MAX_PHOTO_BYTES", limits.MAX_PHOTO_BYTES))
    return int(getattr(settings, "MEDIA_AI_MAX_VIDEO_BYTES", limits.MAX_VIDEO_BYTES))
