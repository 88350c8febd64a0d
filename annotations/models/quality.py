"""Quality control: agreement kept per article and per project, and annotators' scores against
gold. All three are derived data, recomputed by the background tasks in annotations.tasks
(annotations.agreement and annotations.scoring hold the arithmetic)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from annotations.models.core import AnnotationSet, Article, Project


class ArticleAgreement(models.Model):
    """One article's additive agreement statistics (see annotations.coefficients) and its own
    agreement score, updated when a set is handed in or sent back, or its gold changes."""

    article = models.OneToOneField(
        Article, primary_key=True, on_delete=models.CASCADE, related_name="agreement"
    )
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    coders = models.PositiveSmallIntegerField(
        default=0, help_text="How many handed-in annotator sets the figures cover."
    )
    score = models.FloatField(
        null=True, blank=True, help_text="Unitizing alpha of the article's spans, if defined."
    )
    score_reason = models.CharField(max_length=200, blank=True)
    period = models.CharField(max_length=10, blank=True, help_text="ISO week of the last hand-in.")
    guideline = models.CharField(
        max_length=20, blank=True, help_text="Guideline version, or mixed."
    )
    stats = models.JSONField(default=dict)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["project", "score"], name="article_agreement_score")]

    def __str__(self) -> str:
        return f"agreement on {self.article_id}: {self.score}"


class ProjectAgreement(models.Model):
    """The project's agreement figures, summed from its ArticleAgreement rows with bootstrap
    intervals: what the agreement page shows without computing anything."""

    project = models.OneToOneField(
        Project, primary_key=True, on_delete=models.CASCADE, related_name="agreement"
    )
    figures = models.JSONField(default=dict)
    computed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"agreement of {self.project}"


class GoldScore(models.Model):
    """One handed-in annotator set (or control attempt) scored against its article's gold."""

    annotation_set = models.OneToOneField(
        AnnotationSet, primary_key=True, on_delete=models.CASCADE, related_name="gold_score"
    )
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    annotator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="gold_scores"
    )
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    is_control = models.BooleanField(default=False)
    handed_in_at = models.DateTimeField(null=True, blank=True)
    stats = models.JSONField(default=dict)
    scored_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["project", "annotator"], name="gold_score_annotator")]

    def __str__(self) -> str:
        return f"score of set {self.annotation_set_id}"
