"""The append-only, signed hash chain of every change to annotations and every state change.

Each project has one chain: records numbered 1, 2, 3... with a unique (project, sequence), each
carrying the hash of the record before it and its own hash: an HMAC-SHA256 over its content and
that link, with a key from HISTORY_KEYS (annotations.history_keys), which lives outside the
database. Writers lock the project's row while appending, so concurrent writers queue up instead
of forking the chain (and the unique constraint refuses a fork should anything bypass the lock).

Changing or deleting a record breaks a link; recomputing the chain after an edit needs the key.
Cutting the newest records off leaves a chain that links up, so the head is anchored outside the
database too (annotations.anchors: checkpoints every HISTORY_CHECKPOINT_EVERY records, release
cards), and `verify` (`manage.py verify_history`) compares the chain with every anchor. What this
detects and what it cannot: docs/history.md.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from annotations import anchors, history_keys
from annotations.models import (
    AnnotationSet,
    Claim,
    HistoryRecord,
    Project,
    Span,
    ThreatAssessment,
)

GENESIS = anchors.GENESIS


def snapshot(obj) -> dict[str, Any] | None:
    """What a span, claim, threat assessment or annotation set looks like now, as plain JSON."""
    if obj is None:
        return None
    if isinstance(obj, Span):
        return _with_provenance(
            obj,
            {
                "start": obj.start,
                "end": obj.end,
                "quote": obj.quote,
                "label": obj.label.name if obj.label_id else None,
                "label_id": obj.label_id,
                "actor": obj.actor.name if obj.actor is not None else None,
                "actor_id": obj.actor_id,
                "note": obj.note,
            },
        )
    if isinstance(obj, Claim):
        return _with_provenance(
            obj,
            {
                "span_id": obj.span_id,
                "claim_type": obj.claim_type.name,
                "claim_type_id": obj.claim_type_id,
                "claimant": obj.claimant.name if obj.claimant is not None else None,
                "claimant_id": obj.claimant_id,
                "claimant_span_id": obj.claimant_span_id,
                "targets": sorted(obj.targets.values_list("name", flat=True)) if obj.pk else [],
                "reliability": obj.reliability,
                "credibility": obj.credibility,
                "note": obj.note,
            },
        )
    if isinstance(obj, ThreatAssessment):
        return _with_provenance(
            obj,
            {
                "level": obj.level.name,
                "level_id": obj.level_id,
                "rationale": obj.rationale,
                "claim_ids": sorted(obj.claims.values_list("pk", flat=True)) if obj.pk else [],
            },
        )
    if isinstance(obj, AnnotationSet):
        return {"status": obj.status, "version": obj.version}
    raise TypeError(f"No snapshot for {type(obj).__name__}.")


def _with_provenance(obj: Span | Claim | ThreatAssessment, data: dict[str, Any]) -> dict[str, Any]:
    """A snapshot with the accepted suggestion the row came from, when it came from one."""
    if obj.provenance:
        data["provenance"] = obj.provenance
    return data


def object_type_of(obj) -> str:
    return {
        Span: "span",
        Claim: "claim",
        ThreatAssessment: "threat_assessment",
        AnnotationSet: "annotation_set",
    }.get(type(obj), type(obj).__name__.lower())


@dataclass
class Entry:
    """One change to append: what happened to which object, and what it was before and after."""

    action: str
    object_type: str
    object_id: int | None = None
    article_id: int | None = None
    annotation_set_id: int | None = None
    before: Any = None
    after: Any = None


def set_created(annotation_set: AnnotationSet, annotator: str, **extra: Any) -> Entry:
    """The entry of a new annotation set: its status and annotator (username), and `extra`."""
    return Entry(
        action=HistoryRecord.Action.CREATE,
        object_type="annotation_set",
        object_id=annotation_set.pk,
        article_id=annotation_set.article_id,
        annotation_set_id=annotation_set.pk,
        after={"status": annotation_set.status, "annotator": annotator, **extra},
    )


def _content(record: HistoryRecord) -> bytes:
    """The canonical text a record's signature covers: its fields, its key id and the previous
    hash. (annotations/migrations/0005 holds a copy: change both or neither.)"""
    return json.dumps(
        {
            "project": record.project_id,
            "sequence": record.sequence,
            "article": record.article_id,
            "annotation_set": record.annotation_set_id,
            "user": record.user_id,
            "username": record.username,
            "created_at": record.created_at.isoformat(),
            "action": record.action,
            "object_type": record.object_type,
            "object_id": record.object_id,
            "before": record.before,
            "after": record.after,
            "previous_hash": record.previous_hash,
            "key_id": record.key_id,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
    ).encode("ascii")


def hash_of(record: HistoryRecord) -> str:
    """The record's signature with the key its key id names (UnknownKey if not held)."""
    return history_keys.sign("record", _content(record), key_id=record.key_id)


