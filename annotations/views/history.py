"""An article's history: every change to its annotations, from the project's hash chain, told
as a story (annotations.history_story), filtered by person and kind, a page at a time."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.views.decorators.http import require_GET

from annotations.access import article_history_for_user, get_article_for_user, get_project_for_user
from annotations.history_story import kind_name, span_quotes, stories
from annotations.models import AnnotationSet
from annotations.views.common import project_context, render_page
from workbench.http import AuthenticatedHttpRequest

PAGE_SIZE = 50


@login_required
@require_GET
def article_history(request: AuthenticatedHttpRequest, slug: str, article_id: int) -> HttpResponse:
    """Everything that happened to the article's annotations. Annotators see their own sets'."""
    access = get_project_for_user(request.user, slug)
    article = get_article_for_user(access, article_id)
    records = article_history_for_user(access, article)
    set_names: dict[int | None, str] = {
        s.pk: (f"{s.annotator.display_name}'s set" if s.annotator else "gold")
        for s in AnnotationSet.objects.filter(article=article).select_related("annotator")
    }
    people = sorted(set(records.exclude(username="").values_list("username", flat=True)))
    kinds = sorted(set(records.values_list("object_type", flat=True)))
    person = request.GET.get("person", "")
    kind = request.GET.get("kind", "")
    shown = records
    if person in people:
        shown = shown.filter(username=person)
    if kind in kinds:
        shown = shown.filter(object_type=kind)
    page = Paginator(shown, PAGE_SIZE).get_page(request.GET.get("page"))
    quotes = span_quotes(
        records.filter(object_type="span").values_list("object_id", "before", "after")
    )
    context = project_context(
        access,
        article=article,
        page=page,
        entries=stories(page.object_list, set_names, quotes),
        people=people,
        kinds=[(value, kind_name(value)) for value in kinds],
        person=person if person in people else "",
        kind=kind if kind in kinds else "",
    )
    return render_page(request, "annotations/history.html", context, partial="entries")
