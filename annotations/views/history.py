"""An article's history: every change to its annotations, from the project's hash chain."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from annotations import history
from annotations.access import ANY_ROLE, get_article_for_user, get_project_for_user
from annotations.models import AnnotationSet, Role
from workbench.http import AuthenticatedHttpRequest

REVIEW_OR_MANAGE = {Role.REVIEWER, Role.MANAGER}


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
        "annotations/history.html",
        {"project": project, "article": article, "records": records},
    )
