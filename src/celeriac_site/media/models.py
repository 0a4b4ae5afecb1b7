"""Photos, videos, their tags and the AI settings an admin edits at run time."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from celeriac_site.media import limits

if TYPE_CHECKING:  # Django's fields are generic for the type checker only
    _OptInt = models.PositiveIntegerField[int | None, int | None]
    _OptFloat = models.FloatField[float | None, float | None]
    _OptTime = models.DateTimeField[datetime | None, datetime | None]


class ProcessingStatus(models.TextChoices):
    """pending -> processing -> completed | failed; failed-retryable items go round again."""

    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"


class Tag(models.Model):
    """A tag with an optional parent (tabby -> cat -> pet -> animal)."""

    name: models.CharField[str, str] = models.CharField(max_length=64, unique=True)
    parent: models.ForeignKey[Tag | None, Tag | None] = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    created_at: models.DateTimeField[datetime, datetime] = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["name"]

    def __str__(self) -> str:
        return self.name


class MediaItem(models.Model):
    """What photos and videos share: the stored original, its processing state and the AI results."""

    file: models.FileField = models.FileField(max_length=255)  # the original, never modified after upload
    original_name: models.CharField[str, str] = models.CharField(
        max_length=255, blank=True
    )  # for display only
    content_type: models.CharField[str, str] = models.CharField(max_length=64, blank=True)
    size_bytes: models.BigIntegerField[int, int] = models.BigIntegerField(default=0)
    sha256: models.CharField[str, str] = models.CharField(max_length=64, blank=True)
    width: _OptInt = models.PositiveIntegerField(null=True, blank=True)
    height: _OptInt = models.PositiveIntegerField(null=True, blank=True)
    uploaded_at: models.DateTimeField[datetime, datetime] = models.DateTimeField(
        default=timezone.now, db_index=True
    )

    processing_status: models.CharField[str, str] = models.CharField(
        max_length=16, choices=ProcessingStatus.choices, default=ProcessingStatus.PENDING, db_index=True
    )
    failure_reason: models.TextField[str, str] = models.TextField(blank=True)
    failure_retryable: models.BooleanField[bool, bool] = models.BooleanField(default=False)
    attempts: models.PositiveIntegerField[int, int] = models.PositiveIntegerField(default=0)
    claim_token: models.CharField[str, str] = models.CharField(
        max_length=100, blank=True
    )  # who is processing it (task id)
    claimed_at: _OptTime = models.DateTimeField(null=True, blank=True)
    processed_at: _OptTime = models.DateTimeField(null=True, blank=True)  # completed or failed
    updated_at: models.DateTimeField[datetime, datetime] = models.DateTimeField(auto_now=True)

    ai_description: models.TextField[str, str] = models.TextField(blank=True)
    description_source: models.CharField[str, str] = models.CharField(
        max_length=100, blank=True
    )  # template:v1, captioner:<model>
    model_name: models.CharField[str, str] = models.CharField(max_length=64, blank=True)
    model_version: models.CharField[str, str] = models.CharField(max_length=64, blank=True)
    ai_confidence: _OptFloat = models.FloatField(
        null=True, blank=True
    )  # of the subject the description names
    faces: _OptInt = models.PositiveIntegerField(null=True, blank=True)
    exif: models.JSONField[Any, Any] = models.JSONField(default=dict, blank=True)
    analysis: models.JSONField[Any, Any] = models.JSONField(
        default=dict, blank=True
    )  # top labels, faces, colour, versions, timings

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{type(self).__name__.lower()} {self.pk} ({self.processing_status})"


class Photo(MediaItem):
    tags: models.ManyToManyField[Tag, Any] = models.ManyToManyField(Tag, through="PhotoTag", blank=True)

    class Meta:
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["processing_status", "uploaded_at"], name="media_photo_status_upl"),
            models.Index(fields=["processing_status", "processed_at"], name="media_photo_status_done"),
        ]


class Video(MediaItem):
    duration_s: _OptFloat = models.FloatField(null=True, blank=True)
    frame_at_s: _OptFloat = models.FloatField(
        null=True, blank=True
    )  # where the analysed middle frame was taken
    codec: models.CharField[str, str] = models.CharField(max_length=32, blank=True)
    tags: models.ManyToManyField[Tag, Any] = models.ManyToManyField(Tag, through="VideoTag", blank=True)

    class Meta:
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["processing_status", "uploaded_at"], name="media_video_status_upl"),
            models.Index(fields=["processing_status", "processed_at"], name="media_video_status_done"),
        ]


class ItemTag(models.Model):
    """A tag on an item, with the confidence and the detector that assigned it."""

    tag: models.ForeignKey[Tag, Tag] = models.ForeignKey(Tag, on_delete=models.CASCADE)
    confidence: models.FloatField[float, float] = models.FloatField()
    source: models.CharField[str, str] = models.CharField(
        max_length=16
    )  # classifier | faces | colour | brightness

    class Meta:
        abstract = True


class PhotoTag(ItemTag):
    photo: models.ForeignKey[Photo, Photo] = models.ForeignKey(
        Photo, on_delete=models.CASCADE, related_name="tag_links"
    )

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["photo", "tag"], name="media_phototag_unique")
        ]


class VideoTag(ItemTag):
    video: models.ForeignKey[Video, Video] = models.ForeignKey(
        Video, on_delete=models.CASCADE, related_name="tag_links"
    )

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["video", "tag"], name="media_videotag_unique")
        ]


class AISettings(models.Model):
    """The one row of AI settings; every task reads it when it runs, so edits apply without a restart."""

    SINGLETON_ID = 1

    auto_process_on_upload: models.BooleanField[bool, bool] = models.BooleanField(default=True)
    scheduled_processing_enabled: models.BooleanField[bool, bool] = models.BooleanField(default=True)
    batch_size: models.PositiveIntegerField[int, int] = models.PositiveIntegerField(
        default=limits.DEFAULT_BATCH_SIZE,
        validators=[MinValueValidator(1), MaxValueValidator(10_000)],
        help_text="Items the nightly batch (and a command without --limit) takes per run.",
    )
    per_item_timeout_s: models.PositiveIntegerField[int, int] = models.PositiveIntegerField(
        default=limits.DEFAULT_PER_ITEM_TIMEOUT_S,
        validators=[
            MinValueValidator(limits.MIN_PER_ITEM_TIMEOUT_S),
            MaxValueValidator(limits.MAX_PER_ITEM_TIMEOUT_S),
        ],
        help_text="Seconds one item may take; older claims (plus a grace) are taken over.",
    )
    captioner_enabled: models.BooleanField[bool, bool] = models.BooleanField(
        default=False,
        help_text="Describe with an external OpenAI-compatible vision API.",
    )
    captioner_base_url: models.URLField[str, str] = models.URLField(
        blank=True, help_text="e.g. https://api.example.com/v1"
    )
    captioner_model: models.CharField[str, str] = models.CharField(max_length=100, blank=True)
    updated_at: models.DateTimeField[datetime, datetime] = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "AI settings"
        verbose_name_plural = "AI settings"

    def __str__(self) -> str:
        return "AI settings"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.pk = self.SINGLETON_ID
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> AISettings:
        """The current settings (created with the defaults the first time)."""
        obj, _ = cls.objects.get_or_create(pk=cls.SINGLETON_ID)
        return obj


class BatchRun(models.Model):
    """One run of a batch (nightly task or command): what it found and did, or why it did nothing."""

    kind: models.CharField[str, str] = models.CharField(max_length=8)  # photo | video
    trigger: models.CharField[str, str] = models.CharField(max_length=16)  # beat | manual | command
    started_at: models.DateTimeField[datetime, datetime] = models.DateTimeField(
        default=timezone.now, db_index=True
    )
    enabled: models.BooleanField[bool, bool] = models.BooleanField(default=True)
    selected: models.PositiveIntegerField[int, int] = models.PositiveIntegerField(default=0)
    queued: models.PositiveIntegerField[int, int] = models.PositiveIntegerField(default=0)
    swept: models.PositiveIntegerField[int, int] = models.PositiveIntegerField(default=0)
    note: models.CharField[str, str] = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"{self.kind} batch {self.started_at:%Y-%m-%d %H:%M} ({self.queued} queued)"
