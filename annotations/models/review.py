"""Review: comment threads, adjudication decisions and the reasons for overriding annotators."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from annotations.models.core import AnnotationSet, Article, Claim, Span, ThreatAssessment


class ReasonCode(models.TextChoices):
    """Why an adjudication decision overrode (part of) what an annotator marked."""

    GUIDELINE = "guideline", "Guideline"
    BOUNDARY = "boundary", "Boundary"
    WRONG_LABEL = "wrong_label", "Wrong label"
    WRONG_ACTOR = "wrong_actor", "Wrong actor"
    MISSED = "missed", "Missed"
    OTHER = "other", "Other"


class AdjudicationDecision(models.Model):
    """A reviewer's decision on one merged item of an article: a span range, the claim stated by
    a span range, or the threat level. The annotators' rows it covers stay linked to it."""

    class Kind(models.TextChoices):
        SPAN = "span", "Span"
        CLAIM = "claim", "Claim"
        THREAT = "threat", "Threat level"

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        EDITED = "edited", "Edited"
        REJECTED = "rejected", "Rejected"
        ADDED = "added", "Added (missed by the annotators)"

    gold_set = models.ForeignKey(AnnotationSet, on_delete=models.CASCADE, related_name="decisions")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="decisions")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    key = models.CharField(max_length=100, help_text="The merged item, e.g. span:21-34.")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    reason_code = models.CharField(max_length=20, blank=True, choices=ReasonCode.choices)
    note = models.TextField(blank=True)
    overrides = models.BooleanField(
        default=False, help_text="The decision differs from what at least one annotator marked."
    )
    spans = models.ManyToManyField(Span, blank=True, related_name="decisions")
    claims = models.ManyToManyField(Claim, blank=True, related_name="decisions")
    threat_assessments = models.ManyToManyField(
        ThreatAssessment, blank=True, related_name="decisions"
    )
    gold_span = models.ForeignKey(
        Span, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    gold_claim = models.ForeignKey(
        Claim, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["article", "kind", "key"]
        constraints = [
            models.UniqueConstraint(fields=["gold_set", "key"], name="decision_one_per_item"),
            models.CheckConstraint(
                condition=Q(overrides=False) | ~Q(reason_code=""),
                name="decision_override_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.outcome}"


class Comment(models.Model):
    """A comment in the thread on a set, or on one span, claim or threat assessment in it."""

    annotation_set = models.ForeignKey(
        AnnotationSet, on_delete=models.CASCADE, related_name="comments"
    )
    span = models.ForeignKey(
        Span, null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    claim = models.ForeignKey(
        Claim, null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    threat_assessment = models.ForeignKey(
        ThreatAssessment,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="comments",
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    requests_changes = models.BooleanField(
        default=False, help_text="Written when the reviewer sent the set back."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["annotation_set", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(span__isnull=True, claim__isnull=True)
                | Q(span__isnull=True, threat_assessment__isnull=True)
                | Q(claim__isnull=True, threat_assessment__isnull=True),
                name="comment_on_one_thing",
            )
        ]

    def __str__(self) -> str:
        return f"{self.author}: {self.body[:40]}"

    @property
    def target(self) -> str:
        if self.span_id:
            return "span"
        if self.claim_id:
            return "claim"
        if self.threat_assessment_id:
            return "threat assessment"
        return "set"
