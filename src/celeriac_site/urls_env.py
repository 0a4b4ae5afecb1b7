"""Service URLs from the environment, as ``celeriac up`` and the test fixtures export them."""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import unquote, urlsplit


def redis_url(db: int | None = None) -> str:
    """``REDIS_URL`` (default: the machine's Redis), optionally switched to another database number."""
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    if db is None:
        return url
    parts = urlsplit(url)
    return parts._replace(path=f"/{db}").geturl()


def database_settings() -> dict[str, Any]:
    """Django's DATABASES['default'] from ``DATABASE_URL`` (PostgreSQL only)."""
    url = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/celeriac")
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise ValueError(f"DATABASE_URL must be postgresql://..., got {parts.scheme}://")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": parts.path.lstrip("/") or "celeriac",
        "USER": unquote(parts.username or "postgres"),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "127.0.0.1",
        "PORT": str(parts.port or 5432),
        # Workers close connections after each task (Celery's Django fixup); keep them short-lived.
        "CONN_MAX_AGE": 0,
    }
