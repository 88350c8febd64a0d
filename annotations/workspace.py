"""What the annotate page shows: its workspace (the article with its highlights, the spans, the
claims, the threat assessment) and the span editor, read in a fixed number of queries however
many spans the article has (tests/views/test_annotate_page.py counts them).

The views put the project and the user's roles beside these (views.common.project_context).
"""

from __future__ import annotations

from html import escape  # what django.utils.html.escape calls, minus its lazy-text check
from typing import Any

from django.db.models import Exists, F, OuterRef

from annotations.access import ProjectAccess, may_create_actors
from annotations.actors import actor_key
from annotations.annotate_html import (
    Mark,
    Options,
    ShownClaim,
    ShownSpan,
    article_body_html,
    claimant_span_options,
    segments_of,
    span_list_html,
)
from annotations.learning import trained
from annotations.learning.gazetteer import suggestion_label
from annotations.learning.suggesters import Suggestion, proposals_for_set, span_suggestions
from annotations.models import (
    Actor,
    AnnotationSet,
    Credibility,
    Reliability,
    ThreatAssessment,
    TrainedModel,
)

# How many suggestions the panel lists at once (all of them are dashed in the text).
SUGGESTIONS_LISTED = 200

# How the annotate page reads a set: with what its header and threat panel show.
WORKSPACE_SET = ("article", "guideline_version", "threat_assessment__level")


def workspace_context(
    access: ProjectAccess,
    annotation_set: AnnotationSet,
    *,
    active_span_id: int | None = None,
    proposed: list[Suggestion] | None = None,
) -> dict[str, Any]:
    """Everything the annotate page shows, in a fixed number of queries however many spans.
    With the suggestions panel open, `proposed` is everything the suggesters propose
    (computed once by the caller): its spans are pending highlights and listed in the panel,
    its threat level and claim types go to their forms."""
    project = access.project
    suggestions = None if proposed is None else span_suggestions(proposed)
    context = spans_context(
        access, annotation_set, active_span_id=active_span_id, suggestions=suggestions
    )
    in_assessment = ThreatAssessment.claims.through.objects.filter(
        claim_id=OuterRef("pk"), threatassessment__annotation_set_id=annotation_set.pk
    )
    claims = list(
        annotation_set.claims.select_related("claim_type", "claimant", "span", "claimant_span")
        .prefetch_related("targets")
        .annotate(in_assessment=Exists(in_assessment))
        .order_by("pk")
    )
    actor_options: Options = context["actor_options"]
    shown_claims = [
        ShownClaim(
            claim,
            claimant=actor_options.html(claim.claimant_id),
            claimant_span=context["claimant_span_options"].html(claim.claimant_span_id),
            targets=actor_options.html({target.pk for target in claim.targets.all()}),
        )
        for claim in claims
    ]
    labels = context["labels"]
    active_span = context["active_span"]
    # Threat levels and claim types are proposed by the live trained models only (the span
    # model's proposals show only with the panel open); a claim type only for a chosen span.
    model_suggestions = proposed or []
    if proposed is None and context["editable"] and getattr(project, "has_live_models", True):
        kinds = [TrainedModel.Kind.THREAT]
        if active_span is not None:
            kinds.append(TrainedModel.Kind.CLAIM_TYPE)
        model_suggestions = proposals_for_set(
            annotation_set, trained.live_suggesters(project, kinds)
        )
    threat_suggestion = next((s for s in model_suggestions if s.kind == "threat"), None)
    claim_suggestion = next(
        (
            s
            for s in model_suggestions
            if s.kind == "claim_type"
            and active_span is not None
            and (s.start, s.end) == (active_span.start, active_span.end)
        ),
        None,
    )
    context.update(
        {
            "article": annotation_set.article,
            "claims": claims,
            "shown_claims": shown_claims,
            "hotkeys": [label for label in labels if label.hotkey],
            "levels": list(project.threat_levels.all()),
            "assessment": _assessment_of(annotation_set),
            "assessment_claim_ids": {claim.pk for claim in claims if claim.in_assessment},
            "label_css_version": "-".join(f"{label.pk}{label.colour[1:]}" for label in labels),
            "suggestions": suggestions,
            "threat_suggestion": threat_suggestion,
            "claim_suggestion": claim_suggestion,
            "suggestion_label": suggestion_label(project) if suggestions is not None else None,
            "suggestions_shown": f":{SUGGESTIONS_LISTED}",
            "suggestions_shown_count": SUGGESTIONS_LISTED,
        }
    )
    return context


