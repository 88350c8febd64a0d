"""Project settings, for managers: labels, claim types, threat scale (the vocabulary),
guidelines and the actor registry (with its exchange as CSV or JSON files)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from annotations.access import MANAGER, ProjectAccess, get_project_for_user
from annotations.actor_registry import (
    CONTENT_TYPES,
    FORMATS,
    RegistryRejected,
    registry_export,
    registry_filename,
    registry_import,
)
from annotations.forms import (
    ActorForm,
    ActorRegistryImportForm,
    ClaimTypeForm,
    GuidelinesForm,
    LabelForm,
    ThreatLevelForm,
    valid_or_raise,
)
from annotations.importing import ImportRejected, read_upload
from annotations.models import Actor, ActorAlias, ClaimType, Label, Project, ThreatLevel
from annotations.services import actor_save, guidelines_update
from annotations.views.common import project_context, render_page, shows_refusals
from workbench.http import AuthenticatedHttpRequest


@dataclass(frozen=True)
class Vocabulary:
    kind: str
    title: str
    model: type[Label | ClaimType | ThreatLevel]
    form: type[LabelForm | ClaimTypeForm | ThreatLevelForm]
    help: str


VOCABULARIES = {
    v.kind: v
    for v in (
        Vocabulary(
            "labels",
            "Labels",
            Label,
            LabelForm,
            "What annotators mark. A hotkey is one lower-case letter or digit.",
        ),
        Vocabulary("claim-types", "Claim types", ClaimType, ClaimTypeForm, "Kinds of claim."),
        Vocabulary(
            "threat-scale",
            "Threat scale",
            ThreatLevel,
            ThreatLevelForm,
            "The ordinal threat levels, lowest rank first.",
        ),
    )
}


def _vocabulary(kind: str) -> Vocabulary:
    if kind not in VOCABULARIES:
        raise Http404("No such list.")
    return VOCABULARIES[kind]


def _vocabulary_page(
    request: AuthenticatedHttpRequest, access: ProjectAccess, vocabulary: Vocabulary
) -> HttpResponse:
    items = vocabulary.model.objects.filter(project=access.project)
    rows = [(item, vocabulary.form(instance=item, prefix=f"item-{item.pk}")) for item in items]
    context = project_context(
        access, vocabulary=vocabulary, rows=rows, new_form=vocabulary.form(prefix="new")
    )
    return render_page(request, "annotations/vocabulary.html", context, partial="items")


@login_required
@require_GET
def vocabulary(request: AuthenticatedHttpRequest, slug: str, kind: str) -> HttpResponse:
    access = get_project_for_user(request.user, slug, roles=MANAGER)
    return _vocabulary_page(request, access, _vocabulary(kind))


@login_required
@require_POST
@shows_refusals
def vocabulary_save(
    request: AuthenticatedHttpRequest, slug: str, kind: str, pk: int | None = None
) -> HttpResponse:
    """Add an item (no pk) or change one."""
    access = get_project_for_user(request.user, slug, roles=MANAGER)
    project = access.project
    vocabulary = _vocabulary(kind)
    instance = (
        vocabulary.model(project=project)
        if pk is None
        else vocabulary.model.objects.filter(project=project, pk=pk).first()
    )
    if instance is None:
        raise Http404("No such item.")
    prefix = "new" if pk is None else f"item-{pk}"
    form = vocabulary.form(request.POST, instance=instance, prefix=prefix)
    valid_or_raise(form)
    form.save()
    if not request.htmx:
        return redirect("annotations:vocabulary", slug=project.slug, kind=kind)
    return _vocabulary_page(request, access, vocabulary)


@login_required
@require_POST
@shows_refusals
def vocabulary_delete(
    request: AuthenticatedHttpRequest, slug: str, kind: str, pk: int
) -> HttpResponse:
    access = get_project_for_user(request.user, slug, roles=MANAGER)
    project = access.project
    vocabulary = _vocabulary(kind)
    instance = vocabulary.model.objects.filter(project=project, pk=pk).first()
    if instance is None:
        raise Http404("No such item.")
    instance.delete()
    if not request.htmx:
        return redirect("annotations:vocabulary", slug=project.slug, kind=kind)
    return _vocabulary_page(request, access, vocabulary)


@login_required
@require_http_methods(["GET", "POST"])
@shows_refusals
def guidelines(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The current guidelines; saving a change adds a new version."""
    access = get_project_for_user(request.user, slug, roles=MANAGER)
    project = access.project
    if request.method == "POST":
        form = GuidelinesForm(request.POST)
        data = valid_or_raise(form)
        guidelines_update(project=project, text=data["text"], user=request.user)
    current = project.current_guideline()
    form = GuidelinesForm(initial={"text": current.text if current else ""})
    versions = project.guideline_versions.select_related("created_by").order_by("-number")
    context = project_context(access, form=form, current=current, versions=versions)
    return render_page(request, "annotations/guidelines.html", context, partial="guidelines")


