"""Demonstration data: accounts credited by idempotent tasks, effects counted by the crash tests."""

from __future__ import annotations

from django.db import models


class Account(models.Model):
    name = models.CharField(max_length=100, unique=True)
    balance = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}: {self.balance}"


class EffectLog(models.Model):
    """One row per time a side effect really happened; tests count rows per key."""

    key = models.CharField(max_length=200, db_index=True)
    task_id = models.CharField(max_length=64)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.key
