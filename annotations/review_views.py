"""Browser pages for review: assignments, the review list, adjudication of one article, one set
with its comment threads, an article's history, and the project's agreement dashboard."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from annotations import adjudication, agreement, assignment, history, reviewing
from annotations.access import (
    ANY_ROLE,
    get_annotation_set_for_user,
    get_article_for_user,
    get_project_for_user,
)
from annotations.errors import Conflict
from annotations.models import (
    Actor,
    AnnotationSet,
    Claim,
    Comment,
    ReasonCode,
    Role,
    Span,
    ThreatAssessment,
)
from annotations.views.common import shows_refusals
from workbench.http import AuthenticatedHttpRequest

MANAGER = {Role.MANAGER}
REVIEWER = {Role.REVIEWER}
REVIEW_OR_MANAGE = {Role.REVIEWER, Role.MANAGER}


def _int(value, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError(f"{name} must be a whole number, not {value!r}.") from None


def _optional_int(value, name: str) -> int | None:
    return None if value in (None, "") else _int(value, name)


# Assignments (managers).


@login_required
@require_http_methods(["GET", "POST"])
@shows_refusals
def assignments(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    project = get_project_for_user(request.user, slug, roles=MANAGER)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "auto":
            created = assignment.assignments_auto(project=project, user=request.user)
            messages.success(request, f"Made {len(created)} assignment(s).")
        elif action == "assign":
            article = get_article_for_user(
                request.user, project, _int(request.POST.get("article"), "The article")
            )
            annotator = (
                assignment.project_annotators(project)
                .filter(pk=_optional_int(request.POST.get("annotator"), "The annotator"))
                .first()
            )
            if annotator is None:
                raise ValidationError("Choose one of the project's annotators.")
            assignment.assignment_create(article=article, annotator=annotator, user=request.user)
            messages.success(request, f"Assigned “{article.title}” to {annotator}.")
        elif action == "withdraw":
            annotation_set = get_annotation_set_for_user(
                request.user, project, _int(request.POST.get("set"), "The annotation set")
            )
            assignment.assignment_withdraw(annotation_set=annotation_set, user=request.user)
            messages.success(request, "Assignment withdrawn.")
        else:
            raise ValidationError("Unknown action.")
        return redirect("annotations:assignments", slug=project.slug)
    progress = assignment.assignment_progress(project)
    annotators = list(assignment.project_annotators(project))
    statuses = AnnotationSet.Status
    per_annotator = [
        {
            "user": user,
            "counts": [progress["per_annotator"][user.pk][s] for s in statuses.values],
            "total": sum(progress["per_annotator"][user.pk].values()),
        }
        for user in annotators
    ]
    articles = [
        {"article": article, "sets": progress["per_article"].get(article.pk, [])}
        for article in project.articles.only("id", "title").order_by("id")
    ]
    return render(
        request,
        "review/assignments.html",
        {
            "project": project,
            "annotators": annotators,
            "per_annotator": per_annotator,
            "statuses": statuses.labels,
            "articles": articles,
            "wanted": project.annotators_per_article,
        },
    )


# The review list (reviewers and managers).


@login_required
def review_list(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    project = get_project_for_user(request.user, slug, roles=REVIEW_OR_MANAGE)
    done = Q(annotation_sets__is_gold=False, annotation_sets__status__in=AnnotationSet.HANDED_IN)
    articles = (
        project.articles.annotate(
            sets=Count("annotation_sets", filter=Q(annotation_sets__is_gold=False)),
            handed_in=Count("annotation_sets", filter=done),
            adjudicated=Count(
                "annotation_sets",
                filter=Q(annotation_sets__is_gold=True, annotation_sets__status="approved"),
            ),
        )
        .filter(sets__gt=0)
        .only("id", "title")
        .order_by("adjudicated", "id")
    )
    return render(request, "review/review_list.html", {"project": project, "articles": articles})


# Adjudication (reviewers).


def _adjudicate_context(project, article, merged: adjudication.Merged) -> dict:
    return {
        "project": project,
        "article": article,
        "merged": merged,
        "items": merged.ordered(),
        "gold_version": merged.gold.version if merged.gold else 0,
        "reason_codes": ReasonCode.choices,
        "labels": project.labels.all(),
        "actors": Actor.objects.filter(project=project).order_by("name"),
        "claim_types": project.claim_types.all(),
        "threat_levels": project.threat_levels.all(),
        "undecided": len(merged.undecided()),
        "gold_approved": bool(merged.gold and merged.gold.status == AnnotationSet.Status.APPROVED),
    }


def _edit_changes(request, project, kind: str) -> dict:
    post = request.POST
    if kind == "span":
        label = project.labels.filter(pk=_optional_int(post.get("label"), "The label")).first()
        if label is None:
            raise ValidationError("Choose a label for the edited span.")
        actor_id = _optional_int(post.get("actor"), "The actor")
        actor = None
        if actor_id is not None:
            actor = Actor.objects.filter(project=project, pk=actor_id).first()
            if actor is None:
                raise ValidationError("Choose one of the project's actors.")
        return {"label": label, "actor": actor}
    if kind == "claim":
        claim_type = project.claim_types.filter(
            pk=_optional_int(post.get("claim_type"), "The claim type")
        ).first()
        if claim_type is None:
            raise ValidationError("Choose a claim type for the edited claim.")
        return {"claim_type": claim_type}
    level = project.threat_levels.filter(
        pk=_optional_int(post.get("level"), "The threat level")
    ).first()
    if level is None:
        raise ValidationError("Choose a threat level.")
    return {"level": level, "rationale": post.get("rationale", "")}


def _adjudicate_post(request, project, article) -> None:
    post = request.POST
    action = post.get("action")
    version = _int(post.get("version"), "The version")
    common = {"article": article, "user": request.user, "expected_version": version}
    decision = {"reason_code": post.get("reason_code", ""), "note": post.get("note", "")}
    if action == "accept_unanimous":
        accepted = adjudication.adjudication_accept_unanimous(**common)
        messages.success(request, f"Accepted {len(accepted)} unanimous item(s).")
    elif action == "approve":
        adjudication.gold_set_approve(**common)
        messages.success(request, "Gold set approved; adjudication is closed.")
    elif action in {"accept", "reject", "edit"}:
        key = post.get("key", "")
        source_id = _optional_int(post.get("source"), "The version")
        if action == "accept":
            adjudication.adjudication_accept(key=key, source_id=source_id, **common, **decision)
        elif action == "reject":
            adjudication.adjudication_reject(key=key, **common, **decision)
        else:
            kind = "span" if key.startswith("span:") else key.split(":")[0]
            adjudication.adjudication_edit(
                key=key,
                source_id=source_id,
                changes=_edit_changes(request, project, kind),
                **common,
                **decision,
            )
        messages.success(request, "Decision saved.")
    else:
        raise ValidationError("Unknown action.")


@login_required
@require_http_methods(["GET", "POST"])
def adjudicate(request: AuthenticatedHttpRequest, slug: str, article_id: int) -> HttpResponse:
    project = get_project_for_user(request.user, slug, roles=REVIEWER)
    article = get_article_for_user(request.user, project, article_id)
    if request.method == "POST":
        try:
            _adjudicate_post(request, project, article)
        except (Conflict, ValidationError) as error:
            message = error.message if isinstance(error, Conflict) else " ".join(error.messages)
            context = _adjudicate_context(project, article, adjudication.merge(article))
            context["error"] = message
            status = 409 if isinstance(error, Conflict) else 400
            return render(request, "review/adjudicate.html", context, status=status)
        return redirect("annotations:adjudicate", slug=project.slug, article_id=article.pk)
    merged = adjudication.merge(article)
    context = _adjudicate_context(project, article, merged)
    if any(s.annotator_id == request.user.pk for s in merged.sets) and not (
        project.allow_self_review
    ):
        context["own_work"] = True
    return render(request, "review/adjudicate.html", context)


# One annotation set, its comment threads, and the reviewer's verdict on it.


def _set_review_context(project, annotation_set, user) -> dict:
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
    for span in spans:
        span.thread = threads.get(("span", span.pk), [])
    for claim in claims:
        claim.thread = threads.get(("claim", claim.pk), [])
    if assessment is not None:
        assessment.thread = threads.get(("threat assessment", assessment.pk), [])
    roles = project.roles_of(user)
    may_review = (
        Role.REVIEWER in roles
        and not annotation_set.is_gold
        and (annotation_set.annotator_id != user.pk or project.allow_self_review)
    )
    return {
        "project": project,
        "annotation_set": annotation_set,
        "article": annotation_set.article,
        "spans": spans,
        "claims": claims,
        "assessment": assessment,
        "set_thread": threads.get(("set", None), []),
        "may_review": may_review and annotation_set.status == AnnotationSet.Status.SUBMITTED,
    }


@login_required
@require_http_methods(["GET", "POST"])
@shows_refusals
def set_review(request: AuthenticatedHttpRequest, slug: str, set_id: int) -> HttpResponse:
    project = get_project_for_user(request.user, slug, roles=ANY_ROLE)
    annotation_set = get_annotation_set_for_user(request.user, project, set_id)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "comment":
            subject = {}
            for name, model in (
                ("span", Span),
                ("claim", Claim),
                ("threat_assessment", ThreatAssessment),
            ):
                pk = _optional_int(request.POST.get(name), f"The {name.replace('_', ' ')}")
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
                "annotations:adjudicate", slug=project.slug, article_id=annotation_set.article_id
            )
        return redirect("annotations:set-review", slug=project.slug, set_id=annotation_set.pk)
    return render(
        request,
        "review/set_review.html",
        _set_review_context(project, annotation_set, request.user),
    )


# History.


@login_required
def article_history(request: AuthenticatedHttpRequest, slug: str, article_id: int) -> HttpResponse:
    """Everything that happened to the article's annotations. Annotators see their own sets'."""
    project = get_project_for_user(request.user, slug, roles=ANY_ROLE)
    article = get_article_for_user(request.user, project, article_id)
    records = history.for_article(article.pk).select_related("user")
    if not project.user_roles & REVIEW_OR_MANAGE:
        own = AnnotationSet.objects.filter(article=article, annotator=request.user).values("pk")
        records = records.filter(annotation_set_id__in=own)
    sets = {
        s.pk: s for s in AnnotationSet.objects.filter(article=article).select_related("annotator")
    }
    records = list(records)
    for record in records:
        annotation_set = sets.get(record.annotation_set_id)
        record.set_name = (
            "gold"
            if annotation_set and annotation_set.is_gold
            else (str(annotation_set.annotator) if annotation_set else "withdrawn set")
        )
    return render(
        request,
        "review/history.html",
        {"project": project, "article": article, "records": records},
    )


# Agreement.

BAR_WIDTH = 300
ROW_HEIGHT = 24


def _bars(rows: list[dict], fields: list[str]) -> list[dict]:
    """Rows with the pixel width of each figure's bar (figures are 0-1, or None)."""
    for index, row in enumerate(rows):
        row["y"] = index * ROW_HEIGHT
        row["bars"] = [
            {
                "field": name,
                "value": row[name],
                "width": round(max(row[name] or 0, 0) * BAR_WIDTH),
            }
            for name in fields
        ]
    return rows


