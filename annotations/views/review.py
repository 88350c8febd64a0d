"""The review list (reviewers and managers) and one annotation set under review, with its
comment threads and the reviewer's verdict on it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from annotations import reviewing
from annotations.access import (
    REVIEWER_OR_MANAGER,
    ProjectAccess,
    articles_visible_to,
    get_annotation_set_for_user,
    get_project_for_user,
    may_review_annotation_set,
)
from annotations.models import AnnotationSet, Claim, Comment, Span, ThreatAssessment
from annotations.views.common import optional_int_param, project_context, shows_refusals
from workbench.http import AuthenticatedHttpRequest


def _count(sets: QuerySet[AnnotationSet]) -> Coalesce:
    """How many of `sets` (filtered on the outer article) there are, as a subquery."""
    return Coalesce(Subquery(sets.values("article").annotate(n=Count("pk")).values("n")), 0)


@login_required
@require_GET
def review_list(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = get_project_for_user(request.user, slug, roles=REVIEWER_OR_MANAGER)
    article_sets = AnnotationSet.objects.filter(article=OuterRef("pk")).order_by()
    articles = (
        articles_visible_to(access)
        .annotate(
            sets=_count(article_sets.annotators_only()),
            handed_in=_count(article_sets.annotators_only().handed_in()),
            adjudicated=Exists(article_sets.adjudicated()),
            agreement_score=F("agreement__score"),
        )
        .filter(sets__gt=0)
        .only("id", "title")
        # Open articles first, lowest agreement (annotations.agreement) first among them.
        .order_by("adjudicated", F("agreement_score").asc(nulls_last=True), "id")
    )
    return render(
        request, "annotations/review_list.html", project_context(access, articles=articles)
    )


def _set_review_context(access: ProjectAccess, annotation_set: AnnotationSet) -> dict[str, object]:
    spans = list(annotation_set.spans.select_related("label", "actor"))
    claims = list(
        annotation_set.claims.select_related("span", "claim_type", "claimant").prefetch_related(
            "targets"
        )
    )
    assessment = ThreatAssessment.objects.filter(annotation_set=annotation_set).first()
    comments = list(annotation_set.comments.select_related("author"))
    threads: dict[tuple[str, int | None], list[Comment]] = {}
    for comment in comments:
        subject = comment.span_id or comment.claim_id or comment.threat_assessment_id
        threads.setdefault((comment.target, subject), []).append(comment)
    assessment_key = ("threat assessment", assessment.pk if assessment else None)
    may_review = may_review_annotation_set(access, annotation_set)
    return project_context(
        access,
        annotation_set=annotation_set,
        article=annotation_set.article,
        # Each span and claim with its thread.
        spans=[(span, threads.get(("span", span.pk), [])) for span in spans],
        claims=[(claim, threads.get(("claim", claim.pk), [])) for claim in claims],
        assessment=assessment,
        assessment_thread=threads.get(assessment_key, []) if assessment else [],
        set_thread=threads.get(("set", None), []),
        may_review=may_review and annotation_set.status == AnnotationSet.Status.SUBMITTED,
    )


@login_required
@require_http_methods(["GET", "POST"])
@shows_refusals
def set_review(request: AuthenticatedHttpRequest, slug: str, set_id: int) -> HttpResponse:
    access = get_project_for_user(request.user, slug)
    annotation_set = get_annotation_set_for_user(access, set_id)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "comment":
            subject: dict[str, Any] = {}
            for name, model in (
                ("span", Span),
                ("claim", Claim),
                ("threat_assessment", ThreatAssessment),
            ):
                pk = optional_int_param(request.POST.get(name), f"The {name.replace('_', ' ')}")
                if pk is not None:
                    subject[name] = model.objects.filter(
                        annotation_set=annotation_set, pk=pk
                    ).first()
                    if subject[name] is None:
                        raise Http404(f"No such {name.replace('_', ' ')} in this set.")
            reviewing.comment_create(
                annotation_set=annotation_set,
                user=request.user,
                body=request.POST.get("body", ""),
                **subject,
            )
            messages.success(request, "Comment added.")
        elif action == "request_changes":
            reviewing.annotation_set_request_changes(
                annotation_set=annotation_set,
                user=request.user,
                comment=request.POST.get("comment", ""),
            )
            messages.success(request, f"Sent back to {annotation_set.annotator}.")
        elif action == "approve":
            reviewing.annotation_set_approve(annotation_set=annotation_set, user=request.user)
            messages.success(request, "Annotation set approved.")
        else:
            raise ValidationError("Unknown action.")
        if request.POST.get("back") == "adjudicate":
            return redirect(
                "annotations:adjudicate", slug=slug, article_id=annotation_set.article_id
            )
        return redirect("annotations:set-review", slug=slug, set_id=annotation_set.pk)
    return render(
        request,
        "annotations/set_review.html",
        _set_review_context(access, annotation_set),
    )
