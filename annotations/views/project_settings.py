"""Project settings, for managers: labels, claim types, threat scale (the vocabulary) and the
actor registry, with its exchange as CSV or JSON files. (The guidelines, which every member
reads, are views.guidelines.)"""

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
    LabelForm,
    ProjectOptionsForm,
    ThreatLevelForm,
    add_errors_by_field,
)
from annotations.importing import ImportRejected, read_upload
from annotations.models import Actor, ActorAlias, ClaimType, Label, Project, ThreatLevel
from annotations.services import actor_save, vocabulary_item_delete
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


VocabularyForm = LabelForm | ClaimTypeForm | ThreatLevelForm


def _vocabulary_page(
    request: AuthenticatedHttpRequest,
    access: ProjectAccess,
    vocabulary: Vocabulary,
    refused: VocabularyForm | None = None,
) -> HttpResponse:
    """The list's page (or its items, for htmx); a `refused` form is shown in its row with
    its errors beside its fields, answered 400."""

    def form_for(item: Label | ClaimType | ThreatLevel, prefix: str) -> VocabularyForm:
        if refused is not None and refused.prefix == prefix:
            return refused
        return vocabulary.form(instance=item, prefix=prefix)

    items = vocabulary.model.objects.filter(project=access.project)
    rows = [(item, form_for(item, f"item-{item.pk}")) for item in items]
    context = project_context(
        access,
        vocabulary=vocabulary,
        rows=rows,
        new_form=form_for(vocabulary.model(project=access.project), "new"),
    )
    status = 200 if refused is None else 400
    return render_page(
        request, "annotations/vocabulary.html", context, partial="items", status=status
    )


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
    if not form.is_valid():
        return _vocabulary_page(request, access, vocabulary, refused=form)
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
    vocabulary_item_delete(item=instance)
    if not request.htmx:
        return redirect("annotations:vocabulary", slug=project.slug, kind=kind)
    return _vocabulary_page(request, access, vocabulary)


def _actors(project: Project, query: str) -> QuerySet[Actor]:
    actors = project.actors.select_related("affiliation").prefetch_related(
        Prefetch("aliases", queryset=ActorAlias.objects.order_by("name"))
    )
    return actors.matching(query) if query else actors


def _actor_list_page(
    request: AuthenticatedHttpRequest,
    access: ProjectAccess,
    form: ActorForm | None = None,
    *,
    partial: str = "actors",
    import_form: ActorRegistryImportForm | None = None,
    import_errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The registry page. htmx asks for the search results (#actors) or, adding an actor, the
    refused form (partial="actor-form")."""
    query = request.GET.get("q", "").strip()
    context = project_context(
        access,
        actors=_actors(access.project, query),
        query=query,
        form=form or ActorForm(project=access.project),
        import_form=import_form or ActorRegistryImportForm(),
        import_errors=import_errors or [],
        registry_formats=FORMATS,
    )
    return render_page(
        request, "annotations/actor_list.html", context, partial=partial, status=status
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
            data=read_upload(upload).read(),
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
    """Add an actor (no pk) or change one, with its aliases and affiliation. A refused form
    comes back with its errors beside its fields (400)."""
    access = get_project_for_user(request.user, slug, roles=MANAGER)
    project = access.project
    actor = None
    if pk is not None:
        actor = Actor.objects.filter(project=project, pk=pk).first()
        if actor is None:
            raise Http404("No such actor.")
    if request.method == "POST":
        form = ActorForm(request.POST, project=project, actor=actor)
        if form.is_valid():
            try:
                actor_save(project=project, actor=actor, **form.service_kwargs())
            except ValidationError as error:
                add_errors_by_field(form, error)
        if not form.is_valid():
            if actor is None:
                return _actor_list_page(request, access, form, partial="actor-form", status=400)
            actor.refresh_from_db()  # the service set the refused values on it
            return _actor_edit_page(request, access, actor, form, status=400)
        url = reverse("annotations:actor-list", args=[project.slug])
        if request.htmx:
            return HttpResponseClientRedirect(url)
        return redirect(url)
    if actor is None:
        return redirect("annotations:actor-list", slug=project.slug)
    return _actor_edit_page(request, access, actor, ActorForm(project=project, actor=actor))


def _actor_edit_page(
    request: AuthenticatedHttpRequest,
    access: ProjectAccess,
    actor: Actor,
    form: ActorForm,
    status: int = 200,
) -> HttpResponse:
    context = project_context(access, actor=actor, form=form)
    return render_page(
        request, "annotations/actor_edit.html", context, partial="actor-form", status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_options(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """What the project allows (self-review, adding missed items, annotators adding actors) and
    how it hands out work (the queue's order, the share of sets shown no suggestions)."""
    access = get_project_for_user(request.user, slug, roles=MANAGER)
    data = request.POST if request.method == "POST" else None
    form = ProjectOptionsForm(data, instance=access.project)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "The project's options are saved.")
        return redirect("annotations:project-options", slug=slug)
    status = 400 if form.is_bound else 200
    return render_page(
        request,
        "annotations/project_options.html",
        project_context(access, form=form),
        status=status,
    )
