"""Release pages: list and create, detail (progress polled with htmx), download, compare."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from annotations import storage
from annotations.access import (
    MANAGER,
    get_project_for_user,
    get_release_file_for_user,
    get_release_for_user,
    releases_visible_to,
    require_roles,
)
from annotations.exports import FORMATS
from annotations.models import Release
from annotations.models.releases import default_ratios
from annotations.release_build import SPLITS
from annotations.releases import (
    release_compare,
    release_create,
    release_retry,
    release_status_note,
    releases_fail_stalled,
)
from annotations.views.common import project_context, shows_refusals
from workbench.http import AuthenticatedHttpRequest
from workbench.worker import last_heartbeat


class ReleaseForm(forms.Form):
    name = forms.CharField(max_length=200, required=False)
    formats = forms.MultipleChoiceField(
        choices=[(name, writer.DESCRIPTION) for name, writer in FORMATS.items()],
        widget=forms.CheckboxSelectMultiple,
        initial=["native"],
    )
    train = forms.FloatField(min_value=0, max_value=1, initial=default_ratios()["train"])
    dev = forms.FloatField(min_value=0, max_value=1, initial=default_ratios()["dev"])
    test = forms.FloatField(min_value=0, max_value=1, initial=default_ratios()["test"])
    split_seed = forms.IntegerField(min_value=0, max_value=2**31 - 1, initial=0)


@login_required
@require_http_methods(["GET", "POST"])
def release_list(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = get_project_for_user(request.user, slug)
    releases_fail_stalled(project=access.project)
    form = ReleaseForm(request.POST or None)
    if request.method == "POST":
        require_roles(access, MANAGER)
        if form.is_valid():
            data = form.cleaned_data
            try:
                release = release_create(
                    project=access.project,
                    user=request.user,
                    name=data["name"],
                    formats=data["formats"],
                    split_seed=data["split_seed"],
                    split_ratios={s: data[s] for s in SPLITS},
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(None, f"{field}: {' '.join(errors)}")
            else:
                messages.success(request, f"Release v{release.version} is queued.")
                return redirect(release)
    releases = releases_visible_to(access).select_related("created_by")
    return render(
        request,
        "annotations/release_list.html",
        project_context(access, releases=releases, form=form, is_manager=access.holds(MANAGER)),
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
@vary_on_headers("HX-Request")
def release_detail(request: AuthenticatedHttpRequest, slug: str, version: int) -> HttpResponse:
    access = get_project_for_user(request.user, slug)
    releases_fail_stalled(project=access.project)
    release = get_release_for_user(access, version)
    template = "annotations/release_detail.html"
    if request.htmx:
        template += "#status"
    files = release.files.exclude(format__in=["card", "manifest"])
    extra = release.files.filter(format__in=["card", "manifest"])
    note = None
    if not release.is_finished:
        note = release_status_note(release, last_worker_seen=last_heartbeat())
    return render(
        request,
        template,
        project_context(
            access,
            release=release,
            files=files,
            extra_files=extra,
            status_note=note,
            may_retry=access.holds(MANAGER) and release.status == Release.Status.FAILED,
        ),
    )


@login_required
@require_POST
@shows_refusals
def release_retry_view(request: AuthenticatedHttpRequest, slug: str, version: int) -> HttpResponse:
    """Build a failed release's definition again, as the next version (managers)."""
    access = get_project_for_user(request.user, slug, roles=MANAGER)
    failed = get_release_for_user(access, version)
    release = release_retry(release=failed, user=request.user)
    messages.success(
        request, f"Release v{release.version} is queued: the definition of v{failed.version} again."
    )
    return redirect(release)


@login_required
@require_GET
def release_download(
    request: AuthenticatedHttpRequest, slug: str, version: int, file_id: int
) -> FileResponse:
    access = get_project_for_user(request.user, slug)
    release_file = get_release_file_for_user(access, version, file_id)
    return storage.file_response(release_file.path, filename=release_file.name)


@login_required
@require_GET
def release_compare_view(
    request: AuthenticatedHttpRequest, slug: str, version: int
) -> HttpResponse:
    access = get_project_for_user(request.user, slug)
    newer = get_release_for_user(access, version)
    ready = releases_visible_to(access).filter(status=Release.Status.READY)
    other = request.GET.get("with", "")
    older: Release | None
    if other.isdigit() and len(other) < 10:
        older = get_release_for_user(access, int(other))
    else:
        older = ready.filter(version__lt=newer.version).order_by("-version").first()
    comparison = None
    if older is not None and older.status == newer.status == Release.Status.READY:
        if older.version > newer.version:
            older, newer = newer, older
        comparison = release_compare(older, newer)
    return render(
        request,
        "annotations/release_compare.html",
        project_context(
            access,
            release=newer,
            older=older,
            comparison=comparison,
            choices=ready.exclude(pk=newer.pk),
        ),
    )