def _plain(value):
    """Round-trip through JSON so the stored value and the hashed value are the same."""
    return None if value is None else json.loads(json.dumps(value, default=str))


@transaction.atomic(savepoint=False)  # a failed append fails the caller's whole transaction
def record_many(
    *, project: Project | int, user: User | None, entries: Iterable[Entry]
) -> list[HistoryRecord]:
    """Append `entries` to the project's chain, in order, as one user at one moment. Call it
    as late in a transaction as you can: the project's row stays locked until the commit."""
    entries = list(entries)
    if not entries:
        return []
    project_id = project if isinstance(project, int) else project.pk
    # The project's row is the chain's lock: one appender at a time per project, taken last
    # (the lock order in annotations.services). NO KEY UPDATE leaves rows that merely
    # reference the project (their foreign-key checks take KEY SHARE) free to be written.
    Project.objects.select_for_update(no_key=True).filter(pk=project_id).values_list("pk").get()
    last = (
        HistoryRecord.objects.filter(project_id=project_id)
        .order_by("-sequence")
        .values_list("sequence", "hash")
        .first()
    )
    sequence, previous_hash = last if last else (0, GENESIS)
    first_sequence = sequence
    key_id = history_keys.signing_key_id()
    now = timezone.now()
    user_id, username = None, ""
    if user is not None and user.is_authenticated:
        user_id, username = user.pk, user.get_username()
    records = []
    for entry in entries:
        sequence += 1
        record = HistoryRecord(
            project_id=project_id,
            sequence=sequence,
            article_id=entry.article_id,
            annotation_set_id=entry.annotation_set_id,
            user_id=user_id,
            username=username,
            created_at=now,
            action=entry.action,
            object_type=entry.object_type,
            object_id=entry.object_id,
            before=_plain(entry.before),
            after=_plain(entry.after),
            previous_hash=previous_hash,
            key_id=key_id,
        )
        record.hash = hash_of(record)
        previous_hash = record.hash
        records.append(record)
    created = HistoryRecord.objects.bulk_create(records)
    every = settings.HISTORY_CHECKPOINT_EVERY
    if every > 0 and sequence // every > first_sequence // every:
        anchors.checkpoint_on_commit(project_id, reason=f"every {every} records")
    return created


def entry(
    *,
    action: str,
    obj=None,
    annotation_set: AnnotationSet | None = None,
    before=None,
    after=None,
    object_type: str | None = None,
    object_id: int | None = None,
) -> Entry:
    """One change in `annotation_set` (by default `obj`'s), to append with `record_many`.

    `obj` is the span, claim, threat assessment or set that changed (it names the record's
    object); `before` and `after` are snapshots (see `snapshot`), None for what did not exist.
    """
    annotation_set = _set_of(obj, annotation_set)
    return Entry(
        action=action,
        object_type=object_type or object_type_of(obj if obj is not None else annotation_set),
        object_id=object_id if object_id is not None else getattr(obj, "pk", None),
        article_id=annotation_set.article_id,
        annotation_set_id=annotation_set.pk,
        before=before,
        after=after,
    )


def _set_of(obj, annotation_set: AnnotationSet | None) -> AnnotationSet:
    if annotation_set is not None:
        return annotation_set
    return obj if isinstance(obj, AnnotationSet) else obj.annotation_set


def record(*, user: User | None, **change: Any) -> HistoryRecord:
    """Append one change (the arguments of `entry`) to the history of its set's project."""
    annotation_set = _set_of(change.get("obj"), change.get("annotation_set"))
    project_id = annotation_set.article.project_id
    return record_many(project=project_id, user=user, entries=[entry(**change)])[0]


def transition_entry(
    annotation_set: AnnotationSet, *, before: str, after: str, **extra: Any
) -> Entry:
    """A state change of a set (`before` and `after` are statuses)."""
    return entry(
        action=HistoryRecord.Action.TRANSITION,
        obj=annotation_set,
        before={"status": before},
        after={"status": after, **extra},
    )


@dataclass
class Break:
    """The first thing wrong with a project's history; `sequence` orders the findings, and
    `at_record` says whether the problem is that record's or the chain's as a whole."""

    project: str
    sequence: int
    problem: str
    at_record: bool = True

    def __str__(self) -> str:
        if self.at_record:
            return f"project {self.project}, record #{self.sequence}: {self.problem}"
        return f"project {self.project}: {self.problem}"


