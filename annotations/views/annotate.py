"""The annotate page and its htmx endpoints: spans, actors, claims, threat assessment, submit.

Every endpoint changes one annotation set through a service and answers with the fragment
that changed; refusals answer 400 (bad input) or 409 (the set's state) with a message.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from html import escape  # what django.utils.html.escape calls, minus its lazy-text check
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect, retarget

from annotations import services
from annotations.access import (
    ANNOTATOR,
    ProjectAccess,
    check_may_create_actors,
    get_annotation_set_for_user,
    get_article_for_user,
    get_claim_for_user,
    get_project_for_user,
    get_span_for_user,
    may_create_actors,
)
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
from annotations.models import (
    Actor,
    ActorAlias,
    AnnotationSet,
    Credibility,
    Label,
    Project,
    Reliability,
    Span,
    ThreatAssessment,
)
from annotations.views.common import project_context, render_page, shows_refusals
from workbench.http import AuthenticatedHttpRequest

TEMPLATE = "annotations/annotate.html"


@dataclass(slots=True)
class ShownSpan:
    """A span as the annotate page shows it. Read as plain values rather than as model
    instances: at a thousand spans per article, building Span instances cost more than
    everything else the page does with them."""

    FIELDS = ("pk", "start", "end", "quote", "label_id", "actor_id", "note")

    pk: int
    start: int
    end: int
    quote: str
    label: Label
    actor: Actor | None
    note: str

    @property
    def label_id(self) -> int:
        return self.label.pk

    @property
    def actor_id(self) -> int | None:
        return self.actor.pk if self.actor is not None else None


AnySpan = Span | ShownSpan


@dataclass
class Segment:
    """A stretch of the body between two span boundaries, and the spans covering it."""

    start: int
    end: int
    text: str
    spans: list[AnySpan] = field(default_factory=list)

    @property
    def innermost(self) -> AnySpan | None:
        return self.spans[-1] if self.spans else None

    @property
    def depth(self) -> int:
        """How many spans cover this piece, capped at 4 for the stylesheet."""
        return min(len(self.spans), 4)

    @property
    def span_ids(self) -> str:
        return " ".join(str(span.pk) for span in self.spans)


def segments_of(body: str, spans: list[AnySpan]) -> list[Segment]:
    """Cut the body at every span boundary; each piece lists the spans covering it, outermost
    first (so nested and overlapping spans all stay visible and selectable)."""
    cuts = sorted({0, len(body), *(s.start for s in spans), *(s.end for s in spans)})
    starting: dict[int, list[AnySpan]] = {}
    for span in spans:
        starting.setdefault(span.start, []).append(span)
    active: list[AnySpan] = []
    segments = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        active = [span for span in active if span.end > start] + starting.get(start, [])
        active.sort(key=lambda s: (s.start, -s.end, s.pk))
        segments.append(Segment(start, end, body[start:end], list(active)))
    return segments


def article_body_html(segments: list[Segment]) -> SafeString:
    """The article body with its highlights, built here rather than in the template: a template
    loop over a thousand spans' segments costs more than everything else on the page."""
    parts = []
    for seg in segments:
        text = escape(seg.text)
        if not seg.spans:
            parts.append(text)
            continue
        nested = f" nested depth-{seg.depth}" if seg.depth > 1 else ""
        parts.append(
            f'<span class="seg label-{seg.innermost.label_id}{nested}" '
            f'data-spans="{seg.span_ids}">{text}</span>'
        )
    return mark_safe("".join(parts))  # every piece of text above is escaped


def span_list_html(
    project: Project, annotation_set: AnnotationSet, spans: list[ShownSpan]
) -> SafeString:
    """The side panel's list of spans (see article_body_html for why it is built here)."""
    if not spans:
        return mark_safe('<li class="muted">None yet.</li>')
    detail = _span_url_maker("span-detail", project, annotation_set)
    items = []
    for span in spans:
        actor = f" → {escape(span.actor.name)}" if span.actor_id else ""
        items.append(
            f'<li><a class="span-link" data-span-id="{span.pk}" href="?span={span.pk}" '
            f'hx-get="{escape(detail(span.pk))}" hx-target="#editor" hx-swap="outerHTML">'
            f'<span class="swatch label-{span.label_id}"></span> {escape(span.label.name)}: '
            f"{escape(truncate_chars(span.quote, 60))}{actor}</a></li>"
        )
    return mark_safe("".join(items))  # every user-written value above is escaped