def spans_context(
    access: ProjectAccess,
    annotation_set: AnnotationSet,
    *,
    active_span_id: int | None = None,
    suggestions: list[Suggestion] | None = None,
) -> dict[str, Any]:
    """What the text, the span list and the span editor show.

    The spans are read as plain rows (see ShownSpan); the project's labels and actors are read
    once and attached to them (and to each other, for affiliation chains)."""
    project = access.project
    rows = list(annotation_set.spans.order_by("start", "end", "pk").values_list(*ShownSpan.FIELDS))
    active_row = next((row for row in rows if row[0] == active_span_id), None)
    labels = list(project.labels.all())
    actor_rows = project.actors.all()
    if active_row is not None:
        # A row per actor and alias (one for an actor with none), so the editor can match the
        # span's text against every name by annotations.actors' rule without another query.
        actor_rows = actor_rows.annotate(alias_name=F("aliases__name"))
    actors_by_id: dict[int, Actor] = {}
    names: dict[int, list[str]] = {}
    for actor in actor_rows:
        actors_by_id.setdefault(actor.pk, actor)
        names.setdefault(actor.pk, [actor.name])
        alias = getattr(actor, "alias_name", None)
        if alias is not None:
            names[actor.pk].append(alias)
    actors = list(actors_by_id.values())
    labels_by_id = {label.pk: label for label in labels}
    for actor in actors:
        if actor.affiliation_id in actors_by_id:
            actor.affiliation = actors_by_id[actor.affiliation_id]
    spans = [
        ShownSpan(pk, start, end, quote, labels_by_id[label_id], actors_by_id.get(actor_id), note)
        for pk, start, end, quote, label_id, actor_id, note in rows
    ]
    active_span = next((span for span in spans if span.pk == active_span_id), None)
    regions = annotation_set.article.regions_not_to_annotate()
    marks = [Mark(start, end, "excluded", "Not to be annotated") for start, end in regions]
    marks += _pending_marks(suggestions or [])
    body = annotation_set.article.body
    claimant_spans = claimant_span_options(spans)
    context: dict[str, Any] = {
        "excluded_regions": regions,
        "annotation_set": annotation_set,
        "editable": annotation_set.is_editable and annotation_set.annotator_id == access.user.pk,
        "body_html": article_body_html(segments_of(body, spans, marks), marks),
        "spans": spans,
        "span_list_html": span_list_html(project, annotation_set, spans),
        "claimant_span_options": claimant_spans,
        "actor_options": Options([(actor.pk, escape(actor.name)) for actor in actors]),
        "labels": labels,
        "claim_types": list(project.claim_types.all()),
        "actors": actors,
        "active_span": active_span,
        "can_create_actors": may_create_actors(access),
        "actor_kinds": Actor.Kind.choices,
        "reliabilities": Reliability.choices,
        "credibilities": Credibility.choices,
    }
    if active_span is not None:
        key = actor_key(active_span.quote)
        named = [a for a in actors if key and any(actor_key(n) == key for n in names[a.pk])]
        context.update(editor_context(active_span, named))
        # The claim form starts with the likely claimant's span chosen (the claimant follows it).
        guess = claimant_span_guess(active_span, spans)
        context["claimant_guess"] = guess
        context["claim_claimant_span_options"] = claimant_spans.html(guess.pk if guess else None)
    return context


def _pending_title(suggestion: Suggestion) -> str:
    """What a pending highlight says of a suggestion: "actor → NATO (1.00 · gazetteer …)"."""
    what = suggestion.label.name if suggestion.label is not None else "span"
    if suggestion.actor is not None:
        what += f" → {suggestion.actor.name}"
    return f"{what} ({suggestion.source_text})"


def _pending_marks(suggestions: list[Suggestion]) -> list[Mark]:
    """The suggestions as pending highlights. Marks never overlap, so suggestions that do (two
    labels on one name, a model's span inside a registry mention) share one highlight over
    their union, which names them all (title) and carries all their keys."""
    marks: list[Mark] = []
    cluster: list[Suggestion] = []
    end = -1

    def close() -> None:
        if cluster:
            keys = " ".join(s.key for s in cluster)
            title = "Suggested: " + "; ".join(_pending_title(s) for s in cluster)
            marks.append(Mark(cluster[0].start or 0, end, "pending", title, key=keys))

    for suggestion in sorted(suggestions, key=lambda s: (s.start or 0, -(s.end or 0))):
        start = suggestion.start or 0
        if start >= end:
            close()
            cluster = []
        cluster.append(suggestion)
        end = max(end, suggestion.end or 0)
    close()
    return marks


def claimant_span_guess(stating: ShownSpan, spans: list[ShownSpan]) -> ShownSpan | None:
    """Whom a claim stated by `stating` likely comes from: the span's own actor if it is linked
    to one, else the nearest span linked to an actor (before it on a tie: "X said ...")."""
    if stating.actor is not None:
        return stating

    def distance(span: ShownSpan) -> tuple[int, int]:
        if span.end <= stating.start:
            return stating.start - span.end, 0
        if span.start >= stating.end:
            return span.start - stating.end, 1
        return 0, 0  # inside or overlapping the stating span

    linked = [span for span in spans if span.actor is not None]
    return min(linked, key=distance, default=None)


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


def editor_context(span: ShownSpan, named: list[Actor]) -> dict[str, Any]:
    """The span editor's extras: the actors `named` like the span's text (as
    ActorQuerySet.named matches them), and the affiliation chain."""
    suggested = [actor for actor in named if actor.pk != span.actor_id][:5]
    return {
        "suggested_actors": suggested,
        "named_ids": {actor.pk for actor in suggested},
        "actor_chain": span.actor.affiliation_chain() if span.actor is not None else [],
    }
