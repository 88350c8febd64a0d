"""The learning loop's records: models trained on a project's gold, predictions imported from
models elsewhere, and each article's uncertainty under the live span model. annotations.learning
holds the training, evaluation and suggesting; these only point into the domain."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from annotations.models.core import Actor, Article, Label, Project
from annotations.models.releases import Release


class TrainedModelQuerySet(models.QuerySet["TrainedModel"]):
    def live(self) -> TrainedModelQuerySet:
        """The models used for suggestions: live and ready."""
        return self.filter(is_live=True, status=TrainedModel.Status.READY)


class TrainedModel(models.Model):
    """One trained model: a versioned artefact in storage, with what it learnt from, its
    settings and its evaluation on the held-out gold. At most one per project and kind is live
    (used for suggestions); `live_reason` says why it is or is not."""

    class Kind(models.TextChoices):
        SPANS = "spans", "Span tagger"
        THREAT = "threat", "Threat-level classifier"
        CLAIM_TYPE = "claim_type", "Claim-type classifier"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        TRAINING = "training", "Training"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="trained_models")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    version = models.PositiveIntegerField(help_text="1, 2, … per project and kind.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    artefact = models.CharField(max_length=300, blank=True, help_text="Its name in storage.")
    sha256 = models.CharField(max_length=64, blank=True, help_text="Of the artefact's bytes.")
    trained_on = models.JSONField(
        default=list, blank=True, help_text="Ids of the gold articles it was trained on."
    )
    held_out = models.JSONField(
        default=list, blank=True, help_text="Ids of the gold articles it was evaluated on."
    )
    release = models.ForeignKey(
        Release,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The release whose gold it was trained on, if any.",
    )
    config = models.JSONField(
        default=dict, blank=True, help_text="Its training settings: seed, epochs, features…"
    )
    evaluation = models.JSONField(
        default=dict,
        blank=True,
        help_text='Per label and overall on the held-out gold: {"labels": {name: {"precision", '
        '"recall", "f1", "support"}}, "micro": {...}}.',
    )
    learning_curve = models.JSONField(
        default=list, blank=True, help_text='[{"articles": n, "f1": x}, …] on the held-out gold.'
    )
    is_live = models.BooleanField(default=False, help_text="Used for suggestions.")
    live_reason = models.CharField(max_length=300, blank=True)
    error = models.TextField(blank=True)
    seconds = models.FloatField(null=True, blank=True, help_text="Training time.")
    peak_memory_mb = models.FloatField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty when training started by itself after new gold.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = TrainedModelQuerySet.as_manager()

    class Meta:
        ordering = ["project", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "kind", "version"], name="trained_model_version_unique"
            ),
            models.UniqueConstraint(
                fields=["project", "kind"],
                condition=Q(is_live=True),
                name="trained_model_one_live",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version} of {self.project}"


class PredictionSource(models.Model):
    """A file of an external model's predictions, imported as a suggester of its own."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="prediction_sources"
    )
    name = models.CharField(max_length=100)
    version = models.CharField(max_length=100, blank=True)
    sha256 = models.CharField(max_length=64, help_text="Of the imported file.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "name", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "name", "version"], name="prediction_source_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.version}".strip()


class Prediction(models.Model):
    """One span an external model predicted, with its score."""

    source = models.ForeignKey(
        PredictionSource, on_delete=models.CASCADE, related_name="predictions"
    )
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    label = models.ForeignKey(Label, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        Actor, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    score = models.FloatField()

    class Meta:
        indexes = [models.Index(fields=["article", "source"], name="prediction_article")]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lt=models.F("end")), name="prediction_not_empty"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=1), name="prediction_score_0_1"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label_id} {self.start}-{self.end} ({self.score:.2f})"


class ArticleUncertainty(models.Model):
    """How unsure the live span model is about an article (the queue's active-learning order):
    recomputed for every article when a new model goes live."""

    article = models.OneToOneField(
        Article, primary_key=True, on_delete=models.CASCADE, related_name="uncertainty"
    )
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    model = models.ForeignKey(TrainedModel, on_delete=models.CASCADE, related_name="+")
    value = models.FloatField(help_text="0 (sure) to 1 (unsure).")

    class Meta:
        indexes = [models.Index(fields=["project", "-value"], name="article_uncertainty_order")]

    def __str__(self) -> str:
        return f"uncertainty of {self.article_id}: {self.value:.3f}"