class Options:
    """The <option>s of a select that many forms repeat (a claimant select in every claim's
    form, each listing every actor), built once per request; each form picks its selection."""

    def __init__(self, options: list[tuple[int, str]]):
        self.options = options  # (value, label already escaped)

    def html(self, selected: int | set[int] | None = None) -> SafeString:
        chosen = selected if isinstance(selected, set) else {selected}
        return mark_safe(  # the labels were escaped when the options were built
            "".join(
                f'<option value="{pk}"{" selected" if pk in chosen else ""}>{text}</option>'
                for pk, text in self.options
            )
        )


def claimant_span_options(spans: list[ShownSpan]) -> Options:
    """The "span linked to the claimant" choices: every span linked to an actor."""
    return Options(
        [
            (
                span.pk,
                f"{escape(truncate_chars(span.quote, 40))} "
                f"({escape(span.actor.name)}, {span.start})",
            )
            for span in spans
            if span.actor_id
        ]
    )


def truncate_chars(text: str, length: int) -> str:
    """The `truncatechars` filter's result, without its cost for text that needs no cutting."""
    text = unicodedata.normalize("NFC", text)
    return text if len(text) <= length else Truncator(text).chars(length)


def _span_url_maker(name: str, project: Project, annotation_set: AnnotationSet):
    """`reverse` for many spans of one set: resolved once, then the span's id put in."""
    marker = 987654321
    head, tail = _set_url(name, project, annotation_set, marker).rsplit(str(marker), 1)
    return lambda span_id: f"{head}{span_id}{tail}"


def _set_url(name: str, project: Project, annotation_set: AnnotationSet, *args) -> str:
    return reverse(f"annotations:{name}", args=[project.slug, annotation_set.pk, *args])


def workspace_context(
    access: ProjectAccess, annotation_set: AnnotationSet, *, active_span_id: int | None = None
) -> dict[str, Any]:
    """Everything the annotate page shows, in a fixed number of queries however many spans."""
    project = access.project
    context = spans_context(access, annotation_set, active_span_id=active_span_id)
    in_assessment = ThreatAssessment.claims.through.objects.filter(
        claim_id=OuterRef("pk"), threatassessment__annotation_set_id=annotation_set.pk
    )
    claims = list(
        annotation_set.claims.select_related("claim_type", "claimant", "span", "claimant_span")
        .prefetch_related("targets")
        .annotate(in_assessment=Exists(in_assessment))
        .order_by("pk")
    )
    for claim in claims:
        claim.claimant_span_options = context["claimant_span_options"].html(claim.claimant_span_id)
        claim.claimant_options = context["actor_options"].html(claim.claimant_id)
        claim.target_options = context["actor_options"].html(
            {target.pk for target in claim.targets.all()}
        )
    labels = context["labels"]
    context.update(
        {
            "article": annotation_set.article,
            "claims": claims,
            "hotkeys": [label for label in labels if label.hotkey],
            "levels": list(project.threat_levels.all()),
            "assessment": _assessment_of(annotation_set),
            "assessment_claim_ids": {claim.pk for claim in claims if claim.in_assessment},
            "label_css_version": "-".join(f"{label.pk}{label.colour[1:]}" for label in labels),
            "suggestions": None,
        }
    )
    return context


def spans_context(
    access: ProjectAccess, annotation_set: AnnotationSet, *, active_span_id: int | None = None
) -> dict[str, Any]:
    """What the text, the span list and the span editor show.

    The spans are read as plain rows (see ShownSpan); the project's labels and actors are read
    once and attached to them (and to each other, for affiliation chains)."""
    project = access.project
    rows = list(annotation_set.spans.order_by("start", "end", "pk").values_list(*ShownSpan.FIELDS))
    active_row = next((row for row in rows if row[0] == active_span_id), None)
    labels = list(project.labels.all())
    actors = project.actors.all()
    if active_row is not None:
        actors = actors.annotate(is_named=_named_like(active_row[3].strip()))
    actors = list(actors)
    labels_by_id = {label.pk: label for label in labels}
    actors_by_id = {actor.pk: actor for actor in actors}
    for actor in actors:
        if actor.affiliation_id in actors_by_id:
            actor.affiliation = actors_by_id[actor.affiliation_id]
    spans = [
        ShownSpan(pk, start, end, quote, labels_by_id[label_id], actors_by_id.get(actor_id), note)
        for pk, start, end, quote, label_id, actor_id, note in rows
    ]
    active_span = next((span for span in spans if span.pk == active_span_id), None)
    context = project_context(
        access,
        annotation_set=annotation_set,
        editable=annotation_set.is_editable and annotation_set.annotator_id == access.user.pk,
        body_html=article_body_html(segments_of(annotation_set.article.body, spans)),
        spans=spans,
        span_list_html=span_list_html(project, annotation_set, spans),
        claimant_span_options=claimant_span_options(spans),
        actor_options=Options([(actor.pk, escape(actor.name)) for actor in actors]),
        labels=labels,
        claim_types=list(project.claim_types.all()),
        actors=actors,
        active_span=active_span,
        can_create_actors=may_create_actors(access),
        actor_kinds=Actor.Kind.choices,
        reliabilities=Reliability.choices,
        credibilities=Credibility.choices,
    )
    if active_span is not None:
        context.update(editor_context(active_span, actors))
    return context


