"""What the annotate page shows: its workspace (the article with its highlights, the spans, the
claims, the threat assessment) and the span editor, read in a fixed number of queries however
many spans the article has (tests/views/test_annotate_page.py counts them).

The views put the project and the user's roles beside these (views.common.project_context).
"""

from __future__ import annotations

from html import escape  # what django.utils.html.escape calls, minus its lazy-text check
from typing import Any

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django.db.models.expressions import Combinable

from annotations.access import ProjectAccess, may_create_actors
from annotations.annotate_html import (
    Options,
    ShownClaim,
    ShownSpan,
    article_body_html,
    claimant_span_options,
    segments_of,
    span_list_html,
)
from annotations.models import (
    Actor,
    ActorAlias,
    AnnotationSet,
    Credibility,
    Reliability,
    ThreatAssessment,
)

# How the annotate page reads a set: with what its header and threat panel show.
WORKSPACE_SET = ("article", "guideline_version", "threat_assessment__level")


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
    actor_rows = project.actors.all()
    if active_row is not None:
        actor_rows = actor_rows.annotate(is_named=_named_like(active_row[3].strip()))
    actors = list(actor_rows)
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
    context = {
        "annotation_set": annotation_set,
        "editable": annotation_set.is_editable and annotation_set.annotator_id == access.user.pk,
        "body_html": article_body_html(segments_of(annotation_set.article.body, spans)),
        "spans": spans,
        "span_list_html": span_list_html(project, annotation_set, spans),
        "claimant_span_options": claimant_span_options(spans),
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
        context.update(editor_context(active_span, actors))
    return context


def _named_like(name: str) -> ExpressionWrapper[Combinable]:
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


def editor_context(span: ShownSpan, actors: list[Actor]) -> dict[str, Any]:
    """The span editor's extras: actors named like the span's text (`actors` read with
    `_named_like`, which adds `is_named`), and the affiliation chain."""
    suggested = [actor for actor in actors if getattr(actor, "is_named", False)][:5]
    return {
        "suggested_actors": suggested,
        "named_ids": {actor.pk for actor in suggested},
        "actor_chain": span.actor.affiliation_chain() if span.actor is not None else [],
    }
