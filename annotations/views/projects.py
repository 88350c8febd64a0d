"""Projects, their article lists, the annotator's queue and uploading articles."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.db.models import Case, Count, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from annotations.access import (
    ANNOTATOR,
    MANAGER,
    ProjectAccess,
    articles_visible_to,
    get_project_for_user,
    projects_visible_to,
    sees_every_annotation_set,
)
from annotations.annotate_html import LANES
from annotations.forms import ArticleUploadForm
from annotations.importing import ImportRejected, ImportReport, import_articles, read_upload
from annotations.importing.archives import upload_members
from annotations.models import AnnotationSet, Article, Project
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


# Where an article stands, for reviewers and managers (an annotator sees their own status).
NOT_STARTED_STAGE, ANNOTATING, READY, ADJUDICATING, ADJUDICATED = (
    "not_started",
    "annotating",
    "ready",
    "adjudicating",
    "adjudicated",
)
STAGE_CHOICES = [
    (NOT_STARTED_STAGE, "Not started"),
    (ANNOTATING, "Annotating"),
    (READY, "Ready to adjudicate"),
    (ADJUDICATING, "Adjudicating"),
    (ADJUDICATED, "Adjudicated"),
]


def _with_stage(articles: QuerySet[Article], project: Project) -> QuerySet[Article]:
    """Each article with `annotator_sets`, `handed_in` (of them) and its `stage`: adjudicated
    (gold approved), adjudicating (a gold set), not started (no set), ready to adjudicate (the
    project's number of annotators handed in), else annotating."""
    sets = AnnotationSet.objects.annotators_only().filter(article=OuterRef("pk")).order_by()
    count = Count("pk")
    gold = AnnotationSet.objects.gold().filter(article=OuterRef("pk")).values("status")[:1]
    return articles.annotate(
        annotator_sets=Coalesce(Subquery(sets.values("article").annotate(n=count).values("n")), 0),
        handed_in=Coalesce(
            Subquery(sets.handed_in().values("article").annotate(n=count).values("n")), 0
        ),
        gold_status=Subquery(gold),
    ).annotate(
        stage=Case(
            When(gold_status=AnnotationSet.Status.APPROVED, then=Value(ADJUDICATED)),
            When(gold_status__isnull=False, then=Value(ADJUDICATING)),
            When(annotator_sets=0, then=Value(NOT_STARTED_STAGE)),
            When(handed_in__gte=project.annotators_per_article, then=Value(READY)),
            default=Value(ANNOTATING),
        ),
        stage_name=Case(
            *[When(stage=value, then=Value(str(name))) for value, name in STAGE_CHOICES],
            default=Value(""),
        ),
    )


@login_required
@require_GET
def article_list(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The project's articles. Annotators see their own status on each and open it to annotate;
    reviewers and managers see where it stands (annotating, ready to adjudicate...) and open it
    to read every layer (views.reading)."""
    access = get_project_for_user(request.user, slug)
    is_annotator = access.holds(ANNOTATOR)
    oversees = sees_every_annotation_set(access.roles)
    # Any: the annotations below depend on the roles, which the type checker cannot follow.
    articles: QuerySet[Any] = articles_visible_to(access).only("id", "title", "source", "published")
    if is_annotator:
        my_status = AnnotationSet.objects.filter(
            article=OuterRef("pk"), annotator=request.user
        ).values("status")[:1]
        articles = articles.annotate(my_status=Subquery(my_status)).annotate(
            my_status_name=MY_STATUS_NAME
        )
    if oversees:
        articles = _with_stage(articles, access.project)
    query = request.GET.get("q", "").strip()
    if query:
        articles = articles.filter(title__icontains=query)
    status = request.GET.get("status", "") if is_annotator else ""
    if status == NOT_STARTED:
        articles = articles.exclude(
            pk__in=AnnotationSet.objects.filter(annotator=request.user)
            .exclude(status=AnnotationSet.Status.ASSIGNED)
            .values("article_id")
        )
    elif status in STATUS_NAMES:
        articles = articles.filter(my_status=status)
    stage = request.GET.get("stage", "") if oversees else ""
    if stage in dict(STAGE_CHOICES):
        articles = articles.filter(stage=stage)
    page = Paginator(articles.order_by("id"), PAGE_SIZE).get_page(request.GET.get("page"))
    context = project_context(
        access,
        page=page,
        query=query,
        status=status,
        status_choices=STATUS_CHOICES,
        stage=stage,
        stage_choices=STAGE_CHOICES,
        is_manager=access.holds(MANAGER),
        is_annotator=is_annotator,
        oversees=oversees,
        wanted=access.project.annotators_per_article,
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


@dataclass(frozen=True)
class UploadResult:
    """What became of one uploaded file (or one member of an uploaded zip)."""

    name: str
    report: ImportReport | None = None
    refused: str = ""


@login_required
@require_http_methods(["GET", "POST"])
def article_upload(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Upload several files, or zips of files; each is imported whole or not at all, on its
    own, and the page lists what became of each. 400 when any file was refused."""
    access = get_project_for_user(request.user, slug, roles=MANAGER)
    form = ArticleUploadForm(request.POST or None, request.FILES or None)
    results: list[UploadResult] = []
    status = 200
    if request.method == "POST":
        if form.is_valid():
            for upload in form.cleaned_data["article_files"]:
                results.extend(_import_upload(access, upload, form.cleaned_data["format"]))
        if not form.is_valid() or any(result.refused for result in results):
            status = 400
    context = project_context(
        access,
        form=form,
        results=results,
        imported=sum(result.report.imported for result in results if result.report),
    )
    return render(request, "annotations/article_upload.html", context, status=status)


def _import_upload(
    access: ProjectAccess, upload: UploadedFile[bytes], format: str
) -> Iterator[UploadResult]:
    name = upload.name or "upload"
    try:
        data = read_upload(upload).read()  # bounded by IMPORT_UPLOAD_MAX_BYTES; a zip is read whole
    except ImportRejected as rejected:
        yield UploadResult(name, refused=str(rejected))
        return
    for member in upload_members(name, data):
        if isinstance(member, ImportRejected):
            yield UploadResult(member.filename, refused=str(member))
            continue
        try:
            report = import_articles(
                project=access.project,
                filename=member.name,
                data=member.data,
                format=format or None,
                user=access.user,
                annotator=access.user,
            )
        except ImportRejected as rejected:
            yield UploadResult(member.name, refused=str(rejected))
        else:
            yield UploadResult(member.name, report=report)
