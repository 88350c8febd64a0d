"""Projects, their article lists, the annotator's queue and uploading articles."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Case, OuterRef, Subquery, Value, When
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from annotations.access import (
    ANNOTATOR,
    MANAGER,
    articles_visible_to,
    get_project_for_user,
    projects_visible_to,
)
from annotations.annotate_html import LANES
from annotations.forms import ArticleUploadForm
from annotations.importing import ImportRejected, import_articles, read_upload
from annotations.models import AnnotationSet
from annotations.queues import open_next_article
from annotations.views.common import project_context, render_page
from workbench.http import AuthenticatedHttpRequest

NOT_STARTED = "not_started"
STATUS_CHOICES = [
    (NOT_STARTED, "Not started"),
    (AnnotationSet.Status.IN_PROGRESS, "In progress"),
    (AnnotationSet.Status.SUBMITTED, "Submitted"),
    (AnnotationSet.Status.APPROVED, "Approved"),
    (AnnotationSet.Status.CHANGES_REQUESTED, "Changes requested"),
]
STATUS_NAMES = dict(STATUS_CHOICES) | {AnnotationSet.Status.ASSIGNED: "Not started"}
# The name of the user's status on an article, read with the article (no set: not started).
MY_STATUS_NAME = Case(
    *[When(my_status=status, then=Value(str(name))) for status, name in STATUS_NAMES.items()],
    default=Value(STATUS_NAMES[NOT_STARTED]),
)
PAGE_SIZE = 50


@login_required
@require_GET
def project_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    projects = projects_visible_to(request.user)
    return render(request, "annotations/project_list.html", {"projects": projects})


@login_required
@require_GET
def article_list(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = get_project_for_user(request.user, slug)
    my_status = AnnotationSet.objects.filter(article=OuterRef("pk"), annotator=request.user).values(
        "status"
    )[:1]
    articles = (
        articles_visible_to(access)
        .only("id", "title", "source", "published")
        .annotate(my_status=Subquery(my_status))
        .annotate(my_status_name=MY_STATUS_NAME)
    )
    query = request.GET.get("q", "").strip()
    if query:
        articles = articles.filter(title__icontains=query)
    status = request.GET.get("status", "")
    if status == NOT_STARTED:
        articles = articles.exclude(
            pk__in=AnnotationSet.objects.filter(annotator=request.user)
            .exclude(status=AnnotationSet.Status.ASSIGNED)
            .values("article_id")
        )
    elif status in STATUS_NAMES:
        articles = articles.filter(my_status=status)
    page = Paginator(articles.order_by("id"), PAGE_SIZE).get_page(request.GET.get("page"))
    context = project_context(
        access,
        page=page,
        query=query,
        status=status,
        status_choices=STATUS_CHOICES,
        is_manager=access.holds(MANAGER),
        is_annotator=access.holds(ANNOTATOR),
    )
    return render_page(request, "annotations/article_list.html", context, partial="articles")


@login_required
@require_GET
def queue_next(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Open the next article in my queue (taking my place on it, if it still needs annotators)."""
    project = get_project_for_user(request.user, slug, roles=ANNOTATOR).project
    after = request.GET.get("after")
    article = open_next_article(
        request.user, project, after=int(after) if after and after.isdigit() else None
    )
    if article is None:
        messages.info(request, "Your queue is empty: nothing is waiting for you.")
        return redirect(project.get_absolute_url())
    return redirect("annotations:annotate", slug=project.slug, article_id=article.pk)


@login_required
@require_GET
def label_css(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The project's label colours as a stylesheet (inline styles are barred by the CSP)."""
    project = get_project_for_user(request.user, slug).project
    rules = []
    for pk, colour in project.labels.values_list("pk", "colour"):
        rules.append(f".label-{pk} {{ --label-colour: {colour}; }}")
        # The span's underline in each lane of the text (annotate_html.article_body_html).
        rules.extend(f".u{lane}-{pk} {{ --u{lane}: {colour}; }}" for lane in range(LANES))
    response = HttpResponse("\n".join(rules) + "\n", content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "private, no-cache"  # colours change when edited
    return response


@login_required
@require_http_methods(["GET", "POST"])
def article_upload(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = get_project_for_user(request.user, slug, roles=MANAGER)
    project = access.project
    form = ArticleUploadForm(request.POST or None, request.FILES or None)
    error, status = "", 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = import_articles(
                    project=project,
                    filename=upload.name,
                    data=read_upload(upload),
                    format=form.cleaned_data["format"] or None,
                    user=request.user,
                    annotator=request.user,
                )
            except ImportRejected as rejected:
                error, status = str(rejected), 400
            else:
                text = f"Imported {report.imported} article(s) from {report.filename}"
                if report.duplicates:
                    text += f"; skipped {len(report.duplicates)} already in the project"
                messages.success(request, text + ".")
                return redirect(project.get_absolute_url())
        else:
            status = 400
    return render(
        request,
        "annotations/article_upload.html",
        project_context(access, form=form, error=error),
        status=status,
    )
