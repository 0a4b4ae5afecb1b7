"""Store a finished analysis: the item's fields and tags in one transaction, only by its claim owner."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from celeriac_site.media.models import ProcessingStatus as S
from celeriac_site.media.models import Tag
from celeriac_site.media.pipeline.analyse import Analysis
from celeriac_site.media.pipeline.tagging import DEFAULT_TABLE, TagTable
from celeriac_site.media.services.kinds import KindSpec


def ensure_tags(names: Iterable[str], table: TagTable = DEFAULT_TABLE) -> dict[str, Tag]:
    """The Tag rows for ``names`` and their ancestors, created (parents first) where missing.

    Safe under concurrency: creation ignores conflicts and the rows are read back afterwards.
    An admin's later change of a tag's parent is kept.
    """
    wanted: set[str] = set()
    for name in names:
        wanted.add(name)
        if name in table.tags:
            wanted.update(table.ancestors(name))
    found = {t.name: t for t in Tag.objects.filter(name__in=wanted)}
    missing = wanted - set(found)
    if not missing:
        return found
    by_depth: dict[int, list[str]] = {}
    for name in missing:
        by_depth.setdefault(table.depth(name) if name in table.tags else 0, []).append(name)
    for depth in sorted(by_depth):
        rows = []
        for name in by_depth[depth]:
            parent = table.tags[name].parent if name in table.tags else None
            rows.append(Tag(name=name, parent=found.get(parent) if parent else None))
        Tag.objects.bulk_create(rows, ignore_conflicts=True)
        found.update({t.name: t for t in Tag.objects.filter(name__in=by_depth[depth])})
    return found


def complete(spec: KindSpec, pk: int, token: str, analysis: Analysis, fields: dict[str, Any]) -> bool:
    """Mark the item completed with its results if ``token`` still owns it; False if it lost the claim.

    The guarded UPDATE locks the row, so the tags written next belong to this run alone.
    """
    tags = ensure_tags(t.name for t in analysis.tags)
    with transaction.atomic():
        owned = spec.model.objects.filter(pk=pk, processing_status=S.PROCESSING, claim_token=token).update(
            processing_status=S.COMPLETED,
            processed_at=timezone.now(),
            claim_token="",
            failure_reason="",
            failure_retryable=False,
            ai_description=analysis.description,
            description_source=analysis.description_source,
            model_name=analysis.model_name,
            model_version=analysis.model_version,
            ai_confidence=analysis.subject.confidence if analysis.subject else None,
            faces=analysis.faces,
            analysis=analysis.details,
            **fields,
        )
        if not owned:
            return False
        link_model: Any = spec.link_model  # PhotoTag or VideoTag, the same columns
        link_model.objects.filter(**{spec.link_field: pk}).delete()
        link_model.objects.bulk_create(
            [
                link_model(
                    **{f"{spec.link_field}_id": pk},
                    tag=tags[t.name],
                    confidence=t.confidence,
                    source=str(t.source),
                )
                for t in analysis.tags
            ]
        )
    return True
