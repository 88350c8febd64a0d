"""Imported predictions (managers): the prediction sources of a project, importing a file of an
external model's predictions as a new one (annotations.learning.imported), deleting one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from annotations import services
from annotations.access import (
    MANAGER,
    ProjectAccess,
    get_prediction_source_for_user,
    get_project_for_user,
)
from annotations.forms import PredictionImportForm
from annotations.importing import ImportRejected, read_upload
from annotations.learning.imported import read_predictions
from annotations.views.common import project_context, render_page
from workbench.http import AuthenticatedHttpRequest

TEMPLATE = "annotations/prediction_sources.html"


def _page(
    request: AuthenticatedHttpRequest,
    access: ProjectAccess,
    form: PredictionImportForm | None = None,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    sources = access.project.prediction_sources.select_related("created_by").annotate(
        predictions_count=Count("predictions")
    )
    context = project_context(
        access, sources=sources, form=form or PredictionImportForm(), import_errors=errors or []
    )
    return render_page(request, TEMPLATE, context, status=status)


@login_required
@require_GET
def prediction_source_list(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The project's imported prediction sources, and the form to import another."""
    access = get_project_for_user(request.user, slug, roles=MANAGER)
    return _page(request, access)


@login_required
@require_POST
def prediction_import(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Import a predictions file as a new source: all of it, or nothing and why (400)."""
    access = get_project_for_user(request.user, slug, roles=MANAGER)
    form = PredictionImportForm(request.POST, request.FILES)
    if not form.is_valid():
        errors = [
            f"{form.fields[name].label}: {' '.join(map(str, e))}" for name, e in form.errors.items()
        ]
        return _page(request, access, form, errors, status=400)
    upload = form.cleaned_data["file"]
    try:
        checked = read_predictions(
            project=access.project,
            filename=upload.name or "upload",
            data=read_upload(upload),
            name=form.cleaned_data["name"],
            version=form.cleaned_data["version"],
        )
        source = services.prediction_source_import(
            project=access.project, checked=checked, user=request.user
        )
    except ImportRejected as rejected:
        return _page(request, access, form, [str(rejected)], status=400)
    except ValidationError as error:
        return _page(request, access, form, error.messages, status=400)
    messages.success(
        request,
        f"Imported {len(checked.predictions)} predictions on {checked.articles} article(s) "
        f"from {source}.",
    )
    return redirect("annotations:prediction-sources", slug=access.project.slug)


@login_required
@require_POST
def prediction_source_delete(
    request: AuthenticatedHttpRequest, slug: str, source_id: int
) -> HttpResponse:
    """Delete a source and its predictions (what was accepted from them stays)."""
    access = get_project_for_user(request.user, slug)
    source = get_prediction_source_for_user(access, source_id)
    name = str(source)
    services.prediction_source_delete(source=source, user=request.user)
    messages.success(request, f"Deleted the predictions of {name}.")
    return redirect("annotations:prediction-sources", slug=access.project.slug)
