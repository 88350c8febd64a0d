"""The append-only, signed hash chain of every change to annotations and every state change.

Each project has one chain: records numbered 1, 2, 3... with a unique (project, sequence), each
carrying the hash of the record before it and its own hash: an HMAC-SHA256 over its content and
that link, with a key from HISTORY_KEYS (annotations.history_keys), which lives outside the
database. Writers lock the project's row while appending, so concurrent writers queue up instead
of forking the chain (and the unique constraint refuses a fork should anything bypass the lock).

Changing or deleting a record breaks a link, which `verify` (and `manage.py verify_history`)
reports; recomputing the chain after an edit needs the key.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from annotations import history_keys
from annotations.models import (
    AnnotationSet,
    Claim,
    HistoryRecord,
    Project,
    Span,
    ThreatAssessment,
)

GENESIS = "0" * 64


def snapshot(obj) -> dict[str, Any] | None:
    """What a span, claim, threat assessment or annotation set looks like now, as plain JSON."""
    if obj is None:
        return None
    if isinstance(obj, Span):
        return {
            "start": obj.start,
            "end": obj.end,
            "quote": obj.quote,
            "label": obj.label.name if obj.label_id else None,
            "label_id": obj.label_id,
            "actor": obj.actor.name if obj.actor is not None else None,
            "actor_id": obj.actor_id,
            "note": obj.note,
        }
    if isinstance(obj, Claim):
        return {
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
        }
    if isinstance(obj, ThreatAssessment):
        return {
            "level": obj.level.name,
            "level_id": obj.level_id,
            "rationale": obj.rationale,
            "claim_ids": sorted(obj.claims.values_list("pk", flat=True)) if obj.pk else [],
        }
    if isinstance(obj, AnnotationSet):
        return {"status": obj.status, "version": obj.version}
    raise TypeError(f"No snapshot for {type(obj).__name__}.")


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


@transaction.atomic
def record_many(
    *, project: Project | int, user: User | None, entries: Iterable[Entry]
) -> list[HistoryRecord]:
    """Append `entries` to the project's chain, in order, as one user at one moment."""
    entries = list(entries)
    if not entries:
        return []
    project_id = project if isinstance(project, int) else project.pk
    # The project's row is the chain's lock: one appender at a time per project. NO KEY
    # UPDATE leaves rows that merely reference the project (their foreign-key checks take
    # KEY SHARE) free to be written meanwhile.
    Project.objects.select_for_update(no_key=True).filter(pk=project_id).values_list("pk").get()
    last = (
        HistoryRecord.objects.filter(project_id=project_id)
        .order_by("-sequence")
        .values_list("sequence", "hash")
        .first()
    )
    sequence, previous_hash = last if last else (0, GENESIS)
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
    return HistoryRecord.objects.bulk_create(records)


def record(
    *,
    user: User | None,
    action: str,
    obj=None,
    annotation_set: AnnotationSet | None = None,
    before=None,
    after=None,
    object_type: str | None = None,
    object_id: int | None = None,
) -> HistoryRecord:
    """Append one change to the history of `annotation_set`'s project.

    `obj` is the span, claim, threat assessment or set that changed (it names the record's
    object); `before` and `after` are snapshots (see `snapshot`), None for what did not exist.
    """
    if annotation_set is None:
        annotation_set = obj if isinstance(obj, AnnotationSet) else obj.annotation_set
    article = annotation_set.article
    entry = Entry(
        action=action,
        object_type=object_type or object_type_of(obj if obj is not None else annotation_set),
        object_id=object_id if object_id is not None else getattr(obj, "pk", None),
        article_id=article.pk,
        annotation_set_id=annotation_set.pk,
        before=before,
        after=after,
    )
    return record_many(project=article.project_id, user=user, entries=[entry])[0]


def transition(
    *, annotation_set: AnnotationSet, user: User | None, before: str, after: str, **extra
) -> HistoryRecord:
    """Record a state change of a set (`before` and `after` are statuses)."""
    return record(
        user=user,
        action=HistoryRecord.Action.TRANSITION,
        obj=annotation_set,
        before={"status": before},
        after={"status": after, **extra},
    )


@dataclass
class Break:
    project: str
    sequence: int
    problem: str

    def __str__(self) -> str:
        return f"project {self.project}, record #{self.sequence}: {self.problem}"


def verify(*, project_id: int | None = None, chunk: int = 2000) -> list[Break]:
    """Walk each project's chain; return the first broken link of each broken chain."""
    projects = HistoryRecord.objects.order_by("project_id").values_list("project_id", flat=True)
    if project_id is not None:
        projects = projects.filter(project_id=project_id)
    slugs = dict(Project.objects.values_list("pk", "slug"))
    breaks = []
    for pid in projects.distinct():
        found = _verify_chain(pid, slugs[pid], chunk)
        if found is not None:
            breaks.append(found)
    return breaks


def _verify_chain(project_id: int, label: str, chunk: int) -> Break | None:
    expected_sequence, previous_hash = 1, GENESIS
    records = HistoryRecord.objects.filter(project_id=project_id).order_by("sequence")
    for record_ in records.iterator(chunk_size=chunk):
        found = _check(record_, label, expected_sequence, previous_hash)
        if found is not None:
            return found
        expected_sequence, previous_hash = record_.sequence + 1, record_.hash
    return None


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