def verify(
    *,
    project_id: int | None = None,
    chunk: int = 2000,
    extra_anchors: Iterable[anchors.Anchor] = (),
) -> list[Break]:
    """Check each project's chain, record by record, and against every anchor of its head
    (in storage, and `extra_anchors` from elsewhere); return the first break of each project.

    A project is checked if it has history, annotation sets or anchors: one with annotation
    sets or anchors but no history has lost it."""
    project = Project.objects.get(pk=project_id) if project_id is not None else None
    found: dict[int | None, list[anchors.Anchor]] = defaultdict(list)
    for anchor in [*anchors.stored_anchors(project), *extra_anchors]:
        if project is None or anchor.project_id in (project.pk, None):
            found[anchor.project_id].append(anchor)
    if project is not None:
        project_ids = {project.pk}
    else:
        project_ids = {
            *HistoryRecord.objects.values_list("project_id", flat=True).distinct(),
            *AnnotationSet.objects.values_list("article__project_id", flat=True).distinct(),
            *(pid for pid in found if pid is not None),
        }
    slugs = dict(Project.objects.filter(pk__in=project_ids).values_list("pk", "slug"))
    breaks = []
    for pid in sorted(project_ids):
        label = slugs.get(pid) or _slug_in(found[pid]) or f"#{pid}"
        if pid not in slugs:
            anchor = found[pid][0]
            problem = (
                f"{anchor.where} recorded #{anchor.sequence}, but the project no longer "
                "exists: it was deleted with its history"
            )
            breaks.append(Break(label, 0, problem, at_record=False))
            continue
        first = _verify_project(pid, label, found[pid], chunk)
        if first is not None:
            breaks.append(first)
    for anchor in found[None]:  # unreadable, and no project to file it under
        breaks.append(Break(anchor.project_slug, 0, f"{anchor.where}: {anchor.problem}", False))
    return breaks


def _slug_in(found: list[anchors.Anchor]) -> str | None:
    return next((a.project_slug for a in found if a.problem is None), None)


def _verify_project(
    project_id: int, label: str, found: list[anchors.Anchor], chunk: int
) -> Break | None:
    wanted = {anchor.sequence for anchor in found if anchor.problem is None}
    first, head, hashes = _verify_chain(project_id, label, wanted, chunk)
    findings = [first] if first is not None else []
    for anchor in found:
        if anchor.problem is not None:
            problem = f"{anchor.where}: {anchor.problem}"
            findings.append(Break(label, anchor.sequence, problem, at_record=False))
        elif anchor.sequence > head:
            ends = f"the chain ends at #{head}" if head else "there is no history at all"
            problem = f"{ends} but {anchor.where} recorded #{anchor.sequence}: records were deleted"
            findings.append(Break(label, head + 1, problem, at_record=False))
        elif anchor.sequence and hashes.get(anchor.sequence) != anchor.hash:
            problem = f"its hash is not the one {anchor.where} recorded: the chain was rewritten"
            findings.append(Break(label, anchor.sequence, problem))
    if head == 0:
        sets = AnnotationSet.objects.filter(article__project_id=project_id).count()
        if sets:
            problem = (
                f"it has {sets} annotation set(s) but no history: its history was deleted "
                "(or never written)"
            )
            findings.append(Break(label, 1, problem, at_record=False))
    return min(findings, key=lambda found: found.sequence, default=None)


def _verify_chain(
    project_id: int, label: str, wanted: set[int], chunk: int
) -> tuple[Break | None, int, dict[int, str]]:
    """Walk the chain: its first broken link, its last sequence and the hashes of `wanted`."""
    first: Break | None = None
    expected_sequence, previous_hash = 1, GENESIS
    hashes: dict[int, str] = {}
    records = HistoryRecord.objects.filter(project_id=project_id).order_by("sequence")
    for record_ in records.iterator(chunk_size=chunk):
        if record_.sequence in wanted:
            hashes[record_.sequence] = record_.hash
        if first is None:
            first = _check(record_, label, expected_sequence, previous_hash)
        expected_sequence, previous_hash = record_.sequence + 1, record_.hash
    return first, expected_sequence - 1, hashes


def _check(
    record_: HistoryRecord, label: str, expected_sequence: int, previous_hash: str
) -> Break | None:
    if record_.sequence != expected_sequence:
        return Break(
            label,
            expected_sequence,
            f"missing (the chain jumps to #{record_.sequence}): a record was deleted",
        )
    if record_.previous_hash != previous_hash:
        return Break(label, record_.sequence, "its link does not match the record before it")
    if not record_.key_id:
        return Break(
            label,
            record_.sequence,
            "it is not signed with a history key (written before the history was signed and "
            "left unsigned because the chain was already broken then, or altered since: "
            "see docs/history.md)",
        )
    try:
        signed = history_keys.is_signed(
            "record", _content(record_), key_id=record_.key_id, signature=record_.hash
        )
    except history_keys.UnknownKey as unknown:
        return Break(
            label,
            record_.sequence,
            f"{unknown} (a key removed from HISTORY_KEYS too early, or a forged record)",
        )
    if not signed:
        return Break(
            label,
            record_.sequence,
            "its content does not match its hash (edited, or re-hashed without the key)",
        )
    return None


def for_article(article_id: int):
    return HistoryRecord.objects.filter(article_id=article_id).order_by("sequence")
