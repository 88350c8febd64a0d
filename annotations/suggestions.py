"""Alias suggestions on the annotate page: a span proposed for every mention of a name or alias
in the actor registry that no span covers yet, and the check that accepted ones are still that.
A mention matches a name by the one rule of annotations.actors (case and spacing aside)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

from annotations.actors import actor_key, actors_by_key
from annotations.models import Actor, AnnotationSet, Label, Project, RejectedSuggestion

# How much of the sentence around a mention a suggestion shows on each side.
CONTEXT_CHARS = 70


@dataclass
class Suggestion:
    start: int
    end: int
    quote: str
    actor: Actor
    before: str = ""  # the sentence's text before the mention, cut to CONTEXT_CHARS
    after: str = ""  # and after it

    @property
    def key(self) -> str:
        """How the page names the suggestion when accepting it: "start-end-actor"."""
        return f"{self.start}-{self.end}-{self.actor.pk}"


_SENTENCE_END = re.compile(r"[.!?。！？\n]")


def _in_context(body: str, suggestion: Suggestion) -> Suggestion:
    """The suggestion with the text of its sentence around it."""
    start, end = suggestion.start, suggestion.end
    left = max(0, start - CONTEXT_CHARS)
    ends_before = list(_SENTENCE_END.finditer(body, left, start))
    sentence_start = ends_before[-1].end() if ends_before else left
    after_end = _SENTENCE_END.search(body, end, end + CONTEXT_CHARS)
    sentence_end = after_end.end() if after_end else min(len(body), end + CONTEXT_CHARS)
    before = body[sentence_start:start].lstrip()
    after = body[end:sentence_end].rstrip()
    suggestion.before = ("…" if sentence_start == left and left > 0 else "") + before
    suggestion.after = after + ("…" if after_end is None and sentence_end < len(body) else "")
    return suggestion


def _blocked(annotation_set: AnnotationSet) -> list[tuple[int, int]]:
    """Where no suggestion goes: the article's regions not to annotate."""
    return annotation_set.article.regions_not_to_annotate()


def _folded(text: str) -> tuple[str, Sequence[int]]:
    """`text` case-folded, and for each folded character the offset in `text` of the character
    it comes from (folding may lengthen a character: "ß" becomes "ss")."""
    folded = text.casefold()
    if len(folded) == len(text):  # every character folded to one: the offsets are the same
        return folded, range(len(text))
    parts: list[str] = []
    origin: list[int] = []
    for offset, char in enumerate(text):
        parts.append(char.casefold())
        origin.extend([offset] * len(parts[-1]))
    return "".join(parts), origin


def alias_suggestions(project: Project, annotation_set: AnnotationSet) -> list[Suggestion]:
    """A span for every occurrence of a registry name or alias (by its actor_key, so in any case
    and spacing) that no actor-linked span covers yet, outside the regions not to annotate and
    not rejected in this set; longer names win where occurrences overlap. Each comes with its
    sentence."""
    body = annotation_set.article.body
    folded, origin = _folded(body)
    taken = [
        (s.start, s.end)
        for s in annotation_set.spans.select_related("label")
        if s.actor_id is not None or s.label.kind == Label.Kind.ENTITY
    ] + _blocked(annotation_set)
    rejected = set(
        RejectedSuggestion.objects.filter(annotation_set=annotation_set).values_list(
            "start", "end", "actor_id"
        )
    )
    # Which characters are spoken for (by a span, a region, or a suggestion found already).
    covered = bytearray(len(body))
    for start, end in taken:
        covered[start:end] = b"\x01" * (end - start)
    found: list[Suggestion] = []
    for key, actor in sorted(actors_by_key(project).items(), key=lambda kv: -len(kv[0])):
        words = r"\s+".join(re.escape(word) for word in key.split(" "))
        for match in re.finditer(rf"(?<!\w){words}(?!\w)", folded):
            start, end = origin[match.start()], origin[match.end() - 1] + 1
            if actor_key(body[start:end]) != key:
                continue  # the match starts or ends inside a folded character
            if 1 not in covered[start:end]:
                covered[start:end] = b"\x01" * (end - start)
                found.append(Suggestion(start, end, body[start:end], actor))
    found = [s for s in found if (s.start, s.end, s.actor.pk) not in rejected]
    return [_in_context(body, s) for s in sorted(found, key=lambda s: s.start)]


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
    an occurrence of a name or alias that annotations.actors' rule gives to that actor.
    ValidationError names the first that is not."""
    label = suggestion_label(project)
    if label is None:
        raise ValidationError("The project has no labels; a manager must add some first.")
    if not keys:
        raise ValidationError("Choose at least one suggestion to accept.")
    by_key = actors_by_key(project)
    body = annotation_set.article.body
    spans = []
    for key in keys:
        start, end, actor_id = parse_key(key)
        quote = body[start:end] if 0 <= start < end <= len(body) else None
        actor = by_key.get(actor_key(quote)) if quote and quote == quote.strip() else None
        if actor is None or actor.pk != actor_id:
            raise ValidationError(f"The text at {start}-{end} is not a name of that actor.")
        spans.append({"start": start, "end": end, "quote": quote, "label": label, "actor": actor})
    return spans


def parse_key(key: str) -> tuple[int, int, int]:
    """A suggestion's key ("start-end-actor") as numbers; ValidationError if it is not one."""
    try:
        start, end, actor_id = (int(part) for part in key.split("-"))
    except ValueError:
        raise ValidationError(f"{key!r} is not a suggestion.") from None
    return start, end, actor_id


def all_spans(project: Project, annotation_set: AnnotationSet) -> list[dict[str, Any]]:
    """The spans to create when every remaining suggestion is accepted, recomputed here rather
    than sent by the page (thousands of them would not fit in a request)."""
    label = suggestion_label(project)
    if label is None:
        raise ValidationError("The project has no labels; a manager must add some first.")
    return [
        {"start": s.start, "end": s.end, "quote": s.quote, "label": label, "actor": s.actor}
        for s in alias_suggestions(project, annotation_set)
    ]
