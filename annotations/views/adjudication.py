"""Adjudication of one article (reviewers): the annotators' sets merged item by item, and the
decisions that make the gold set."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from annotations import adjudication
from annotations.access import (
    REVIEWER,
    ProjectAccess,
    get_article_for_user,
    get_project_for_user,
    self_review_barred,
)
from annotations.errors import Conflict
from annotations.models import Actor, Article, Project, ReasonCode
from annotations.views.common import int_param, optional_int_param, project_context
from workbench.http import AuthenticatedHttpRequest


def _adjudicate_context(
    access: ProjectAccess, article: Article, merged: adjudication.Merged
) -> dict[str, object]:
    project = access.project
    return project_context(
        access,
        article=article,
        merged=merged,
        items=merged.ordered(),
        gold_version=merged.gold.version if merged.gold else 0,
        reason_codes=ReasonCode.choices,
        labels=project.labels.all(),
        actors=Actor.objects.filter(project=project).order_by("name"),
        claim_types=project.claim_types.all(),
        threat_levels=project.threat_levels.all(),
        undecided=len(merged.undecided()),
        gold_approved=bool(merged.gold and merged.gold.is_adjudicated),
    )


def _chosen[M: Model](rows: QuerySet[M], value: str | None, name: str) -> M | None:
    """The row among `rows` whose id a form field sent (None when it sent none)."""
    pk = optional_int_param(value, name)
    return None if pk is None else rows.filter(pk=pk).first()


def _edit_changes(request: AuthenticatedHttpRequest, project: Project, kind: str) -> dict[str, Any]:
    post = request.POST
    if kind == "span":
        label = _chosen(project.labels.all(), post.get("label"), "The label")
        if label is None:
            raise ValidationError("Choose a label for the edited span.")
        actor_id = optional_int_param(post.get("actor"), "The actor")
        actor = None
        if actor_id is not None:
            actor = Actor.objects.filter(project=project, pk=actor_id).first()
            if actor is None:
                raise ValidationError("Choose one of the project's actors.")
        return {"label": label, "actor": actor}
    if kind == "claim":
        claim_type = _chosen(project.claim_types.all(), post.get("claim_type"), "The claim type")
        if claim_type is None:
            raise ValidationError("Choose a claim type for the edited claim.")
        return {"claim_type": claim_type}
    level = _chosen(project.threat_levels.all(), post.get("level"), "The threat level")
    if level is None:
        raise ValidationError("Choose a threat level.")
    return {"level": level, "rationale": post.get("rationale", "")}


def _adjudicate_post(request: AuthenticatedHttpRequest, project: Project, article: Article) -> None:
    post = request.POST
    action = post.get("action")
    version = int_param(post.get("version"), "The version")
    common: dict[str, Any] = {"article": article, "user": request.user, "expected_version": version}
    decision: dict[str, Any] = {
        "reason_code": post.get("reason_code", ""),
        "note": post.get("note", ""),
    }
    if action == "accept_unanimous":
        accepted = adjudication.adjudication_accept_unanimous(**common)
        messages.success(request, f"Accepted {len(accepted)} unanimous item(s).")
    elif action == "approve":
        adjudication.gold_set_approve(**common)
        messages.success(request, "Gold set approved; adjudication is closed.")
    elif action in {"accept", "reject", "edit"}:
        key = post.get("key", "")
        source_id = optional_int_param(post.get("source"), "The version")
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
    access = get_project_for_user(request.user, slug, roles=REVIEWER)
    article = get_article_for_user(access, article_id)
    if request.method == "POST":
        try:
            _adjudicate_post(request, access.project, article)
        except (Conflict, ValidationError) as error:
            message = error.message if isinstance(error, Conflict) else " ".join(error.messages)
            context = _adjudicate_context(access, article, adjudication.merge(article))
            context["error"] = message
            status = 409 if isinstance(error, Conflict) else 400
            return render(request, "annotations/adjudicate.html", context, status=status)
        return redirect("annotations:adjudicate", slug=slug, article_id=article.pk)
    merged = adjudication.merge(article)
    context = _adjudicate_context(access, article, merged)
    if self_review_barred(access, [s.annotator_id for s in merged.sets]):
        context["own_work"] = True
    return render(request, "annotations/adjudicate.html", context)
