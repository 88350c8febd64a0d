"""Release pages: list and create, detail (progress polled with htmx), download, compare."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from annotations.access import ANY_ROLE, get_project_for_user, get_release_for_user
from annotations.exports import FORMATS
from annotations.models import Release, Role
from annotations.releases import (
    media_root,
    release_compare,
    release_create,
    releases_fail_stalled,
)
from workbench.http import AuthenticatedHttpRequest


class ReleaseForm(forms.Form):
    name = forms.CharField(max_length=200, required=False)
    formats = forms.MultipleChoiceField(
        choices=[(name, module.DESCRIPTION) for name, module in FORMATS.items()],
        widget=forms.CheckboxSelectMultiple,
        initial=["native"],
    )
    train = forms.FloatField(min_value=0, max_value=1, initial=0.8)
    dev = forms.FloatField(min_value=0, max_value=1, initial=0.1)
    test = forms.FloatField(min_value=0, max_value=1, initial=0.1)
    split_seed = forms.IntegerField(min_value=0, max_value=2**31 - 1, initial=0)


@login_required
@require_http_methods(["GET", "POST"])
def release_list(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    project = get_project_for_user(request.user, slug, roles=ANY_ROLE)
    releases_fail_stalled(project=project)
    is_manager = Role.MANAGER in project.user_roles
    form = ReleaseForm(request.POST or None)
    if request.method == "POST":
        project = get_project_for_user(request.user, slug, roles={Role.MANAGER})
        if form.is_valid():
            data = form.cleaned_data
            try:
                release = release_create(
                    project=project,
                    user=request.user,
                    name=data["name"],
                    formats=data["formats"],
                    split_seed=data["split_seed"],
                    split_ratios={s: data[s] for s in ("train", "dev", "test")},
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(None, f"{field}: {' '.join(errors)}")
            else:
                messages.success(request, f"Release v{release.version} is queued.")
                return redirect(release)
    releases = project.releases.select_related("created_by")
    return render(
        request,
        "annotations/release_list.html",
        {"project": project, "releases": releases, "form": form, "is_manager": is_manager},
        status=400 if form.errors else 200,
    )


@login_required
@vary_on_headers("HX-Request")
def release_detail(request: AuthenticatedHttpRequest, slug: str, version: int) -> HttpResponse:
    project = get_project_for_user(request.user, slug, roles=ANY_ROLE)
    releases_fail_stalled(project=project)
    release = get_release_for_user(request.user, project, version)
    template = "annotations/release_detail.html"
    if request.htmx:
        template += "#status"
    files = release.files.exclude(format__in=["card", "manifest"])
    extra = release.files.filter(format__in=["card", "manifest"])
    return render(
        request,
        template,
        {"project": project, "release": release, "files": files, "extra_files": extra},
    )


@login_required
def release_download(
    request: AuthenticatedHttpRequest, slug: str, version: int, file_id: int
) -> FileResponse:
    project = get_project_for_user(request.user, slug, roles=ANY_ROLE)
    release = get_release_for_user(request.user, project, version)
    release_file = release.files.filter(pk=file_id).first()
    if release_file is None or release.status != Release.Status.READY:
        raise Http404("No such file.")
    path = media_root() / release_file.path
    if not path.is_file():
        raise Http404("The file is missing from storage.")
    return FileResponse(path.open("rb"), as_attachment=True, filename=release_file.name)


@login_required
def release_compare_view(
    request: AuthenticatedHttpRequest, slug: str, version: int
) -> HttpResponse:
    project = get_project_for_user(request.user, slug, roles=ANY_ROLE)
    newer = get_release_for_user(request.user, project, version)
    ready = project.releases.filter(status=Release.Status.READY)
    other = request.GET.get("with", "")
    if other.isdigit() and len(other) < 10:
        older = get_release_for_user(request.user, project, int(other))
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
        {
            "project": project,
            "release": newer,
            "older": older,
            "comparison": comparison,
            "choices": ready.exclude(pk=newer.pk),
        },
    )
