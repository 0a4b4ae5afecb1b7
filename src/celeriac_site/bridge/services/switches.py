"""Cut-over and rollback, one switch each: who answers changes for the next request, nothing restarts."""

from __future__ import annotations

from celeriac_site.bridge.models import BridgeSettings
from celeriac_site.bridge.services.routing import Mode, PathName


def set_switches(
    *,
    mode: Mode | str | None = None,
    answer: PathName | str | None = None,
    shadow_percentage: int | None = None,
) -> BridgeSettings:
    """Change any of the switches at once and validate the result before saving."""
    row = BridgeSettings.load()
    if mode is not None:
        row.mode = Mode(mode).value
    if answer is not None:
        row.answer_path = PathName(answer).value
    if shadow_percentage is not None:
        row.shadow_percentage = shadow_percentage
    if row.mode != Mode.MIRROR:
        row.answer_path = row.mode  # legacy/celery mode: only that path can answer
    row.full_clean()
    row.save()
    return row


def cut_over() -> BridgeSettings:
    """Celery answers. In mirror mode the legacy path keeps running in the shadow; else Celery only."""
    row = BridgeSettings.load()
    if row.mode == Mode.LEGACY:
        return set_switches(mode=Mode.CELERY)
    return set_switches(answer=PathName.CELERY)


def rollback() -> BridgeSettings:
    """The legacy path answers again (mirror mode keeps Celery in the shadow)."""
    row = BridgeSettings.load()
    if row.mode == Mode.CELERY:
        return set_switches(mode=Mode.LEGACY)
    return set_switches(answer=PathName.LEGACY)
