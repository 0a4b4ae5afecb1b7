"""The one table Celeriac owns: markers of side effects already applied."""

from __future__ import annotations

from django.db import models


class AppliedEffect(models.Model):
    """A side effect that has happened, keyed so that it never happens twice."""

    key: models.CharField[str, str] = models.CharField(max_length=255, unique=True)
    applied_at: models.DateTimeField[object, object] = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "celeriac"

    def __str__(self) -> str:
        return str(self.key)
