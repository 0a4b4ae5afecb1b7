"""The bridge's data: the switches (one row), each job with both paths' results, comparisons, summaries."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from celeriac_site.bridge.services.routing import Mode, PathName, Switches


class BridgeSettings(models.Model):
    """The one row of switches. The gateway reads it on every request, so an edit needs no restart."""

    SINGLETON_ID = 1

    mode = models.CharField(
        max_length=8,
        choices=[(m.value, m.value) for m in Mode],
        default=Mode.MIRROR.value,
        help_text="legacy: legacy queue only; celery: Celery only; mirror: both.",
    )
    answer_path = models.CharField(
        max_length=8,
        choices=[(p.value, p.value) for p in PathName],
        default=PathName.LEGACY.value,
        help_text="Mirror mode: whose result the user gets.",
    )
    shadow_percentage = models.PositiveSmallIntegerField(
        default=100,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Mirror mode: % of jobs also sent to the other path and compared.",
    )
    fallback_after_s = models.PositiveIntegerField(
        default=30,
        validators=[MinValueValidator(1)],
        help_text="Answer from the other path when the answering one is this late (s).",
    )
    result_timeout_s = models.PositiveIntegerField(
        default=120,
        validators=[MinValueValidator(1)],
        help_text="A result not in after this many seconds is missing (never a match).",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "bridge settings"
        verbose_name_plural = "bridge settings"

    def __str__(self) -> str:
        return f"{self.mode}, answered by {self.effective_answer}, shadow {self.shadow_percentage} %"

    @property
    def effective_answer(self) -> str:
        return self.mode if self.mode != Mode.MIRROR else self.answer_path

    def switches(self) -> Switches:
        return Switches(Mode(self.mode), PathName(self.answer_path), self.shadow_percentage)

    def clean(self) -> None:
        if self.mode != Mode.MIRROR and self.answer_path != self.mode:
            raise ValidationError({"answer_path": f"in {self.mode} mode only the {self.mode} path answers"})

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.pk = self.SINGLETON_ID
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> BridgeSettings:
        """The current switches (the row is created with the defaults the first time)."""
        obj, _ = cls.objects.get_or_create(pk=cls.SINGLETON_ID)
        return obj


class Evaluation(models.Model):
    """One job: what was sent where, who answers, and each path's result payload with its timings."""

    job_id = models.CharField(max_length=64, unique=True)
    problem = models.ForeignKey("judge.Problem", on_delete=models.CASCADE, related_name="bridge_evaluations")
    language = models.CharField(max_length=16)
    code = models.TextField()
    user_identifier = models.CharField(max_length=254)
    mode = models.CharField(max_length=8)
    answer_path = models.CharField(max_length=8)
    mirrored = models.BooleanField(default=False)  # routed to both paths: its results are compared
    sent_legacy = models.BooleanField(default=False)
    sent_celery = models.BooleanField(default=False)
    send_error = models.TextField(blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)
    legacy_result = models.JSONField(null=True, blank=True)
    legacy_started_at = models.DateTimeField(null=True, blank=True)
    legacy_finished_at = models.DateTimeField(null=True, blank=True)
    legacy_runner = models.CharField(max_length=200, blank=True)
    celery_result = models.JSONField(null=True, blank=True)
    celery_started_at = models.DateTimeField(null=True, blank=True)
    celery_finished_at = models.DateTimeField(null=True, blank=True)
    celery_runner = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["submitted_at"], name="bridge_eval_submitted"),
            # The collector's query: legacy results not yet copied in.
            models.Index(
                fields=["submitted_at"],
                name="bridge_eval_legacy_pending",
                condition=Q(sent_legacy=True, legacy_finished_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"job {self.job_id} ({self.mode}, answered by {self.answer_path})"

    @property
    def both(self) -> bool:
        return self.sent_legacy and self.sent_celery


class Outcome(models.TextChoices):
    MATCH = "match"
    MISMATCH = "mismatch"
    MISSING = "missing"


class Comparison(models.Model):
    """A job sent to both paths, compared; both payloads are on the evaluation it points to."""

    evaluation = models.OneToOneField(Evaluation, on_delete=models.CASCADE, related_name="comparison")
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    missing = models.CharField(max_length=16, blank=True)  # "legacy", "celery" or "legacy,celery"
    differences = models.JSONField(default=list, blank=True)
    note = models.TextField(blank=True)
    late = models.BooleanField(default=False)  # re-compared: a result came after "missing" was reported
    compared_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["outcome", "compared_at"], name="bridge_cmp_outcome")]

    def __str__(self) -> str:
        return f"{self.outcome} {self.evaluation_id}"


class Summary(models.Model):
    """A periodic summary: counts, mismatch rate, examples, throughput and p50/p99 per path."""

    created = models.DateTimeField(default=timezone.now, db_index=True)
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    jobs = models.PositiveIntegerField(default=0)
    matched = models.PositiveIntegerField(default=0)
    mismatched = models.PositiveIntegerField(default=0)
    missing = models.PositiveIntegerField(default=0)
    data = models.JSONField(default=dict)

    class Meta:
        verbose_name_plural = "summaries"

    def __str__(self) -> str:
        return f"{self.period_start:%Y-%m-%d %H:%M}: {self.matched}/{self.jobs} match"