def _named_like(name: str) -> ExpressionWrapper:
    """ActorQuerySet.named's test as a column: the actor's canonical name or one of its aliases
    equals `name`, ignoring case (so the actors are read once, with the editor's suggestions)."""
    alias = ActorAlias.objects.filter(actor=OuterRef("pk"), name__iexact=name)
    return ExpressionWrapper(Q(name__iexact=name) | Exists(alias), output_field=BooleanField())


def _assessment_of(annotation_set: AnnotationSet) -> ThreatAssessment | None:
    """The set's threat assessment with its level: no query when the set was read with
    `select_related("threat_assessment__level")` (see WORKSPACE_SET)."""
    if not AnnotationSet.threat_assessment.is_cached(annotation_set):
        return (
            ThreatAssessment.objects.filter(annotation_set=annotation_set)
            .select_related("level")
            .first()
        )
    try:
        return annotation_set.threat_assessment
    except ThreatAssessment.DoesNotExist:
        return None


# How the annotate page reads a set: with what its header and threat panel show.
WORKSPACE_SET = ("article", "guideline_version", "threat_assessment__level")


def editor_context(span: ShownSpan, actors: list[Actor]) -> dict:
    """The span editor's extras: actors named like the span's text (`actors` read with
    `_named_like`), and the affiliation chain."""
    suggested = [actor for actor in actors if actor.is_named][:5]
    return {
        "suggested_actors": suggested,
        "named_ids": {actor.pk for actor in suggested},
        "actor_chain": span.actor.affiliation_chain() if span.actor_id else [],
    }


def _workspace(
    request: AuthenticatedHttpRequest,
    access: ProjectAccess,
    annotation_set: AnnotationSet,
    *,
    active_span_id: int | None = None,
) -> HttpResponse:
    if not request.htmx:
        url = reverse("annotations:annotate", args=[access.project.slug, annotation_set.article_id])
        return redirect(f"{url}?span={active_span_id}" if active_span_id else url)
    # Reread the set: the service changed its status and version on its own copy.
    annotation_set = AnnotationSet.objects.select_related(*WORKSPACE_SET).get(pk=annotation_set.pk)
    context = workspace_context(access, annotation_set, active_span_id=active_span_id)
    return render_page(request, TEMPLATE, context, partial="workspace")


def _edit_set(
    request: AuthenticatedHttpRequest, slug: str, set_id: int
) -> tuple[ProjectAccess, AnnotationSet]:
    access = get_project_for_user(request.user, slug)
    return access, get_annotation_set_for_user(access, set_id, for_edit=True)


# The page


@login_required
@require_GET
def annotate(request: AuthenticatedHttpRequest, slug: str, article_id: int) -> HttpResponse:
    """An annotator's page for one article; opening it starts the annotator's set."""
    access = get_project_for_user(request.user, slug, roles=ANNOTATOR)
    project = access.project
    # The user's set, read with everything the page shows; opening the article (below) only
    # when there is none yet.
    annotation_set = (
        AnnotationSet.objects.select_related(*WORKSPACE_SET)
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
    context = workspace_context(
        access,
        annotation_set,
        active_span_id=int(span_id) if span_id.isdigit() else None,
    )
    return render_page(request, TEMPLATE, context)


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
    context = spans_context(access, changed, active_span_id=span.pk)
    response = render(request, f"{TEMPLATE}#span-created", context)
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
        url = reverse("annotations:annotate", args=[slug, span.annotation_set.article_id])
        return redirect(f"{url}?span={span.pk}")
    context = workspace_context(access, span.annotation_set, active_span_id=span.pk)
    return render_page(request, TEMPLATE, context, partial="editor")


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
    return render_page(request, TEMPLATE, context, partial="actor-options")


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
            user=request.user,
        )
    except ValidationError as error:
        raise ValidationError(" ".join(error.messages)) from None
    services.span_update(span=span, actor=actor, user=request.user)
    return _workspace(request, access, span.annotation_set, active_span_id=span.pk)


