"""Store comparisons: matches and mismatches with their differences, missing results with the reason."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils import timezone

from celeriac_site.bridge.models import Comparison, Evaluation, Outcome
from celeriac_site.bridge.services.compare import compare

_FIELDS = ["outcome", "missing", "differences", "note", "late", "compared_at"]


def store(evaluations: Sequence[Evaluation]) -> int:
    """Compare each job that has both results and upsert its row; a re-compared missing one is ``late``."""
    ready = [ev for ev in evaluations if ev.legacy_result is not None and ev.celery_result is not None]
    reported_missing = _reported_missing(ready)
    rows = []
    for ev in ready:
        diffs = compare(ev.legacy_result or {}, ev.celery_result or {})  # both set: filtered above
        rows.append(
            Comparison(
                evaluation=ev,
                outcome=Outcome.MISMATCH if diffs else Outcome.MATCH,
                differences=[d.to_dict() for d in diffs],
                late=ev.pk in reported_missing,
                compared_at=timezone.now(),
            )
        )
    _upsert(rows)
    return len(rows)


def store_missing(evaluations: Sequence[Evaluation]) -> int:
    """A job whose result will not come: never as a match, with which side is missing and why."""
    rows = []
    for ev in evaluations:
        missing = [
            p
            for p, at in (("legacy", ev.legacy_finished_at), ("celery", ev.celery_finished_at))
            if at is None
        ]
        if not missing:
            continue
        note = ev.send_error or f"no {' and no '.join(missing)} result within the result timeout"
        rows.append(
            Comparison(
                evaluation=ev,
                outcome=Outcome.MISSING,
                missing=",".join(missing),
                note=note,
                compared_at=timezone.now(),
            )
        )
    _upsert(rows)
    return len(rows)


def _upsert(rows: list[Comparison]) -> None:
    # INSERT ... ON CONFLICT: the Celery task and the collector may compare the same job at once.
    if rows:
        Comparison.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["evaluation"], update_fields=_FIELDS, batch_size=200
        )


def _reported_missing(evaluations: Sequence[Evaluation]) -> set[int]:
    """Ids of those jobs already reported missing: from the loaded comparison, else one query for all."""
    out, unknown = set(), []
    for ev in evaluations:
        if "comparison" in ev._state.fields_cache:  # loaded with select_related: no query
            previous = getattr(ev, "comparison", None)
            if previous is not None and previous.outcome == Outcome.MISSING:
                out.add(ev.pk)
        else:
            unknown.append(ev.pk)
    if unknown:
        found = Comparison.objects.filter(evaluation_id__in=unknown, outcome=Outcome.MISSING)
        out.update(found.values_list("evaluation_id", flat=True))
    return out
