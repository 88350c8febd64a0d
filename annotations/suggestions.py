"""Alias suggestions on the annotate page: a span proposed for every mention of a name or alias
in the actor registry that no span covers yet, and the check that accepted ones are still that."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

from annotations.models import Actor, AnnotationSet, Label, Project


@dataclass
class Suggestion:
    start: int
    end: int
    quote: str
    actor: Actor

    @property
    def key(self) -> str:
        """How the page names the suggestion when accepting it: "start-end-actor"."""
        return f"{self.start}-{self.end}-{self.actor.pk}"


def actor_names(project: Project) -> dict[str, Actor]:
    """Every canonical name and alias in the project's registry, and whose it is."""
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
    for name, actor in sorted(actor_names(project).items(), key=lambda kv: -len(kv[0])):
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


def suggestion_label(project: Project) -> Label | None:
    """The label accepted suggestions get: "actor", else the first entity label, else any."""
    labels = list(project.labels.all())
    for label in labels:
        if label.name == "actor":
            return label
    candidates = [label for label in labels if label.kind == Label.Kind.ENTITY] or labels
    return candidates[0] if candidates else None


def accepted_spans(
    project: Project, annotation_set: AnnotationSet, keys: list[str]
) -> list[dict[str, Any]]:
    """The spans to create for accepted suggestions (their `Suggestion.key`s): each must still be
    an occurrence of that actor's name or alias. ValidationError names the first that is not."""
    label = suggestion_label(project)
    if label is None:
        raise ValidationError("The project has no labels; a manager must add some first.")
    if not keys:
        raise ValidationError("Choose at least one suggestion to accept.")
    names = actor_names(project)
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
    return spans