def _trend_points(trend: list[dict], *, width=600, height=160, pad=20) -> dict:
    values = [(i, row["exact_f1"]) for i, row in enumerate(trend) if row["exact_f1"] is not None]
    if not values:
        return {"points": "", "dots": [], "width": width, "height": height}
    step = (width - 2 * pad) / max(len(trend) - 1, 1)
    dots = [
        {
            "x": round(pad + i * step, 1),
            "y": round(height - pad - value * (height - 2 * pad), 1),
            "period": trend[i]["period"],
            "value": value,
        }
        for i, value in values
    ]
    return {
        "points": " ".join(f"{d['x']},{d['y']}" for d in dots),
        "dots": dots,
        "width": width,
        "height": height,
        "baseline": height - pad,
        "top": pad,
    }


def _heat(value: float | None) -> str:
    return "heat-none" if value is None else f"heat-{max(0, min(10, round(value * 10)))}"


@login_required
def agreement_dashboard(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    project = get_project_for_user(request.user, slug, roles=REVIEW_OR_MANAGE)
    figures = agreement.project_agreement(project)
    annotators = figures["annotators"]
    by_pair = {tuple(p["annotator_ids"]): p for p in figures["pairs"]}
    matrix = []
    for a in annotators:
        cells = []
        for b in annotators:
            pair = by_pair.get((a["id"], b["id"])) or by_pair.get((b["id"], a["id"]))
            value = pair["exact_f1"] if pair and a != b else None
            cells.append({"self": a == b, "value": value, "heat": _heat(value), "pair": pair})
        matrix.append({"annotator": a, "cells": cells})
    return render(
        request,
        "review/agreement.html",
        {
            "project": project,
            "figures": figures,
            "matrix": matrix,
            "labels": _bars(figures["labels"], ["exact_f1", "overlap_f1"]),
            "bar_width": BAR_WIDTH,
            "chart_width": BAR_WIDTH + 260,
            "chart_height": len(figures["labels"]) * ROW_HEIGHT + 4,
            "trend": _trend_points(figures["trend"]),
        },
    )
