"""The annotate page and its htmx endpoints: spans, actors, claims, threat assessment, submit.

Every endpoint changes one annotation set through a service and answers with the fragment
that changed; refusals answer 400 (bad input) or 409 (the set's state) with a message. What the
page shows is read by annotations.workspace and its heavy HTML built by annotations.annotate_html;
suggestions come from annotations.learning.suggesters.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect, retarget, trigger_client_event

from annotations import services, undo, workspace
from annotations.access import (
    ANNOTATOR,
    MANAGER,
    REVIEWER_OR_MANAGER,
    ProjectAccess,
    check_may_create_actors,
    get_annotation_set_for_user,
    get_article_for_user,
    get_claim_for_user,
    get_project_for_user,
    get_span_for_user,
    require_roles,
)
from annotations.annotate_html import article_body_html, segments_of
from annotations.errors import Conflict
from annotations.forms import (
    ClaimForm,
    ClaimUpdateForm,
    InlineActorForm,
    SpanCreateForm,
    SpanUpdateForm,
    ThreatAssessmentForm,
    valid_or_raise,
)
from annotations.learning import suggesters
from annotations.models import AnnotationSet
from annotations.views.common import int_param, project_context, render_page, shows_refusals
from workbench.http import AuthenticatedHttpRequest

TEMPLATE = "annotations/annotate.html"


def _workspace(
    request: AuthenticatedHttpRequest,
    access: ProjectAccess,
    annotation_set: AnnotationSet,
    *,
    active_span_id: int | None = None,
) -> HttpResponse:
    if not request.htmx:
        return _annotate_page_redirect(access.project.slug, annotation_set, active_span_id)
    # Reread the set: the service changed its status and version on its own copy.
    annotation_set = AnnotationSet.objects.select_related(*workspace.WORKSPACE_SET).get(
        pk=annotation_set.pk
    )
    return _render_workspace(request, access, annotation_set, active_span_id, partial="workspace")


def _annotate_page_redirect(
    slug: str, annotation_set: AnnotationSet, active_span_id: int | None = None
) -> HttpResponse:
    """Where an endpoint sends a browser that came without htmx: the annotate page (with the
    span's editor open, when there is one)."""
    url = reverse("annotations:annotate", args=[slug, annotation_set.article_id])
    return redirect(f"{url}?span={active_span_id}" if active_span_id else url)


def _render_workspace(
    request: AuthenticatedHttpRequest,
    access: ProjectAccess,
    annotation_set: AnnotationSet,
    active_span_id: int | None,
    *,
    partial: str | None = None,
) -> HttpResponse:
    context = workspace.workspace_context(access, annotation_set, active_span_id=active_span_id)
    return render_page(request, TEMPLATE, project_context(access, **context), partial=partial)


def _edit_set(
    request: AuthenticatedHttpRequest, slug: str, set_id: int
) -> tuple[ProjectAccess, AnnotationSet]:
    access = get_project_for_user(request.user, slug)
    return access, get_annotation_set_for_user(access, set_id, for_edit=True)


# The page


@login_required
@require_GET
def annotate(request: AuthenticatedHttpRequest, slug: str, article_id: int) -> HttpResponse:
    """An annotator's page for one article; opening it starts the annotator's set. Reviewers
    and managers who are no annotators are sent to the article's reading page."""
    access = get_project_for_user(request.user, slug)
    if not access.holds(ANNOTATOR):
        require_roles(access, REVIEWER_OR_MANAGER)
        return redirect("annotations:article-read", slug=slug, article_id=article_id)
    project = access.project
    # The user's set, read with everything the page shows; opening the article (below) only
    # when there is none yet.
    annotation_set = (
        AnnotationSet.objects.select_related(*workspace.WORKSPACE_SET)
        .filter(article__project=project, article_id=article_id, annotator=request.user)
        .first()
    )
    if annotation_set is not None:
        return _annotate_page(request, access, annotation_set)
    article = get_article_for_user(access, article_id)
    try:
        annotation_set = services.annotation_set_open(article=article, user=request.user)
    except Conflict as refused:
        # The article has all its annotators: the user may read it, not annotate it.
        context = project_context(
            access,
            article=article,
            annotation_set=None,
            editable=False,
            closed_message=refused.message,
            body_html=article_body_html(segments_of(article.body, [])),
        )
        return render_page(request, TEMPLATE, context)
    annotation_set.article = article
    return _annotate_page(request, access, annotation_set)


def _annotate_page(
    request: AuthenticatedHttpRequest, access: ProjectAccess, annotation_set: AnnotationSet
) -> HttpResponse:
    span_id = request.GET.get("span", "")
    active_span_id = int(span_id) if span_id.isdigit() else None
    return _render_workspace(request, access, annotation_set, active_span_id)


# Spans


@login_required
@require_POST
@shows_refusals
def span_create(request: AuthenticatedHttpRequest, slug: str, set_id: int) -> HttpResponse:
    access, annotation_set = _edit_set(request, slug, set_id)
    data = valid_or_raise(SpanCreateForm(request.POST, project=access.project))
    span = services.span_create(annotation_set=annotation_set, user=request.user, **data)
    changed = span.annotation_set  # the service's copy, with the set's new state
    first_edit = (changed.status, changed.guideline_version_id) != (
        annotation_set.status,
        annotation_set.guideline_version_id,
    )
    if not request.htmx or first_edit or span.actor_id:
        # The first edit changes the set's status (and maybe guidelines) in the page header,
        # and a span linked to an actor joins the claimant choices of every claim form.
        return _workspace(request, access, annotation_set, active_span_id=span.pk)
    # Only what a new span changes: the editor (showing it), and out of band the text, the
    # span list and the suggestions (emptied, as a whole workspace would be).
    context = workspace.spans_context(access, changed, active_span_id=span.pk)
    response = render(request, f"{TEMPLATE}#span-created", project_context(access, **context))
    return retarget(response, "#editor")


@login_required
@require_GET
def span_detail(
    request: AuthenticatedHttpRequest, slug: str, set_id: int, span_id: int
) -> HttpResponse:
    """The span editor (relabel, note, actor, delete, claims) in the side panel."""
    access = get_project_for_user(request.user, slug)
    span = get_span_for_user(access, set_id, span_id)
    if not request.htmx:
        return _annotate_page_redirect(slug, span.annotation_set, span.pk)
    return _render_workspace(request, access, span.annotation_set, span.pk, partial="editor")


@login_required
@require_POST
@shows_refusals
def span_update(
    request: AuthenticatedHttpRequest, slug: str, set_id: int, span_id: int
) -> HttpResponse:
    access = get_project_for_user(request.user, slug)
    span = get_span_for_user(access, set_id, span_id, for_edit=True)
    form = SpanUpdateForm(request.POST, project=access.project)
    valid_or_raise(form)
    services.span_update(span=span, user=request.user, **form.changes())
    return _workspace(request, access, span.annotation_set, active_span_id=span.pk)


@login_required
@require_POST
@shows_refusals
def span_delete(
    request: AuthenticatedHttpRequest, slug: str, set_id: int, span_id: int
) -> HttpResponse:
    access = get_project_for_user(request.user, slug)
    span = get_span_for_user(access, set_id, span_id, for_edit=True)
    services.span_delete(span=span, user=request.user)
    return _workspace(request, access, span.annotation_set)


# Actors


@login_required
@require_GET
def actor_search(
    request: AuthenticatedHttpRequest, slug: str, set_id: int, span_id: int
) -> HttpResponse:
    """Type-ahead over the registry's names and aliases; actors named like the span come first."""
    access = get_project_for_user(request.user, slug)
    span = get_span_for_user(access, set_id, span_id, for_edit=True)
    if not request.htmx:  # opened directly: the page, with the span's editor open
        return _annotate_page_redirect(slug, span.annotation_set, span.pk)
    query = request.GET.get("q", "").strip()
    actors = access.project.actors
    named = list(actors.named(span.quote.strip())[:5])
    options = named
    if query:
        matching = list(actors.matching(query)[:20])
        options = [a for a in named if a in matching] + [a for a in matching if a not in named]
    context = project_context(
        access,
        annotation_set=span.annotation_set,
        active_span=span,
        options=options,
        named_ids={actor.pk for actor in named},
        query=query,
    )
    return render(request, f"{TEMPLATE}#actor-options", context)


@login_required
@require_POST
@shows_refusals
def actor_create_inline(
    request: AuthenticatedHttpRequest, slug: str, set_id: int, span_id: int
) -> HttpResponse:
    """Add an actor to the registry from the annotate page and link the span to it."""
    access = get_project_for_user(request.user, slug)
    span = get_span_for_user(access, set_id, span_id, for_edit=True)
    check_may_create_actors(access)
    data = valid_or_raise(InlineActorForm(request.POST))
    quote = span.quote.strip()
    try:
        actor = services.actor_save(
            project=access.project,
            name=data["name"],
            kind=data["kind"],
            aliases=[quote] if quote != data["name"].strip() else [],
        )
    except ValidationError as error:
        raise ValidationError(" ".join(error.messages)) from None
    services.span_update(span=span, actor=actor, user=request.user)
    return _workspace(request, access, span.annotation_set, active_span_id=span.pk)


# Suggestions (annotations.learning.suggesters)


def _with_suggestions(
    request: AuthenticatedHttpRequest, access: ProjectAccess, annotation_set: AnnotationSet
) -> HttpResponse:
    """The workspace (or, opened directly, the page) with the remaining suggestions: in their
    panel and as pending highlights in the text."""
    annotation_set = AnnotationSet.objects.select_related(*workspace.WORKSPACE_SET).get(
        pk=annotation_set.pk
    )
    found = suggesters.proposals_for_set(annotation_set)
    context = workspace.workspace_context(access, annotation_set, proposed=found)
    return render_page(request, TEMPLATE, project_context(access, **context), partial="workspace")


@login_required
@require_GET
def suggestion_list(request: AuthenticatedHttpRequest, slug: str, set_id: int) -> HttpResponse:
    """The suggestions: in their panel and highlighted in the text."""
    access, annotation_set = _edit_set(request, slug, set_id)
    return _with_suggestions(request, access, annotation_set)


@login_required
@require_POST
@shows_refusals
def suggestions_accept(request: AuthenticatedHttpRequest, slug: str, set_id: int) -> HttpResponse:
    """Accept one or several span suggestions by their keys, or with `all` every one that
    remains, or with `above` every one scoring at least that: recomputed here (a page with
    thousands of suggestions does not send them back, and its word is not trusted). All or
    none are created, each with its provenance."""
    access, annotation_set = _edit_set(request, slug, set_id)
    if request.POST.get("all"):
        chosen = suggesters.above(annotation_set, None)
    elif request.POST.get("above", "").strip():
        chosen = suggesters.above(annotation_set, suggesters.parse_score(request.POST["above"]))
    else:
        chosen = suggesters.offered(annotation_set, request.POST.getlist("suggestion"))
        if any(s.kind != "span" for s in chosen):
            raise ValidationError("Only span suggestions are accepted here.")
    spans = [s.span_fields() for s in chosen]
    services.span_create_many(annotation_set=annotation_set, spans=spans, user=request.user)
    if not request.htmx:
        return _annotate_page_redirect(slug, annotation_set)
    return _with_suggestions(request, access, annotation_set)


@login_required
@require_POST
@shows_refusals
def suggestion_reject(request: AuthenticatedHttpRequest, slug: str, set_id: int) -> HttpResponse:
    """Reject a span suggestion: it is not offered again in this set."""
    access, annotation_set = _edit_set(request, slug, set_id)
    (chosen,) = suggesters.offered(annotation_set, [request.POST.get("suggestion", "")])
    if chosen.kind != "span" or chosen.label is None:
        raise ValidationError("Only span suggestions are rejected here.")
    services.suggestion_reject(
        annotation_set=annotation_set,
        start=chosen.start or 0,
        end=chosen.end or 0,
        label=chosen.label,
        actor=chosen.actor,
        suggester=str(chosen.provenance["suggester"]),
        user=request.user,
    )
    if not request.htmx:
        return _annotate_page_redirect(slug, annotation_set)
    return _with_suggestions(request, access, annotation_set)


def _accepted_provenance(
    request: AuthenticatedHttpRequest, annotation_set: AnnotationSet, chosen_pk: int
) -> dict[str, Any] | None:
    """The provenance of the suggestion the form was sent with (its `suggestion` key), when
    it is still offered and the annotator kept what it proposed (the level or claim type
    `chosen_pk`); None when the form came without one or the annotator chose otherwise."""
    key = request.POST.get("suggestion", "").strip()
    if not key:
        return None
    try:
        (suggestion,) = suggesters.offered(annotation_set, [key])
    except ValidationError:
        return None  # no longer offered (a newer model, another tab): what was chosen stands
    proposed = suggestion.threat_level or suggestion.claim_type
    return suggestion.provenance if proposed is not None and proposed.pk == chosen_pk else None


# Regions not to annotate (managers)


@login_required
@require_POST
@shows_refusals
def excluded_region_create(
    request: AuthenticatedHttpRequest, slug: str, article_id: int
) -> HttpResponse:
    """Mark a stretch of the article as not to be annotated."""
    access = get_project_for_user(request.user, slug, roles=MANAGER)
    article = get_article_for_user(access, article_id)
    start = int_param(request.POST.get("start"), "start")
    end = int_param(request.POST.get("end"), "end")
    services.region_not_to_annotate_add(article=article, start=start, end=end, user=request.user)
    return _article_workspace(request, access, article.pk)


@login_required
@require_POST
@shows_refusals
def excluded_region_delete(
    request: AuthenticatedHttpRequest, slug: str, article_id: int
) -> HttpResponse:
    """Let a region marked as not to annotate be annotated again."""
    access = get_project_for_user(request.user, slug, roles=MANAGER)
    article = get_article_for_user(access, article_id)
    start = int_param(request.POST.get("start"), "start")
    services.region_not_to_annotate_remove(article=article, start=start, user=request.user)
    return _article_workspace(request, access, article.pk)


def _article_workspace(
    request: AuthenticatedHttpRequest, access: ProjectAccess, article_id: int
) -> HttpResponse:
    """The manager's workspace on the article after a change to its regions (their page)."""
    url = reverse("annotations:annotate", args=[access.project.slug, article_id])
    annotation_set = (
        AnnotationSet.objects.select_related(*workspace.WORKSPACE_SET)
        .filter(article_id=article_id, annotator=request.user)
        .first()
    )
    if not request.htmx or annotation_set is None:
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    return _render_workspace(request, access, annotation_set, None, partial="workspace")


# Claims


@login_required
@require_POST
@shows_refusals
def claim_create(request: AuthenticatedHttpRequest, slug: str, set_id: int) -> HttpResponse:
    access, annotation_set = _edit_set(request, slug, set_id)
    data = valid_or_raise(ClaimForm(request.POST, annotation_set=annotation_set))
    provenance = _accepted_provenance(request, annotation_set, data["claim_type"].pk)
    services.claim_create(
        annotation_set=annotation_set, provenance=provenance, user=request.user, **data
    )
    return _workspace(request, access, annotation_set, active_span_id=data["span"].pk)


@login_required
@require_POST
@shows_refusals
def claim_update(
    request: AuthenticatedHttpRequest, slug: str, set_id: int, claim_id: int
) -> HttpResponse:
    """Change a claim's type, claimant, targets, Admiralty grading and note."""
    access = get_project_for_user(request.user, slug)
    claim = get_claim_for_user(access, set_id, claim_id, for_edit=True)
    annotation_set = claim.annotation_set
    data = valid_or_raise(ClaimUpdateForm(request.POST, annotation_set=annotation_set))
    services.claim_update(claim=claim, user=request.user, **data)
    return _workspace(request, access, annotation_set)


@login_required
@require_POST
@shows_refusals
def claim_delete(
    request: AuthenticatedHttpRequest, slug: str, set_id: int, claim_id: int
) -> HttpResponse:
    access = get_project_for_user(request.user, slug)
    claim = get_claim_for_user(access, set_id, claim_id, for_edit=True)
    services.claim_delete(claim=claim, user=request.user)
    return _workspace(request, access, claim.annotation_set)


# Undo and redo


@login_required
@require_POST
@shows_refusals
def annotation_set_undo(request: AuthenticatedHttpRequest, slug: str, set_id: int) -> HttpResponse:
    """Take back the user's last change to their set (annotations.undo)."""
    access, annotation_set = _edit_set(request, slug, set_id)
    done = undo.undo(annotation_set=annotation_set, user=request.user)
    return _undone(request, access, annotation_set, f"Undone: {done}.")


@login_required
@require_POST
@shows_refusals
def annotation_set_redo(request: AuthenticatedHttpRequest, slug: str, set_id: int) -> HttpResponse:
    """Bring back the change the user last undid."""
    access, annotation_set = _edit_set(request, slug, set_id)
    done = undo.redo(annotation_set=annotation_set, user=request.user)
    return _undone(request, access, annotation_set, f"Redone: {done}.")


def _undone(
    request: AuthenticatedHttpRequest,
    access: ProjectAccess,
    annotation_set: AnnotationSet,
    message: str,
) -> HttpResponse:
    response = _workspace(request, access, annotation_set)
    if request.htmx:
        event = {"message": message}
        response = trigger_client_event(response, "workbench:undone", event, after="settle")
    return response


# Threat assessment and submitting


@login_required
@require_POST
@shows_refusals
def threat_assessment_set(
    request: AuthenticatedHttpRequest, slug: str, set_id: int
) -> HttpResponse:
    access, annotation_set = _edit_set(request, slug, set_id)
    posted = request.POST.copy()
    key = posted.get("suggestion", "")
    if key.startswith("threat-"):  # "Accept" on the suggested level: that level, then
        posted["level"] = key.removeprefix("threat-")
    data = valid_or_raise(ThreatAssessmentForm(posted, annotation_set=annotation_set))
    provenance = _accepted_provenance(request, annotation_set, data["level"].pk)
    services.threat_assessment_set(
        annotation_set=annotation_set, provenance=provenance, user=request.user, **data
    )
    return _workspace(request, access, annotation_set)


@login_required
@require_POST
@shows_refusals
def threat_assessment_delete(
    request: AuthenticatedHttpRequest, slug: str, set_id: int
) -> HttpResponse:
    access, annotation_set = _edit_set(request, slug, set_id)
    services.threat_assessment_delete(annotation_set=annotation_set, user=request.user)
    return _workspace(request, access, annotation_set)


@login_required
@require_POST
@shows_refusals
def annotation_set_submit(
    request: AuthenticatedHttpRequest, slug: str, set_id: int
) -> HttpResponse:
    """Hand the set in for review; it is locked from then on."""
    access, annotation_set = _edit_set(request, slug, set_id)
    services.annotation_set_submit(annotation_set=annotation_set, user=request.user)
    messages.success(request, "Submitted for review. Your annotations are now locked.")
    url = reverse("annotations:annotate", args=[slug, annotation_set.article_id])
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
