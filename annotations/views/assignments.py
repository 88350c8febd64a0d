"""The assignments page (managers): who annotates which article, by hand or automatically."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from annotations import assignment
from annotations.access import (
    MANAGER,
    articles_visible_to,
    get_annotation_set_for_user,
    get_article_for_user,
    get_project_for_user,
)
from annotations.models import AnnotationSet
from annotations.views.common import (
    int_param,
    optional_int_param,
    project_context,
    shows_refusals,
)
from workbench.http import AuthenticatedHttpRequest


@login_required
@require_http_methods(["GET", "POST"])
@shows_refusals
def assignments(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = get_project_for_user(request.user, slug, roles=MANAGER)
    project = access.project
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "auto":
            created = assignment.assignments_auto(project=project, user=request.user)
            messages.success(request, f"Made {len(created)} assignment(s).")
        elif action == "assign":
            article = get_article_for_user(
                access, int_param(request.POST.get("article"), "The article")
            )
            annotator_id = optional_int_param(request.POST.get("annotator"), "The annotator")
            annotator = (
                assignment.project_annotators(project).filter(pk=annotator_id).first()
                if annotator_id is not None
                else None
            )
            if annotator is None:
                raise ValidationError("Choose one of the project's annotators.")
            assignment.assignment_create(article=article, annotator=annotator, user=request.user)
            messages.success(request, f"Assigned “{article.title}” to {annotator}.")
        elif action == "withdraw":
            annotation_set = get_annotation_set_for_user(
                access, int_param(request.POST.get("set"), "The annotation set")
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
        for article in articles_visible_to(access).only("id", "title").order_by("id")
    ]
    return render(
        request,
        "annotations/assignments.html",
        project_context(
            access,
            annotators=annotators,
            per_annotator=per_annotator,
            statuses=statuses.labels,
            articles=articles,
            wanted=project.annotators_per_article,
        ),
    )
