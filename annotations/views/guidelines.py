"""The project's guidelines: every member reads them (the current version, any earlier one and
what changed between them, also in the annotate page's drawer); managers write them in Markdown
with a preview, each save a new version."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from annotations.access import MANAGER, ProjectAccess, get_project_for_user, require_roles
from annotations.forms import GuidelinesForm, valid_or_raise
from annotations.guidelines import diff_lines, render_markdown
from annotations.models import GuidelineVersion
from annotations.services import guidelines_update
from annotations.views.common import project_context, render_page, shows_refusals
from workbench.http import AuthenticatedHttpRequest

TEMPLATE = "annotations/guidelines.html"


@login_required
@require_http_methods(["GET", "POST"])
@shows_refusals
def guidelines(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The current guidelines; a manager's save adds a new version. htmx asks for the reader
    alone (the annotate page's drawer) or, after a save, the editor's region."""
    access = get_project_for_user(request.user, slug)
    if request.method == "POST":
        require_roles(access, MANAGER)
        data = valid_or_raise(GuidelinesForm(request.POST))
        guidelines_update(project=access.project, text=data["text"], user=request.user)
    current = access.project.current_guideline()
    partial = "guidelines" if request.method == "POST" else "reader"
    return _page(request, access, current, partial=partial)


@login_required
@require_http_methods(["GET"])
def guideline_version(request: AuthenticatedHttpRequest, slug: str, number: int) -> HttpResponse:
    """One version of the guidelines, with what changed from the one before."""
    access = get_project_for_user(request.user, slug)
    version = access.project.guideline_versions.filter(number=number).first()
    if version is None:
        raise Http404("No such version of the guidelines.")
    return _page(request, access, version, partial="reader")


@login_required
@require_POST
def guidelines_preview(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The editor's text as it will read (managers)."""
    get_project_for_user(request.user, slug, roles=MANAGER)
    html = render_markdown(request.POST.get("text", ""))
    return render(request, "annotations/guidelines.html#preview", {"html": html})


def _page(
    request: AuthenticatedHttpRequest,
    access: ProjectAccess,
    version: GuidelineVersion | None,
    *,
    partial: str,
) -> HttpResponse:
    project = access.project
    versions = list(project.guideline_versions.select_related("created_by").order_by("-number"))
    latest = versions[0] if versions else None
    previous = next((v for v in versions if version and v.number == version.number - 1), None)
    may_edit = access.holds(MANAGER)
    text = version.text if version else ""
    context = project_context(
        access,
        version=version,
        latest=latest,
        previous=previous,
        versions=versions,
        html=render_markdown(text),
        diff=diff_lines(previous.text, text) if previous else [],
        may_edit=may_edit and version == latest,
        form=GuidelinesForm(initial={"text": latest.text if latest else ""}),
    )
    return render_page(request, TEMPLATE, context, partial=partial)
