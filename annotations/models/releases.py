"""Releases: immutable, versioned snapshots of a project's gold data in training formats."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from annotations.models.core import Project


def default_ratios() -> dict[str, float]:
    return {"train": 0.8, "dev": 0.1, "test": 0.1}


# What a release's filter may hold under "sets" (annotations.exports.records.Selection checks it);
# a filter without "sets" holds gold.
GOLD_SETS = "gold"
ANNOTATOR_SETS = "annotators"


class ReleaseQuerySet(models.QuerySet["Release"]):
    def of_gold(self) -> ReleaseQuerySet:
        """Releases of the gold sets (not of the annotators' own sets)."""
        return self.filter(Q(filter__sets=GOLD_SETS) | ~Q(filter__has_key="sets"))


class Release(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        BUILDING = "building", "Building"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="releases")
    version = models.PositiveIntegerField()
    name = models.CharField(max_length=200, blank=True)
    filter = models.JSONField(
        default=dict, blank=True, help_text='Which annotation sets: {"sets": "gold"} by default.'
    )
    formats = models.JSONField(default=list)
    split_seed = models.PositiveIntegerField(default=0)
    split_ratios = models.JSONField(default=default_ratios)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(blank=True)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done.")
    card = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="When the build last reported progress."
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ReleaseQuerySet.as_manager()

    class Meta:
        ordering = ["project", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["project", "version"], name="release_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.project} v{self.version}"

    def get_absolute_url(self) -> str:
        return reverse("annotations:release-detail", args=[self.project.slug, self.version])

    @property
    def holds_gold(self) -> bool:
        """Whether the release holds the gold sets (see `ReleaseQuerySet.of_gold`)."""
        return bool(self.filter.get("sets", GOLD_SETS) == GOLD_SETS)

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.READY, self.Status.FAILED}

    def directory(self) -> str:
        """Where the files live, relative to MEDIA_ROOT."""
        return f"releases/{self.project.slug}/v{self.version}"


class ReleaseFile(models.Model):
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="files")
    format = models.CharField(max_length=20)
    split = models.CharField(max_length=20)
    path = models.CharField(max_length=500, help_text="Relative to MEDIA_ROOT.")
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["release", "format", "split", "path"]
        constraints = [
            models.UniqueConstraint(fields=["release", "path"], name="release_file_unique")
        ]

    def __str__(self) -> str:
        return self.path

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]
