"""The one place that gathers what an annotation set is offered: every suggester of the project
(the registry gazetteer, the live trained models, each imported prediction source) is asked for
the article, and their proposals are merged and filtered for the set.

A suggestion is never offered again once the set holds it (same characters and label) or its
annotator rejected it, never reaches into a region not to annotate, and a set chosen to have its
suggestions withheld is offered nothing. Accepting recomputes the suggestions and takes only
what is still offered (the page's word is not trusted), with each one's provenance.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

from annotations.learning import Proposal, Suggester, span_proposals, trained
from annotations.learning.gazetteer import NAME as GAZETTEER
from annotations.learning.gazetteer import Gazetteer
from annotations.learning.text import sentences
from annotations.models import (
    Actor,
    AnnotationSet,
    Article,
    ClaimType,
    Label,
    Prediction,
    PredictionSource,
    Project,
    RejectedSuggestion,
    ThreatLevel,
)

# How much of the sentence around a mention a suggestion shows on each side.
CONTEXT_CHARS = 70


class ImportedPredictions:
    """An imported prediction source as a suggester: its stored spans for the article."""

    def __init__(self, source: PredictionSource) -> None:
        self.source = source
        self.name = source.name
        self.version = source.version

    def suggest(self, article: Article) -> list[Proposal]:
        rows = Prediction.objects.filter(source=self.source, article=article).values_list(
            "start", "end", "label_id", "actor_id", "score"
        )
        return span_proposals(self, rows)


def suggesters_for(project: Project) -> list[Suggester]:
    """The project's suggesters: the registry gazetteer, its live trained models, and each
    imported prediction source."""
    found: list[Suggester] = [Gazetteer(project)]
    found += trained.live_suggesters(project)
    found += [ImportedPredictions(source) for source in project.prediction_sources.all()]
    return found


@dataclass
class Suggestion:
    """What the annotate page offers: one proposal, or several suggesters' proposals of the same
    thing merged (the best score kept, every source named)."""

    kind: str
    score: float
    provenance: dict[str, Any]
    sources: list[str] = field(default_factory=list)  # "spancat v3", best first
    start: int | None = None
    end: int | None = None
    quote: str = ""
    label: Label | None = None
    actor: Actor | None = None
    claim_type: ClaimType | None = None
    threat_level: ThreatLevel | None = None
    before: str = ""  # the sentence's text before the span, cut to CONTEXT_CHARS
    after: str = ""  # and after it

    @property
    def key(self) -> str:
        """How the page names the suggestion: "start-end-label-actor" (actor 0 for none) for a
        span, "claim-start-end-type" for a claim type, "threat-level" for a threat level."""
        if self.kind == "threat":
            return f"threat-{self.threat_level.pk if self.threat_level else 0}"
        if self.kind == "claim_type":
            return f"claim-{self.start}-{self.end}-{self.claim_type.pk if self.claim_type else 0}"
        actor_id = self.actor.pk if self.actor is not None else 0
        return f"{self.start}-{self.end}-{self.label.pk if self.label else 0}-{actor_id}"

    @property
    def source_text(self) -> str:
        """The score and who suggested it, as the page shows it: "0.87 · spancat v3"."""
        return f"{self.score:.2f} · {', '.join(self.sources)}"

    def span_fields(self) -> dict[str, Any]:
        """What span_create_many takes to create the span it proposes."""
        return {
            "start": self.start,
            "end": self.end,
            "quote": self.quote,
            "label": self.label,
            "actor": self.actor,
            "provenance": self.provenance,
        }


def _source_name(proposal: Proposal) -> str:
    """Who suggested it, in the annotator's words: "registry" for the actor registry (its
    version, a hash of the names, stays in the provenance); a model by name and version."""
    if proposal.suggester == GAZETTEER:
        return "registry"
    return f"{proposal.suggester} {proposal.version}".strip()


def _merged(proposals: Iterable[Proposal]) -> dict[tuple, list[Proposal]]:
    """The proposals grouped by what they propose, best score first in each group."""
    groups: dict[tuple, list[Proposal]] = {}
    for proposal in proposals:
        if proposal.kind == "span":
            what: tuple = ("span", proposal.start, proposal.end, proposal.label_id)
        elif proposal.kind == "claim_type":
            what = ("claim_type", proposal.start, proposal.end, proposal.claim_type_id)
        else:
            what = ("threat", proposal.threat_level_id)
        groups.setdefault(what, []).append(proposal)
    for group in groups.values():
        group.sort(key=lambda p: (-p.score, p.suggester, p.version))
    return groups


def proposals_for_set(
    annotation_set: AnnotationSet, suggesters: list[Suggester] | None = None
) -> list[Suggestion]:
    """What the set is offered, spans in text order, then claim types, then threat levels."""
    if annotation_set.suggestions_withheld:
        return []
    article = annotation_set.article
    if suggesters is None:
        suggesters = suggesters_for(article.project)
    proposals = [proposal for s in suggesters for proposal in s.suggest(article)]
    if not proposals:
        return []
    project = article.project
    body = article.body
    regions = article.regions_not_to_annotate()
    spans = list(annotation_set.spans.values_list("start", "end", "label_id", "actor_id"))
    labels = {label.pk: label for label in project.labels.all()}
    # An actor-linked or entity span covers its characters for the gazetteer's mentions.
    entity_labels = {pk for pk, label in labels.items() if label.kind == Label.Kind.ENTITY}
    named = [(s, e) for s, e, label_id, actor_id in spans if actor_id or label_id in entity_labels]
    held = {(s, e, label_id) for s, e, label_id, _ in spans}
    rejected_labels: set[tuple[int, int, int | None]] = set()
    rejected_actors: set[tuple[int, int, int | None]] = set()
    for s, e, label_id, actor_id in RejectedSuggestion.objects.filter(
        annotation_set=annotation_set
    ).values_list("start", "end", "label_id", "actor_id"):
        if label_id is not None:
            rejected_labels.add((s, e, label_id))
        else:
            rejected_actors.add((s, e, actor_id))
    has_claims = {(s, e) for s, e in annotation_set.claims.values_list("span__start", "span__end")}
    assessment_level = (
        annotation_set.threat_assessment.level_id
        if hasattr(annotation_set, "threat_assessment")
        else None
    )

    def overlaps(start: int, end: int, ranges: Iterable[tuple[int, int]]) -> bool:
        return any(s < end and start < e for s, e in ranges)

    kept: list[tuple[tuple, list[Proposal]]] = []
    for what, group in _merged(proposals).items():
        best = group[0]
        start, end = best.start or 0, best.end or 0
        if best.kind in ("span", "claim_type"):
            if not (0 <= start < end <= len(body)):
                continue
            if overlaps(start, end, regions):
                continue
        if best.kind == "span":
            if best.label_id not in labels or (start, end, best.label_id) in held:
                continue
            if (start, end, best.label_id) in rejected_labels:
                continue
            group_actor = next((p.actor_id for p in group if p.actor_id), None)
            if group_actor is not None and (
                (start, end, group_actor) in rejected_actors or overlaps(start, end, named)
            ):
                continue
        elif best.kind == "claim_type":
            if (start, end) in has_claims:
                continue
        elif best.threat_level_id == assessment_level:
            continue
        kept.append((what, group))
    return _resolved(project, body, kept, labels)


def _resolved(
    project: Project,
    body: str,
    kept: list[tuple[tuple, list[Proposal]]],
    labels: dict[int, Label],
) -> list[Suggestion]:
    """The kept proposals with their actor, claim type or level read (a query each, when
    there are any)."""
    actor_ids = {p.actor_id for _, group in kept for p in group if p.actor_id}
    actors = Actor.objects.in_bulk(actor_ids) if actor_ids else {}
    kinds = {group[0].kind for _, group in kept}
    types = {t.pk: t for t in project.claim_types.all()} if "claim_type" in kinds else {}
    levels = {level.pk: level for level in project.threat_levels.all()} if "threat" in kinds else {}
    bounds = sentences(body)
    found = []
    for _, group in kept:
        best = group[0]
        suggestion = Suggestion(
            kind=best.kind,
            score=best.score,
            provenance=best.provenance,
            sources=list(dict.fromkeys(_source_name(p) for p in group)),
            start=best.start,
            end=best.end,
        )
        if best.kind == "span":
            actor_id = next((p.actor_id for p in group if p.actor_id), None)
            suggestion.label = labels[best.label_id] if best.label_id else None
            suggestion.actor = actors.get(actor_id) if actor_id else None
            if actor_id and suggestion.actor is None:
                continue  # the actor is gone from the registry
            suggestion.quote = body[best.start : best.end]
            _in_context(body, bounds, suggestion)
        elif best.kind == "claim_type":
            suggestion.claim_type = types.get(best.claim_type_id or 0)
            if suggestion.claim_type is None:
                continue
            suggestion.quote = body[best.start : best.end]
        else:
            suggestion.threat_level = levels.get(best.threat_level_id or 0)
            if suggestion.threat_level is None:
                continue
        found.append(suggestion)
    order = {"span": 0, "claim_type": 1, "threat": 2}
    found.sort(key=lambda s: (order[s.kind], s.start or 0, s.end or 0, -s.score))
    return found


def _in_context(body: str, bounds: list[tuple[int, int]], suggestion: Suggestion) -> None:
    """Give the suggestion the text of its sentence around it (annotations.learning.text's
    sentences, `bounds`, in order), cut to CONTEXT_CHARS on each side."""
    start, end = suggestion.start or 0, suggestion.end or 0
    first = bisect_right(bounds, (start, len(body))) - 1  # the sentence the span starts in
    last = bisect_left(bounds, (end, 0))  # the first sentence starting at or after its end
    sentence_start = bounds[first][0] if first >= 0 else 0
    sentence_end = bounds[last - 1][1] if last > 0 else len(body)
    left = max(sentence_start, start - CONTEXT_CHARS)
    right = min(max(sentence_end, end), end + CONTEXT_CHARS)
    suggestion.before = ("…" if left > sentence_start else "") + body[left:start].lstrip()
    suggestion.after = body[end:right].rstrip() + ("…" if right < sentence_end else "")


def span_suggestions(suggestions: list[Suggestion]) -> list[Suggestion]:
    return [s for s in suggestions if s.kind == "span"]


def offered(annotation_set: AnnotationSet, keys: list[str]) -> list[Suggestion]:
    """The suggestions named by `keys`, each still offered to the set (recomputed here);
    ValidationError names the first that is not."""
    if not keys:
        raise ValidationError("Choose at least one suggestion.")
    by_key = {s.key: s for s in proposals_for_set(annotation_set)}
    chosen = []
    for key in keys:
        if key not in by_key:
            start, end, *_ = [*key.split("-"), "", ""]  # keys are start-end-label-actor
            where = (
                f"at characters {start}–{end}" if start.isdigit() and end.isdigit() else "chosen"
            )
            raise ValidationError(
                f"The suggestion {where} is not offered to this set, or no longer (accepted "
                "or rejected meanwhile, perhaps in another tab): open Suggestions again."
            )
        chosen.append(by_key[key])
    return chosen


def above(annotation_set: AnnotationSet, score: float | None) -> list[Suggestion]:
    """Every span suggestion offered to the set, with a score of at least `score` (all of
    them when None)."""
    spans = span_suggestions(proposals_for_set(annotation_set))
    return spans if score is None else [s for s in spans if s.score >= score]


def parse_score(text: str) -> float:
    """A threshold typed on the page, 0 to 1; ValidationError if it is not one."""
    try:
        score = float(text)
    except ValueError:
        raise ValidationError(f"{text!r} is not a score; give a number from 0 to 1.") from None
    if not 0 <= score <= 1:
        raise ValidationError(f"{text!r} is not a score; give a number from 0 to 1.")
    return score
