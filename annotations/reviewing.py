"""Reviewing one annotator's set: sending it back with a comment, approving it, and the comment
threads on a set and on its spans, claims and threat assessment.

Each service checks who is calling (PermissionDenied for the wrong person; nobody reviews their
own work unless the project allows it) and whether the set's state allows the change (Conflict,
HTTP 409, with a message that says why).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from annotations import services
from annotations.access import check_may_comment, check_may_review
from annotations.errors import Conflict
from annotations.models import AnnotationSet, Claim, Comment, Span, ThreatAssessment

Status = AnnotationSet.Status
COMMENT_MAX_LENGTH = 10_000


def _lock_submitted(annotation_set: AnnotationSet, what: str) -> AnnotationSet:
    locked = services.lock_sets(
        AnnotationSet.objects.select_related("article__project", "annotator").filter(
            pk=annotation_set.pk
        )
    ).get()
    if locked.is_gold:
        raise Conflict("A gold set is reviewed through adjudication.")
    if locked.status != Status.SUBMITTED:
        raise Conflict(f"Only a submitted set can be {what}; this one is {locked.status_name}.")
    if AnnotationSet.objects.filter(article_id=locked.article_id).adjudicated().exists():
        raise Conflict("This article is already adjudicated.")
    return locked


def _comment_text(text: str, *, empty_message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError(empty_message)
    if len(text) > COMMENT_MAX_LENGTH:
        raise ValidationError(f"A comment is at most {COMMENT_MAX_LENGTH} characters.")
    return text


@transaction.atomic
def annotation_set_request_changes(
    *, annotation_set: AnnotationSet, user: User, comment: str
) -> AnnotationSet:
    """Send a submitted set back to its annotator with a comment saying what to change."""
    check_may_review(user, annotation_set)
    comment = _comment_text(comment, empty_message="Say what should change: a comment is required.")
    annotation_set = _lock_submitted(annotation_set, "sent back")
    Comment.objects.create(
        annotation_set=annotation_set, author=user, body=comment, requests_changes=True
    )
    return services.annotation_set_transition(
        annotation_set, to=Status.CHANGES_REQUESTED, user=user, comment=comment
    )


@transaction.atomic
def annotation_set_approve(*, annotation_set: AnnotationSet, user: User) -> AnnotationSet:
    """Approve a submitted set (before adjudication closes its article)."""
    check_may_review(user, annotation_set)
    annotation_set = _lock_submitted(annotation_set, "approved")
    return services.annotation_set_transition(annotation_set, to=Status.APPROVED, user=user)


@transaction.atomic
def comment_create(
    *,
    annotation_set: AnnotationSet,
    user: User,
    body: str,
    span: Span | None = None,
    claim: Claim | None = None,
    threat_assessment: ThreatAssessment | None = None,
) -> Comment:
    """A comment on the set, or on one of its spans, claims or its threat assessment."""
    check_may_comment(user, annotation_set)
    body = _comment_text(body, empty_message="A comment cannot be empty.")
    targets = [t for t in (span, claim, threat_assessment) if t is not None]
    if len(targets) > 1:
        raise ValidationError("A comment is on one span, claim or threat assessment, or the set.")
    if targets and targets[0].annotation_set_id != annotation_set.pk:
        raise ValidationError("The comment's subject is not in this annotation set.")
    return Comment.objects.create(
        annotation_set=annotation_set,
        author=user,
        body=body,
        span=span,
        claim=claim,
        threat_assessment=threat_assessment,
    )
