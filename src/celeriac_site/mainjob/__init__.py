"""The main job ``make demo`` runs: each system of the reference deployment adds its checked part."""

from __future__ import annotations

from celeriac_site.mainjob.report import Matrix, Outcome, Section


def run(web_url: str | None = None) -> list[Section]:
    import django

    django.setup()
    from celeriac_site.mainjob import bridge, core, judge, media, verification

    return [
        Section("core: every queue, every output checked", core.run(web_url)),
        *judge.run(web_url),
        *media.run(web_url),
        *bridge.run(web_url),
        *verification.run(web_url),
    ]


__all__ = ["Matrix", "Outcome", "Section", "run"]