# Alias suggestions


@dataclass
class Suggestion:
    start: int
    end: int
    quote: str
    actor: Actor

    @property
    def key(self) -> str:
        return f"{self.start}-{self.end}-{self.actor.pk}"


def _actor_names(project: Project) -> dict[str, Actor]:
    names: dict[str, Actor] = {}
    for actor in project.actors.prefetch_related("aliases"):
        names.setdefault(actor.name, actor)
        for alias in actor.aliases.all():
            names.setdefault(alias.name, actor)
    return names


def alias_suggestions(project: Project, annotation_set: AnnotationSet) -> list[Suggestion]:
    """A span for every occurrence of a registry name or alias that no actor-linked span covers
    yet; longer names win where occurrences overlap."""
    body = annotation_set.article.body
    taken = [
        (s.start, s.end)
        for s in annotation_set.spans.select_related("label")
        if s.actor_id is not None or s.label.kind == Label.Kind.ENTITY
    ]
    found: list[Suggestion] = []
    for name, actor in sorted(_actor_names(project).items(), key=lambda kv: -len(kv[0])):
        if not name.strip():
            continue
        pattern = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)")
        for match in pattern.finditer(body):
            start, end = match.span()
            overlaps = any(s < end and start < e for s, e in taken)
            overlaps = overlaps or any(x.start < end and start < x.end for x in found)
            if not overlaps:
                found.append(Suggestion(start, end, match.group(), actor))
    return sorted(found, key=lambda s: s.start)


def _suggestion_label(project: Project) -> Label | None:
    labels = list(project.labels.all())
    for label in labels:
        if label.name == "actor":
            return label
    entity = [label for label in labels if label.kind == Label.Kind.ENTITY]
    return (entity or labels or [None])[0]


@login_required
@require_GET
def suggestions(request: AuthenticatedHttpRequest, slug: str, set_id: int) -> HttpResponse:
    access, annotation_set = _edit_set(request, slug, set_id)
    context = project_context(
        access,
        annotation_set=annotation_set,
        suggestions=alias_suggestions(access.project, annotation_set),
        suggestion_label=_suggestion_label(access.project),
    )
    return render_page(request, TEMPLATE, context, partial="suggestions")


@login_required
@require_POST
@shows_refusals
def suggestions_accept(request: AuthenticatedHttpRequest, slug: str, set_id: int) -> HttpResponse:
    """Accept one or several suggestions: each "start-end-actor" must still be an occurrence of
    that actor's name or alias."""
    access, annotation_set = _edit_set(request, slug, set_id)
    label = _suggestion_label(access.project)
    if label is None:
        raise ValidationError("The project has no labels; a manager must add some first.")
    keys = request.POST.getlist("suggestion")
    if not keys:
        raise ValidationError("Choose at least one suggestion to accept.")
    names = _actor_names(access.project)
    body = annotation_set.article.body
    spans = []
    for key in keys:
        try:
            start, end, actor_id = (int(part) for part in key.split("-"))
        except ValueError:
            raise ValidationError(f"{key!r} is not a suggestion.") from None
        quote = body[start:end] if 0 <= start < end <= len(body) else None
        actor = names.get(quote) if quote else None
        if actor is None or actor.pk != actor_id:
            raise ValidationError(f"The text at {start}-{end} is not a name of that actor.")
        spans.append({"start": start, "end": end, "quote": quote, "label": label, "actor": actor})
    services.span_create_many(annotation_set=annotation_set, spans=spans, user=request.user)
    return _workspace(request, access, annotation_set)


# Claims


@login_required
@require_POST
@shows_refusals
def claim_create(request: AuthenticatedHttpRequest, slug: str, set_id: int) -> HttpResponse:
    access, annotation_set = _edit_set(request, slug, set_id)
    data = valid_or_raise(ClaimForm(request.POST, annotation_set=annotation_set))
    services.claim_create(annotation_set=annotation_set, user=request.user, **data)
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


# Threat assessment and submitting


@login_required
@require_POST
@shows_refusals
def threat_assessment_set(
    request: AuthenticatedHttpRequest, slug: str, set_id: int
) -> HttpResponse:
    access, annotation_set = _edit_set(request, slug, set_id)
    data = valid_or_raise(ThreatAssessmentForm(request.POST, annotation_set=annotation_set))
    services.threat_assessment_set(annotation_set=annotation_set, user=request.user, **data)
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
