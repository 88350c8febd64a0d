"""An article's history: every change to its annotations, from the project's hash chain."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from annotations.access import article_history_for_user, get_article_for_user, get_project_for_user
from annotations.models import AnnotationSet
from annotations.views.common import project_context
from workbench.http import AuthenticatedHttpRequest


@login_required
@require_GET
def article_history(request: AuthenticatedHttpRequest, slug: str, article_id: int) -> HttpResponse:
    """Everything that happened to the article's annotations. Annotators see their own sets'."""
    access = get_project_for_user(request.user, slug)
    article = get_article_for_user(access, article_id)
    sets: dict[int | None, AnnotationSet] = {
        s.pk: s for s in AnnotationSet.objects.filter(article=article).select_related("annotator")
    }
    records = [
        (record, _set_name(sets.get(record.annotation_set_id)))
        for record in article_history_for_user(access, article).select_related("user")
    ]
    return render(
        request,
        "annotations/history.html",
        project_context(access, article=article, records=records),
    )


def _set_name(annotation_set: AnnotationSet | None) -> str:
    if annotation_set is None:
        return "withdrawn set"
    return "gold" if annotation_set.is_gold else str(annotation_set.annotator)
