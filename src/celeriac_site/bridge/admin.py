"""Django admin: the switches (one row; cut-over and rollback are one action each), jobs, comparisons."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from celeriac_site.bridge.models import BridgeSettings, Comparison, Evaluation, Summary
from celeriac_site.bridge.services import switches


@admin.register(BridgeSettings)
class BridgeSettingsAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "mode",
        "answer_path",
        "shadow_percentage",
        "fallback_after_s",
        "result_timeout_s",
        "updated_at",
    )
    actions = ("cut_over", "rollback")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not BridgeSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        BridgeSettings.load()  # the row the actions act on exists before anyone looks for it
        return super().changelist_view(request, extra_context)

    @admin.action(description="Cut over: Celery answers")
    def cut_over(self, request: HttpRequest, queryset: QuerySet[BridgeSettings]) -> None:
        messages.info(request, f"cut over: {switches.cut_over()}")

    @admin.action(description="Roll back: the legacy path answers")
    def rollback(self, request: HttpRequest, queryset: QuerySet[BridgeSettings]) -> None:
        messages.info(request, f"rolled back: {switches.rollback()}")


class ComparisonInline(admin.StackedInline):  # type: ignore[type-arg]
    model = Comparison
    extra = 0
    readonly_fields = ("outcome", "missing", "differences", "note", "late", "compared_at")


@admin.register(Evaluation)
class EvaluationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("job_id", "mode", "answer_path", "mirrored", "sent_legacy", "sent_celery", "submitted_at")
    list_filter = ("mode", "answer_path", "mirrored")
    search_fields = ("job_id", "user_identifier")
    raw_id_fields = ("problem",)
    inlines = (ComparisonInline,)


@admin.register(Comparison)
class ComparisonAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("evaluation", "outcome", "missing", "late", "compared_at")
    list_filter = ("outcome", "late")
    raw_id_fields = ("evaluation",)
    readonly_fields = ("legacy_payload", "celery_payload")

    @admin.display(description="legacy result")
    def legacy_payload(self, obj: Comparison) -> Any:
        return obj.evaluation.legacy_result

    @admin.display(description="celery result")
    def celery_payload(self, obj: Comparison) -> Any:
        return obj.evaluation.celery_result


@admin.register(Summary)
class SummaryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("period_start", "period_end", "jobs", "matched", "mismatched", "missing")