def _actors(project: Project, query: str) -> QuerySet[Actor]:
    actors = project.actors.select_related("affiliation").prefetch_related(
        Prefetch("aliases", queryset=ActorAlias.objects.order_by("name"))
    )
    return actors.matching(query) if query else actors


def _actor_list_page(
    request: AuthenticatedHttpRequest,
    access: ProjectAccess,
    *,
    import_form: ActorRegistryImportForm | None = None,
    import_errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    context = project_context(
        access,
        actors=_actors(access.project, query),
        query=query,
        form=ActorForm(project=access.project),
        import_form=import_form or ActorRegistryImportForm(),
        import_errors=import_errors or [],
        registry_formats=FORMATS,
    )
    return render_page(
        request, "annotations/actor_list.html", context, partial="actors", status=status
    )


@login_required
@require_GET
def actor_list(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = get_project_for_user(request.user, slug, roles=MANAGER)
    return _actor_list_page(request, access)


@login_required
@require_GET
def actor_registry_export(
    request: AuthenticatedHttpRequest, slug: str, format: str
) -> HttpResponse:
    """The registry as a CSV or JSON file, for every member: each of them reads the whole
    registry already (the API's actor list, the annotate page's actor search)."""
    access = get_project_for_user(request.user, slug)
    if format not in FORMATS:
        raise Http404("No such format.")
    response = HttpResponse(
        registry_export(project=access.project, format=format), content_type=CONTENT_TYPES[format]
    )
    filename = registry_filename(access.project, format)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_POST
def actor_registry_import(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Import a registry file (managers): all of it, or nothing and every problem listed."""
    access = get_project_for_user(request.user, slug, roles=MANAGER)
    form = ActorRegistryImportForm(request.POST, request.FILES)
    if not form.is_valid():
        errors = [
            f"{form.fields[name].label}: {' '.join(map(str, e))}" for name, e in form.errors.items()
        ]
        return _actor_list_page(request, access, import_form=form, import_errors=errors, status=400)
    upload = form.cleaned_data["file"]
    try:
        report = registry_import(
            project=access.project,
            filename=upload.name or "upload",
            data=read_upload(upload),
            format=form.cleaned_data["format"] or None,
        )
    except ImportRejected as rejected:  # too large
        errors = [str(rejected)]
    except RegistryRejected as rejected:
        errors = rejected.messages
    else:
        messages.success(
            request,
            f"Imported {report.filename}: {len(report.created)} new actor(s), "
            f"{len(report.updated)} updated, {report.unchanged} already as the file says.",
        )
        return redirect("annotations:actor-list", slug=access.project.slug)
    return _actor_list_page(request, access, import_form=form, import_errors=errors, status=400)


@login_required
@require_http_methods(["GET", "POST"])
@shows_refusals
def actor_edit(request: AuthenticatedHttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    """Add an actor (no pk) or change one, with its aliases and affiliation."""
    access = get_project_for_user(request.user, slug, roles=MANAGER)
    project = access.project
    actor = None
    if pk is not None:
        actor = Actor.objects.filter(project=project, pk=pk).first()
        if actor is None:
            raise Http404("No such actor.")
    if request.method == "POST":
        form = ActorForm(request.POST, project=project, actor=actor)
        valid_or_raise(form)
        try:
            actor_save(project=project, actor=actor, **form.service_kwargs())
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                raise ValidationError(
                    " ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
                ) from None
            raise
        url = reverse("annotations:actor-list", args=[project.slug])
        if request.htmx:
            return HttpResponseClientRedirect(url)
        return redirect(url)
    if actor is None:
        return redirect("annotations:actor-list", slug=project.slug)
    context = project_context(access, actor=actor, form=ActorForm(project=project, actor=actor))
    return render_page(request, "annotations/actor_edit.html", context)
