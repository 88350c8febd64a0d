"""Undo and redo of an annotator's own changes to their set (spans, actor links, claims, the
threat assessment), read from the history chain: each change is a step; undoing one applies
its `before` through the services (so the inverse change is checked and recorded like any
other), then appends a marker naming what was undone; redoing applies its `after`. A new
change after an undo drops what could be redone, as in any editor.

Steps are the user's history records for the set, grouped by the moment they were written (a
service writes its records at one moment: accepting many suggestions is one step).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby
from typing import Any

from django.db import transaction

from accounts.models import User
from annotations import history, services
from annotations.errors import Conflict
from annotations.models import AnnotationSet, Claim, HistoryRecord, Span, ThreatAssessment

UNDOABLE = ("span", "claim", "threat_assessment")
UNDO, REDO = "undo", "redo"


@dataclass
class Stacks:
    done: list[list[HistoryRecord]]  # what Undo takes back, last first
    undone: list[list[HistoryRecord]]  # what Redo brings back, last first


def stacks(annotation_set: AnnotationSet, user: User) -> Stacks:
    """The user's undo and redo stacks on the set, replayed from its history."""
    records = list(
        HistoryRecord.objects.filter(
            annotation_set_id=annotation_set.pk,
            user_id=user.pk,
            object_type__in=(*UNDOABLE, UNDO, REDO),
        ).order_by("sequence")
    )
    # The changes that carried an undo (or redo) out lie between the sequence its marker names
    # and the marker: they are not steps of their own.
    carried_out = [
        ((r.after or {}).get("since", r.sequence), r.sequence)
        for r in records
        if r.object_type in (UNDO, REDO)
    ]
    done: list[list[HistoryRecord]] = []
    undone: list[list[HistoryRecord]] = []
    for _, group in groupby(records, key=lambda r: r.created_at):
        step = [r for r in group if not any(a <= r.sequence < b for a, b in carried_out)]
        if not step:
            continue
        kind = step[0].object_type
        if kind in (UNDO, REDO):
            source, target = (done, undone) if kind == UNDO else (undone, done)
            if source:
                target.append(source.pop())
        else:
            done.append(step)
            undone.clear()
    return Stacks(done, undone)


def describe(step: list[HistoryRecord]) -> str:
    """A step in words, for the buttons and messages: "create span", "3 changes"."""
    if len(step) > 1:
        return f"{len(step)} changes"
    record = step[0]
    return f"{record.get_action_display().lower()} {record.object_type.replace('_', ' ')}"


@transaction.atomic
def undo(*, annotation_set: AnnotationSet, user: User) -> str:
    """Take back the user's last change to the set; return what was undone, in words."""
    _lock(annotation_set)
    step = _last(stacks(annotation_set, user).done, "Nothing to undo.")
    since = _next_sequence(annotation_set)
    for record in reversed(step):
        _apply(annotation_set, record, record.before, user)
    _mark(annotation_set, user, UNDO, step, since)
    return describe(step)


@transaction.atomic
def redo(*, annotation_set: AnnotationSet, user: User) -> str:
    """Bring back the change the user last undid; return what was redone, in words."""
    _lock(annotation_set)
    step = _last(stacks(annotation_set, user).undone, "Nothing to redo.")
    since = _next_sequence(annotation_set)
    for record in step:
        _apply(annotation_set, record, record.after, user)
    _mark(annotation_set, user, REDO, step, since)
    return describe(step)


def _lock(annotation_set: AnnotationSet) -> None:
    """Lock the set before reading its stacks: an Undo sent twice (two tabs, a key held down)
    reads them after the first one's changes, and takes back the step before it, not the same
    step again."""
    services.lock_sets(AnnotationSet.objects.filter(pk=annotation_set.pk)).get()


def _last(stack: list[list[HistoryRecord]], empty: str) -> list[HistoryRecord]:
    if not stack:
        raise Conflict(empty)
    return stack[-1]


def _next_sequence(annotation_set: AnnotationSet) -> int:
    """The project's chain's next sequence number: the changes an undo makes come after it."""
    last = (
        HistoryRecord.objects.filter(project_id=annotation_set.article.project_id)
        .order_by("-sequence")
        .values_list("sequence", flat=True)
        .first()
    )
    return (last or 0) + 1


def _mark(
    annotation_set: AnnotationSet, user: User, kind: str, step: list[HistoryRecord], since: int
) -> None:
    """The marker of an undo (or redo): which records it took back, and from which sequence
    on the changes that did it lie."""
    history.record(
        user=user,
        action=HistoryRecord.Action.UPDATE,
        annotation_set=annotation_set,
        object_type=kind,
        object_id=step[-1].pk,
        after={"sequences": [record.sequence for record in step], "since": since},
    )


def _apply(annotation_set: AnnotationSet, record: HistoryRecord, state: Any, user: User) -> None:
    """Bring the record's object to `state` (a snapshot, or None: not there) through the
    services."""
    project = annotation_set.article.project
    object_id = record.object_id or 0
    if record.object_type == "span":
        span = Span.objects.filter(annotation_set=annotation_set, pk=object_id).first()
        if state is None:
            if span is not None:
                services.span_delete(span=span, user=user)
            return
        label = project.labels.get(pk=state["label_id"])
        actor = project.actors.filter(pk=state["actor_id"]).first() if state["actor_id"] else None
        if span is None:
            services.span_create(
                annotation_set=annotation_set,
                start=state["start"],
                end=state["end"],
                quote=state["quote"],
                label=label,
                actor=actor,
                note=state["note"],
                provenance=state.get("provenance"),
                user=user,
                pk=object_id,
            )
        else:
            services.span_update(span=span, label=label, actor=actor, note=state["note"], user=user)
    elif record.object_type == "claim":
        claim = Claim.objects.filter(annotation_set=annotation_set, pk=object_id).first()
        if state is None:
            if claim is not None:
                services.claim_delete(claim=claim, user=user)
            return
        fields = {
            "claim_type": project.claim_types.get(pk=state["claim_type_id"]),
            "claimant": project.actors.filter(pk=state["claimant_id"]).first(),
            "claimant_span": annotation_set.spans.filter(pk=state["claimant_span_id"]).first(),
            "targets": list(project.actors.filter(name__in=state["targets"])),
            "reliability": state["reliability"],
            "credibility": state["credibility"],
            "note": state["note"],
        }
        if claim is None:
            span = annotation_set.spans.filter(pk=state["span_id"]).first()
            if span is None:
                raise Conflict("The claim's span is gone; undo its deletion first.")
            services.claim_create(
                annotation_set=annotation_set,
                span=span,
                provenance=state.get("provenance"),
                user=user,
                pk=object_id,
                **fields,
            )
        else:
            services.claim_update(claim=claim, user=user, **fields)
    elif record.object_type == "threat_assessment":
        if state is None:
            if ThreatAssessment.objects.filter(annotation_set=annotation_set).exists():
                services.threat_assessment_delete(annotation_set=annotation_set, user=user)
            return
        services.threat_assessment_set(
            annotation_set=annotation_set,
            level=project.threat_levels.get(pk=state["level_id"]),
            rationale=state["rationale"],
            claims=list(annotation_set.claims.filter(pk__in=state["claim_ids"])),
            provenance=state.get("provenance"),
            user=user,
        )
