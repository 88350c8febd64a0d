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
    """The project's agreement figures: point estimates from the running totals
    (ProjectAgreementTotal), kept current after every article refresh, and the bootstrap
    intervals, recomputed by a debounced task and so possibly older. What the agreement page
    shows without computing anything. Its row is the project's agreement lock."""

    project = models.OneToOneField(
        Project, primary_key=True, on_delete=models.CASCADE, related_name="agreement"
    )
    figures = models.JSONField(default=dict, help_text="Point estimates, as of computed_at.")
    computed_at = models.DateTimeField()
    intervals = models.JSONField(
        default=dict, help_text="The figures with their intervals, as of intervals_at."
    )
    intervals_at = models.DateTimeField(null=True, blank=True)
    intervals_pending = models.BooleanField(
        default=False, help_text="A recomputation of the intervals is scheduled."
    )

    def __str__(self) -> str:
        return f"agreement of {self.project}"


class ProjectAgreementTotal(models.Model):
    """The running sum of a group of the project's ArticleAgreement rows (those with two
    coders or more): the whole project ("all"), one guideline version ("guideline|v2") or one
    ISO week ("week|2026-W03"). Each statistic is kept as an exact sum: a list of floats whose
    sum is exact (Shewchuk's partials), so subtracting an article's old row and adding its new
    one leaves exactly what summing every row again would give."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    group = models.CharField(max_length=60)
    articles = models.IntegerField(default=0)
    annotation_sets = models.IntegerField(default=0)
    stats = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["project", "group"], name="project_agreement_total_group"
            )
        ]

    def __str__(self) -> str:
        return f"agreement totals of {self.project_id}, {self.group}"


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
