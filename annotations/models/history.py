"""The append-only, signed hash chain of changes; annotations.history writes and checks it."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from annotations.models.core import Project


class HistoryRecord(models.Model):
    """One change, in a per-project chain: each record carries the hash of the one before it
    and is signed with a key kept outside the database.

    Records refer to articles, sets and annotation rows by id only, so that nothing that happens
    to those rows later (a deletion) changes a record and breaks the chain.
    """

    class Action(models.TextChoices):
        CREATE = "create", "Created"
        UPDATE = "update", "Changed"
        DELETE = "delete", "Deleted"
        TRANSITION = "transition", "State change"

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="history")
    sequence = models.PositiveBigIntegerField()
    article_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    annotation_set_id = models.BigIntegerField(null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    username = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField()
    action = models.CharField(max_length=20, choices=Action.choices)
    object_type = models.CharField(max_length=40)
    object_id = models.BigIntegerField(null=True, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    previous_hash = models.CharField(max_length=64)
    # HMAC-SHA256 of the record's content (previous_hash included) with the key `key_id` names
    # (HISTORY_KEYS, outside the database); empty key id: an unsigned record (docs/history.md).
    hash = models.CharField(max_length=64)
    key_id = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["project", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "sequence"], name="history_record_sequence_unique"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} {self.object_type} {self.object_id}"
