"""Writes that touch several models. Views, the API and commands all call these.

A gold set changes only through adjudication decisions: the annotating services refuse it
(PermissionDenied) unless annotations.adjudication writes it, inside `adjudicating(gold)`.

Lock order. On PostgreSQL writers lock rows (SQLite has one write lock per transaction and
ignores these), and every writer in annotations/ takes them in one order, so that no two can
wait for each other (a "deadlock detected" error, HTTP 500):

1. articles, through `lock_articles`, by whoever gives an article another annotator (opening
   it from the queue or the page, assigning it): one at a time per article, so that two cannot
   both take its last free place;
2. annotation sets, through `lock_sets` (several in id order; an adjudication locks the
   annotators' sets before the gold set, whose id may be higher or lower);
   `assignment_withdraw` alone takes FOR UPDATE, as it deletes the set;
3. rows inside a locked set (a span or claim being changed), and KEY SHARE on the labels and
   actors that spans written refer to (`lock_vocabulary`: Span's references are not foreign
   keys in the database; deleting a label looks for its spans again after its row, waiting
   for those locks, is deleted: `vocabulary_item_delete`);
4. last, the project's row: the history chain's lock (`history.record_many`), held until the
   commit, so writers append their history as late as they can (the annotating services below
   as their last statement, in one batch).

The agreement task (annotations.agreement.refresh_article) takes the article (1), then the
project's `ProjectAgreement` row, the lock under which every agreement row and running total of
the project is written (it locks nothing after it; the interval task takes that row alone).

All of them FOR NO KEY UPDATE (FOR UPDATE only to delete): a foreign-key check takes KEY SHARE
on the row it refers to (PostgreSQL checks Django's deferred constraints at the commit), which
NO KEY UPDATE does not block. A transaction that takes the project's row first (importing,
numbering a release, a new guidelines version) locks no other row after it except the ones it
created and KEY SHARE on the labels and actors of its spans (its first batch takes them
before the project's row). KEY SHARE conflicts only with deleting a label or actor, or
changing its name (a key column: it is unique in the project), and those wait for nothing
else; they do wait, though, for the writers holding it, an import for its whole length.
Nothing else is locked: rows only read or referred to (users, claim types, threat levels)
never are. (Issue 16: span creation locked the article with its set, FOR UPDATE, then waited
for the project, whose opener needed that article's KEY SHARE at its commit: "deadlock
detected".)
"""

from __future__ import annotations

import enum
import random
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Final

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import ProtectedError, QuerySet
from django.utils import timezone

from accounts.models import User
from annotations import history, tasks
from annotations.access import GOLD_REFUSED, check_may_manage_quality
from annotations.errors import Conflict
from annotations.locking import own_rows_locked
from annotations.models import (
    Actor,
    ActorAlias,
    AnnotationSet,
    Article,
    Claim,
    ClaimType,
    Credibility,
    GuidelineVersion,
    HistoryRecord,
    Label,
    Prediction,
    PredictionSource,
    Project,
    RejectedSuggestion,
    Reliability,
    Span,
    ThreatAssessment,
    ThreatLevel,
    validate_span,
)

if TYPE_CHECKING:
    from annotations.learning.imported import PredictionFile

DEFAULT_LABELS = [
    # name, kind, colour, hotkey
    ("actor", Label.Kind.ENTITY, "#64b5f6", "a"),
    ("location", Label.Kind.ENTITY, "#81c784", "l"),
    ("claim", Label.Kind.CLAIM, "#ffb74d", "c"),
    ("military force", Label.Kind.ENTITY, "#e57373", "m"),
    ("event", Label.Kind.OTHER, "#ba68c8", "e"),
    ("weapon system", Label.Kind.ENTITY, "#a1887f", "w"),
    ("date", Label.Kind.OTHER, "#90a4ae", "d"),
]
DEFAULT_CLAIM_TYPES = [
    "warning",
    "accusation",
    "denial",
    "threat",
    "statement of support",
    "casualty report",
    "other",
]
DEFAULT_THREAT_SCALE = [
    ("low", "No sign of escalation."),
    ("moderate", "Rhetoric or posturing without concrete steps."),
    ("substantial", "Concrete steps that make escalation plausible."),
    ("severe", "Escalation is likely."),
    ("critical", "Escalation is under way or imminent."),
]


@transaction.atomic
def project_add_defaults(*, project: Project) -> None:
    """Give a project the default label set, claim types and threat scale it lacks."""
    for position, (name, kind, colour, hotkey) in enumerate(DEFAULT_LABELS):
        Label.objects.get_or_create(
            project=project,
            name=name,
            defaults={"kind": kind, "colour": colour, "hotkey": hotkey, "position": position},
        )
    for position, name in enumerate(DEFAULT_CLAIM_TYPES):
        ClaimType.objects.get_or_create(project=project, name=name, defaults={"position": position})
    if not project.threat_levels.exists():
        ThreatLevel.objects.bulk_create(
            ThreatLevel(project=project, rank=rank, name=name, description=description)
            for rank, (name, description) in enumerate(DEFAULT_THREAT_SCALE)
        )


@transaction.atomic
def vocabulary_item_delete(*, item: Label | Actor | ClaimType | ThreatLevel) -> None:
    """Delete a label, actor, claim type or threat level that nothing uses; ProtectedError
    (nothing deleted) if something does.

    A label or actor is looked for in spans again once its row is deleted: Span's references
    are no foreign keys in the database, and deleting the row waited for any writer holding KEY
    SHARE on it (`lock_vocabulary`), whose span Django's PROTECT, looking before, could not
    see."""
    pk = item.pk
    item.delete()
    if isinstance(item, Label | Actor):
        field = "label_id" if isinstance(item, Label) else "actor_id"
        written = list(Span.objects.filter(**{field: pk}))
        if written:
            raise ProtectedError(
                f"{item} was given to a span meanwhile; it cannot be deleted.", set(written)
            )


@transaction.atomic
def guidelines_update(*, project: Project, text: str, user: User | None = None) -> GuidelineVersion:
    """Record a new version of the project's guidelines (unchanged text adds no version)."""
    project = Project.objects.select_for_update(no_key=True).get(pk=project.pk)
    current = project.current_guideline()
    if current is not None and current.text == text:
        return current
    number = (current.number + 1) if current else 1
    return GuidelineVersion.objects.create(
        project=project, number=number, text=text, created_by=user
    )


# Annotation sets: creating one, and every change of its status.


class ArticleBusy(Conflict):
    """Another annotator is opening the article at this moment (`annotation_set_open`)."""


# Drawing which annotators' sets get no suggestions (Project.withhold_rate). The operating
# system's randomness: nobody, a manager included, can predict or steer the draw, and the draw
# itself is kept (AnnotationSet.suggestions_withheld, and the rate in the set's creation
# record), so nothing needs to be replayed. Tests put a seeded random.Random here.
WITHHOLD_RANDOM: random.Random = random.SystemRandom()


def suggestions_withheld_draw(project: Project) -> bool:
    """Whether a new annotator's set in the project gets no suggestions: true with probability
    `project.withhold_rate` (never at 0, always at 1)."""
    rate = project.withhold_rate
    if rate <= 0:
        return False
    return rate >= 1 or WITHHOLD_RANDOM.random() < rate


def withheld_recorded(annotation_set: AnnotationSet, rate: float) -> dict[str, object]:
    """What a new annotator's set records of the draw in its creation entry: the outcome and
    the rate it was drawn at (a comparison of sets with and without suggestions takes only
    sets drawn at a rate strictly between 0 and 1: annotations.learning.effect)."""
    return {"suggestions_withheld": annotation_set.suggestions_withheld, "withhold_rate": rate}


def annotation_set_create(
    *, article: Article, annotator: User | None, user: User, is_control: bool = False
) -> AnnotationSet:
    """A new, empty set of `annotator` on `article` (assigned), or the article's gold set when
    `annotator` is None, recorded in the history. An annotator's set (a control attempt too)
    gets no suggestions with the probability `withhold_rate` of the project (as the caller read
    it), drawn here. The callers check, in their transaction, who may create it and whether the
    article takes another annotator."""
    project = article.project
    annotation_set = AnnotationSet.objects.create(
        article=article,
        annotator=annotator,
        is_gold=annotator is None,
        is_control=is_control,
        guideline_version=project.current_guideline(),
        suggestions_withheld=annotator is not None and suggestions_withheld_draw(project),
    )
    after: dict[str, object] = {"status": annotation_set.status}
    if annotator is None:
        after["gold"] = True
    else:
        after["annotator"] = annotator.get_username()
        after.update(withheld_recorded(annotation_set, project.withhold_rate))
    history.record(user=user, action="create", obj=annotation_set, after=after)
    return annotation_set


def _move(
    annotation_set: AnnotationSet, *, to: str, update_fields: Iterable[str] = (), **extra: Any
) -> history.Entry:
    """Move the set to the status `to` and save it; the move's history entry, to append."""
    before = annotation_set.status
    if not annotation_set.may_move_to(to):
        raise Conflict(
            f"This annotation set is {annotation_set.status_name}; it cannot become "
            f"{AnnotationSet.Status(to).label.lower()}."
        )
    fields = ["status", "version", "updated_at", *update_fields]
    annotation_set.status = to
    annotation_set.version += 1
    if to == AnnotationSet.Status.SUBMITTED:
        annotation_set.submitted_at = timezone.now()
        fields.append("submitted_at")
    annotation_set.save(update_fields=fields)
    handed_in = AnnotationSet.HANDED_IN
    if (before in handed_in) != (to in handed_in) or annotation_set.is_adjudicated:
        # Handed in, sent back, or gold approved: agreement and scores change.
        tasks.quality_changed(annotation_set.article_id)
    if annotation_set.is_adjudicated:  # new gold: the learning loop may train again
        tasks.gold_approved(annotation_set.article.project_id)
    return history.transition_entry(annotation_set, before=before, after=to, **extra)


def annotation_set_transition(
    annotation_set: AnnotationSet,
    *,
    to: str,
    user: User | None,
    update_fields: Iterable[str] = (),
    **extra: Any,
) -> AnnotationSet:
    """Move the set (locked by the caller) to the status `to`, if AnnotationSet.TRANSITIONS
    allows it: bump its version, save it (with `update_fields` the caller changed too) and
    record the move in the history (`extra` goes into the record's "after")."""
    moved = _move(annotation_set, to=to, update_fields=update_fields, **extra)
    _append(annotation_set, user, moved)
    return annotation_set


def _append(annotation_set: AnnotationSet, user: User | None, *entries: history.Entry) -> None:
    """Append a change's history entries, in one batch, as the last thing its transaction
    does: the project's row is the chain's lock, held until the commit (lock order, above)."""
    history.record_many(project=annotation_set.article.project_id, user=user, entries=entries)


# Annotating: spans, claims and threat assessments in one annotation set.

# The gold sets an adjudication decision (or a restore from an export) is writing in this
# context, if any.
_adjudicated_gold: ContextVar[frozenset[int]] = ContextVar("adjudicated_gold", default=frozenset())


@contextmanager
def adjudicating(*golds: AnnotationSet) -> Iterator[None]:
    """The write half of an adjudication decision: inside the block, the annotating services
    below may write the gold sets `golds` (one for a decision; several when gold sets are
    restored from an export), validated and recorded in the history as any write. Only
    annotations.adjudication enters it, after checking the reviewer and locking the gold set."""
    token = _adjudicated_gold.set(frozenset(gold.pk for gold in golds))
    try:
        yield
    finally:
        _adjudicated_gold.reset(token)


def lock_articles(articles: QuerySet[Article], *, skip_locked: bool = False) -> list[int]:
    """Lock `articles` (step 1 of the lock order above), in id order; their ids (with
    skip_locked, only those no other transaction holds: the others are left out at once)."""
    return list(own_rows_locked(articles, skip_locked=skip_locked).values_list("pk", flat=True))


def lock_sets(sets: QuerySet[AnnotationSet]) -> QuerySet[AnnotationSet]:
    """`sets` locked for this transaction (step 2 of the lock order above), their rows alone,
    FOR NO KEY UPDATE (their ids do not change, so rows referring to them stay free to be
    written), in id order."""
    return own_rows_locked(sets)


DELETED_MEANWHILE = "deleted_meanwhile"  # the code of lock_vocabulary's ValidationError


def lock_vocabulary(label_ids: Iterable[int], actor_ids: Iterable[int | None] = ()) -> None:
    """KEY SHARE on the labels and actors that spans about to be written refer to (step 3 of the
    lock order above), as a foreign-key check would take it, for the whole of them in one
    query: a label or actor cannot be deleted until this transaction ends, and it sees its spans
    then (Span's references are kept by its writers, not by the database). ValidationError if
    one is gone already."""
    labels = sorted(set(label_ids))
    actors = sorted({pk for pk in actor_ids if pk is not None})
    lock = " FOR KEY SHARE" if connection.vendor == "postgresql" else ""  # SQLite: one writer

    def locked(model: type[Label | Actor], ids: list[int]) -> str:
        table = connection.ops.quote_name(model._meta.db_table)
        listed = ", ".join(["%s"] * len(ids)) or "NULL"
        return f"SELECT id FROM {table} WHERE id IN ({listed}) ORDER BY id{lock}"

    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH labels AS ({locked(Label, labels)}), actors AS ({locked(Actor, actors)}) "
            "SELECT (SELECT count(*) FROM labels), (SELECT count(*) FROM actors)",
            [*labels, *actors],
        )
        found_labels, found_actors = cursor.fetchone()
    if found_labels != len(labels) or found_actors != len(actors):
        gone = "label" if found_labels != len(labels) else "actor"
        raise ValidationError(f"The {gone} was deleted meanwhile.", code=DELETED_MEANWHILE)


def _lock_for_edit(annotation_set: AnnotationSet) -> AnnotationSet:
    """Lock the set's row for this transaction and check it may still change (a gold set only
    inside `adjudicating`)."""
    locked = lock_sets(
        AnnotationSet.objects.select_related("article").filter(pk=annotation_set.pk)
    ).get()
    if locked.is_gold and locked.pk not in _adjudicated_gold.get():
        raise PermissionDenied(GOLD_REFUSED)
    if not locked.is_editable:
        raise Conflict(f"This annotation set is {locked.status_name} and can no longer be changed.")
    return locked


def _relocked[M: (Span, Claim)](obj: M) -> M:
    """`obj` read again and locked (step 3), once its set is locked: another request may have
    changed or deleted it since it was read (two tabs, or a request sent twice)."""
    found = own_rows_locked(type(obj).objects.filter(pk=obj.pk)).first()
    if found is None:
        name = type(obj).__name__.lower()
        raise Conflict(
            f"This {name} was deleted meanwhile (in another tab, or by a request sent twice)."
        )
    return found


def _touch(annotation_set: AnnotationSet) -> list[history.Entry]:
    """Save a change to the content of an editable set (locked by `_lock_for_edit`): bump its
    version; the first edit (assigned, or sent back) starts the work, whose history entry it
    returns, to append after the change's own."""
    fields = []
    if annotation_set.guideline_version_id is None:
        annotation_set.guideline_version = annotation_set.article.project.current_guideline()
        fields.append("guideline_version")
    if annotation_set.status != AnnotationSet.Status.IN_PROGRESS:
        return [_move(annotation_set, to=AnnotationSet.Status.IN_PROGRESS, update_fields=fields)]
    annotation_set.version += 1
    annotation_set.save(update_fields=["version", "updated_at", *fields])
    return []


def _check_project(
    project_id: int, *objects: Label | Actor | ClaimType | ThreatLevel | None
) -> None:
    for obj in objects:
        if obj is not None and obj.project_id != project_id:
            raise ValidationError(
                f"The {type(obj).__name__.lower()} {obj} belongs to another project."
            )


@transaction.atomic
def span_create(
    *,
    annotation_set: AnnotationSet,
    start: int,
    end: int,
    quote: str,
    label: Label,
    actor: Actor | None = None,
    note: str = "",
    provenance: dict[str, Any] | None = None,
    user: User | None = None,
    pk: int | None = None,
) -> Span:
    """A new span (`provenance`: the accepted suggestion it came from, if any); `pk` only to
    bring back a deleted span under its old id (annotations.undo)."""
    annotation_set = _lock_for_edit(annotation_set)
    validate_span(annotation_set.article, start, end, quote, label=label, actor=actor)
    check_not_labelled_twice(annotation_set, start=start, end=end, label=label)
    check_not_excluded(annotation_set.article, start=start, end=end)
    lock_vocabulary([label.pk], [actor.pk if actor else None])
    span = Span.objects.create(
        pk=pk,
        annotation_set=annotation_set,
        start=start,
        end=end,
        quote=quote,
        label=label,
        actor=actor,
        note=note,
        provenance=provenance,
    )
    created = history.entry(action="create", obj=span, after=history.snapshot(span))
    _append(annotation_set, user, created, *_touch(annotation_set))
    return span


def check_not_labelled_twice(
    annotation_set: AnnotationSet, *, start: int, end: int, label: Label
) -> None:
    """Refuse a second span with the same label on the same characters of a set."""
    if annotation_set.spans.filter(start=start, end=end, label=label).exists():
        raise ValidationError(
            f"Characters {start}–{end} are already labelled {label.name!r} in this set."
        )


def check_not_excluded(article: Article, *, start: int, end: int) -> None:
    """Refuse a span that reaches into a region of the article not to be annotated."""
    region = article.region_not_to_annotate_at(start, end)
    if region is not None:
        raise ValidationError(
            f"Characters {region[0]}–{region[1]} of this article are marked as not to be "
            "annotated; choose text outside them."
        )


class _Unchanged(enum.Enum):
    # The default of a field a caller leaves as it is (None is a value: "no actor").
    UNCHANGED = enum.auto()


_UNCHANGED: Final = _Unchanged.UNCHANGED


@transaction.atomic
def span_update(
    *,
    span: Span,
    label: Label | _Unchanged = _UNCHANGED,
    actor: Actor | None | _Unchanged = _UNCHANGED,
    note: str | _Unchanged = _UNCHANGED,
    user: User | None = None,
) -> Span:
    """Relabel a span, link it to an actor (or None), or change its note."""
    annotation_set = _lock_for_edit(span.annotation_set)
    span = _relocked(span)
    before = history.snapshot(span)
    project_id = annotation_set.article.project_id
    if label is not _UNCHANGED:
        _check_project(project_id, label)
        if label.pk != span.label_id:
            check_not_labelled_twice(annotation_set, start=span.start, end=span.end, label=label)
        span.label = label
    if actor is not _UNCHANGED:
        _check_project(project_id, actor)
        span.actor = actor
    if note is not _UNCHANGED:
        span.note = note
    after = history.snapshot(span)
    if after == before:
        return span  # nothing to write, nor to record
    if label is not _UNCHANGED or actor is not _UNCHANGED:
        lock_vocabulary([span.label_id], [span.actor_id])
    span.save()
    updated = history.entry(action="update", obj=span, before=before, after=after)
    _append(annotation_set, user, updated, *_touch(annotation_set))
    return span


@transaction.atomic
def span_delete(*, span: Span, user: User | None = None) -> None:
    annotation_set = _lock_for_edit(span.annotation_set)
    span = _relocked(span)
    stated = Claim.objects.filter(span=span).count()
    if stated:
        raise Conflict(f"This span states {stated} claim(s); delete the claim(s) before the span.")
    deleted = history.entry(action="delete", obj=span, before=history.snapshot(span))
    span.delete()
    _append(annotation_set, user, deleted, *_touch(annotation_set))


def _check_claim_fields(
    annotation_set: AnnotationSet,
    *,
    span: Span,
    claim_type: ClaimType,
    claimant: Actor | None,
    claimant_span: Span | None,
    targets: Iterable[Actor],
    reliability: str,
    credibility: int | None,
) -> None:
    project_id = annotation_set.article.project_id
    if span.annotation_set_id != annotation_set.pk:
        raise ValidationError("The claim's span must be in the same annotation set.")
    if claimant_span is not None and claimant_span.annotation_set_id != annotation_set.pk:
        raise ValidationError("The claimant's span must be in the same annotation set.")
    _check_project(project_id, claim_type, claimant, *targets)
    if reliability not in {"", *Reliability.values}:
        raise ValidationError(
            f"Source reliability must be one of {Reliability.as_range()}, not {reliability!r}."
        )
    if credibility is not None and credibility not in Credibility.values:
        raise ValidationError(
            f"Information credibility must be {Credibility.as_range()}, not {credibility!r}."
        )


@transaction.atomic
def claim_create(
    *,
    annotation_set: AnnotationSet,
    span: Span,
    claim_type: ClaimType,
    claimant: Actor | None = None,
    claimant_span: Span | None = None,
    targets: Iterable[Actor] = (),
    reliability: str = "",
    credibility: int | None = None,
    note: str = "",
    provenance: dict[str, Any] | None = None,
    user: User | None = None,
    pk: int | None = None,
) -> Claim:
    """A claim stated by `span`. The claimant is an actor, or a span linked to one;
    `provenance` is the accepted suggestion of its type, if any. (`pk` only to bring back a
    deleted claim under its old id: annotations.undo.)"""
    annotation_set = _lock_for_edit(annotation_set)
    span = _relocked(span)
    claimant_span = _relocked(claimant_span) if claimant_span is not None else None
    targets = list(targets)
    if claimant is None and claimant_span is not None:
        claimant = claimant_span.actor
    _check_claim_fields(
        annotation_set,
        span=span,
        claim_type=claim_type,
        claimant=claimant,
        claimant_span=claimant_span,
        targets=targets,
        reliability=reliability,
        credibility=credibility,
    )
    claim = Claim.objects.create(
        pk=pk,
        annotation_set=annotation_set,
        span=span,
        claim_type=claim_type,
        claimant=claimant,
        claimant_span=claimant_span,
        reliability=reliability,
        credibility=credibility,
        note=note,
        provenance=provenance,
    )
    claim.targets.set(targets)
    created = history.entry(action="create", obj=claim, after=history.snapshot(claim))
    _append(annotation_set, user, created, *_touch(annotation_set))
    return claim


@transaction.atomic
def claim_update(*, claim: Claim, user: User | None = None, **changes: Any) -> Claim:
    """Change any of: claim_type, claimant, claimant_span, targets, reliability, credibility,
    note."""
    allowed = {
        "claim_type",
        "claimant",
        "claimant_span",
        "targets",
        "reliability",
        "credibility",
        "note",
    }
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(f"Cannot change {', '.join(sorted(unknown))} on a claim.")
    annotation_set = _lock_for_edit(claim.annotation_set)
    claim = _relocked(claim)
    if changes.get("claimant_span") is not None:
        changes["claimant_span"] = _relocked(changes["claimant_span"])
    before = history.snapshot(claim)
    current_targets = list(claim.targets.all())
    targets = list(changes.pop("targets", current_targets))
    for name, value in changes.items():
        setattr(claim, name, value)
    _check_claim_fields(
        annotation_set,
        span=claim.span,
        claim_type=claim.claim_type,
        claimant=claim.claimant,
        claimant_span=claim.claimant_span,
        targets=targets,
        reliability=claim.reliability,
        credibility=claim.credibility,
    )
    same_targets = {t.pk for t in targets} == {t.pk for t in current_targets}
    if same_targets and history.snapshot(claim) == before:
        return claim  # nothing to write, nor to record
    claim.save()
    claim.targets.set(targets)
    updated = history.entry(
        action="update", obj=claim, before=before, after=history.snapshot(claim)
    )
    _append(annotation_set, user, updated, *_touch(annotation_set))
    return claim


@transaction.atomic
def claim_delete(*, claim: Claim, user: User | None = None) -> None:
    annotation_set = _lock_for_edit(claim.annotation_set)
    claim = _relocked(claim)
    deleted = history.entry(action="delete", obj=claim, before=history.snapshot(claim))
    claim.delete()
    _append(annotation_set, user, deleted, *_touch(annotation_set))


@transaction.atomic
def threat_assessment_set(
    *,
    annotation_set: AnnotationSet,
    level: ThreatLevel,
    rationale: str = "",
    claims: Iterable[Claim] = (),
    provenance: dict[str, Any] | None = None,
    user: User | None = None,
) -> ThreatAssessment:
    """Create or replace the set's threat assessment (`provenance`: the accepted suggestion of
    its level, if it came from one)."""
    annotation_set = _lock_for_edit(annotation_set)
    claims = [_relocked(claim) for claim in claims]
    _check_project(annotation_set.article.project_id, level)
    if any(claim.annotation_set_id != annotation_set.pk for claim in claims):
        raise ValidationError("A threat assessment can rest only on claims in the same set.")
    existing = ThreatAssessment.objects.filter(annotation_set=annotation_set).first()
    before = history.snapshot(existing)
    assessment, _ = ThreatAssessment.objects.update_or_create(
        annotation_set=annotation_set,
        defaults={"level": level, "rationale": rationale, "provenance": provenance},
    )
    assessment.claims.set(claims)
    changed = history.entry(
        action="update" if existing else "create",
        obj=assessment,
        before=before,
        after=history.snapshot(assessment),
    )
    _append(annotation_set, user, changed, *_touch(annotation_set))
    return assessment


@transaction.atomic
def threat_assessment_delete(*, annotation_set: AnnotationSet, user: User | None = None) -> None:
    annotation_set = _lock_for_edit(annotation_set)
    existing = ThreatAssessment.objects.filter(annotation_set=annotation_set).first()
    entries = []
    if existing is not None:
        entries.append(
            history.entry(action="delete", obj=existing, before=history.snapshot(existing))
        )
    ThreatAssessment.objects.filter(annotation_set=annotation_set).delete()
    _append(annotation_set, user, *entries, *_touch(annotation_set))


@transaction.atomic
def annotation_set_submit(
    *, annotation_set: AnnotationSet, user: User | None = None
) -> AnnotationSet:
    """Hand the set in for review; it is locked from then on."""
    annotation_set = _lock_for_edit(annotation_set)
    if annotation_set.is_gold:
        raise Conflict("A gold set is approved through adjudication, not submitted.")
    if user is not None and annotation_set.annotator_id != user.pk:
        raise PermissionDenied("Only the set's annotator may submit it.")
    entries = []
    if annotation_set.status != AnnotationSet.Status.IN_PROGRESS:
        entries = _touch(annotation_set)  # assigned or sent back: the work starts, then ends
    entries.append(_move(annotation_set, to=AnnotationSet.Status.SUBMITTED))
    _append(annotation_set, user, *entries)
    return annotation_set


@transaction.atomic
def span_create_many(
    *, annotation_set: AnnotationSet, spans: Iterable[dict[str, Any]], user: User | None = None
) -> list[Span]:
    """Create several spans (accepted suggestions, with their `provenance`) all or none: each
    checked as span_create checks one, and refused if the set rejected that suggestion (its
    label on its characters) meanwhile; written together, one history record each, one version
    bump."""
    annotation_set = _lock_for_edit(annotation_set)
    article = annotation_set.article
    taken = set(annotation_set.spans.values_list("start", "end", "label_id"))
    rejected = set(annotation_set.rejected_suggestions.values_list("start", "end", "label_id"))
    new = []
    for fields in spans:
        span = Span(annotation_set=annotation_set, **fields)
        validate_span(article, span.start, span.end, span.quote, label=span.label, actor=span.actor)
        check_not_excluded(article, start=span.start, end=span.end)
        if (span.start, span.end, span.label_id) in rejected:
            raise Conflict(
                f"The suggestion {span.quote!r} at {span.start}–{span.end} was rejected "
                "meanwhile (in another tab, or by a key pressed just before)."
            )
        if (span.start, span.end, span.label_id) in taken:
            check_not_labelled_twice(
                annotation_set, start=span.start, end=span.end, label=span.label
            )
            raise ValidationError(  # twice in this very batch
                f"Characters {span.start}–{span.end} are given the label {span.label.name!r} twice."
            )
        taken.add((span.start, span.end, span.label_id))
        new.append(span)
    if not new:
        return []
    lock_vocabulary([span.label_id for span in new], [span.actor_id for span in new])
    created = Span.objects.bulk_create(new)
    entries = [
        history.Entry(
            action="create",
            object_type="span",
            object_id=span.pk,
            article_id=article.pk,
            annotation_set_id=annotation_set.pk,
            after=history.snapshot(span),
        )
        for span in created
    ]
    _append(annotation_set, user, *entries, *_touch(annotation_set))
    return created


# Suggestions rejected, and regions not to annotate.


@transaction.atomic
def suggestion_reject(
    *,
    annotation_set: AnnotationSet,
    start: int,
    end: int,
    label: Label,
    actor: Actor | None = None,
    suggester: str = "",
    user: User | None = None,
) -> RejectedSuggestion:
    """Remember that the set's annotator does not want this suggestion (the label on these
    characters, and the actor for a registry mention): it is not offered again in this set, and
    the next training takes it as negative evidence. Refused when the set holds that span
    (accepted meanwhile)."""
    annotation_set = _lock_for_edit(annotation_set)
    _check_project(annotation_set.article.project_id, label, actor)
    if annotation_set.spans.filter(start=start, end=end, label=label).exists():
        raise Conflict(
            f"Characters {start}–{end} are already labelled {label.name!r} in this set (the "
            "suggestion was accepted meanwhile); delete that span to take it back."
        )
    rejected, created = RejectedSuggestion.objects.get_or_create(
        annotation_set=annotation_set,
        start=start,
        end=end,
        label=label,
        actor=actor,
        defaults={"suggester": suggester},
    )
    if created:
        after = {
            "start": start,
            "end": end,
            "label": label.name,
            "label_id": label.pk,
            "actor": actor.name if actor is not None else None,
            "actor_id": actor.pk if actor is not None else None,
            "suggester": suggester,
        }
        history.record(
            user=user,
            action="create",
            annotation_set=annotation_set,
            object_type="rejected_suggestion",
            object_id=rejected.pk,
            after=after,
        )
    return rejected


def _regions_changed(
    article: Article, user: User | None, before: list[list[int]], after: list[list[int]]
) -> None:
    article.not_to_annotate = after
    article.save(update_fields=["not_to_annotate"])
    entry = history.Entry(
        action="update",
        object_type="article_not_to_annotate",
        object_id=article.pk,
        article_id=article.pk,
        before=before,
        after=after,
    )
    history.record_many(project=article.project_id, user=user, entries=[entry])


@transaction.atomic
def region_not_to_annotate_add(
    *, article: Article, start: int, end: int, user: User | None = None
) -> None:
    """Mark characters [start, end) of the article as not to be annotated (a manager's call):
    new spans and suggestions keep out of them; spans already there stay for review."""
    article = Article.objects.select_for_update().get(pk=article.pk)
    if not (0 <= start < end <= len(article.body)):
        raise ValidationError(f"{start}–{end} is not a stretch of this article's text.")
    if article.region_not_to_annotate_at(start, end) is not None:
        raise ValidationError("That text overlaps a region already marked as not to annotate.")
    before = [list(region) for region in article.regions_not_to_annotate()]
    _regions_changed(article, user, before, sorted([*before, [start, end]]))


@transaction.atomic
def region_not_to_annotate_remove(
    *, article: Article, start: int, user: User | None = None
) -> None:
    """Let the region starting at `start` be annotated again."""
    article = Article.objects.select_for_update().get(pk=article.pk)
    before = [list(region) for region in article.regions_not_to_annotate()]
    after = [region for region in before if region[0] != start]
    if after == before:
        raise ValidationError(f"No region not to annotate starts at {start}.")
    _regions_changed(article, user, before, after)


# Imported predictions (annotations.learning.imported checks the file).


@transaction.atomic
def prediction_source_import(
    *, project: Project, checked: PredictionFile, user: User | None = None
) -> PredictionSource:
    """Store a checked predictions file as a new prediction source of the project, all of it
    or nothing; ValidationError if the project has a source of that name and version."""
    if PredictionSource.objects.filter(
        project=project, name=checked.name, version=checked.version
    ).exists():
        raise ValidationError(
            f"The project has predictions from {checked.name} {checked.version} already; "
            "delete them first or give another version."
        )
    source = PredictionSource.objects.create(
        project=project,
        name=checked.name,
        version=checked.version,
        sha256=checked.sha256,
        created_by=user,
    )
    for prediction in checked.predictions:
        prediction.source = source
    Prediction.objects.bulk_create(checked.predictions, batch_size=5000)
    after = {
        "name": source.name,
        "version": source.version,
        "sha256": source.sha256,
        "predictions": len(checked.predictions),
        "articles": checked.articles,
    }
    entry = history.Entry(
        action="create", object_type="prediction_source", object_id=source.pk, after=after
    )
    history.record_many(project=project, user=user, entries=[entry])
    return source


@transaction.atomic
def prediction_source_delete(*, source: PredictionSource, user: User | None = None) -> None:
    """Delete an imported prediction source and its predictions: they are suggested no more
    (what was accepted from them stays, with its provenance)."""
    before = {"name": source.name, "version": source.version, "sha256": source.sha256}
    entry = history.Entry(
        action="delete", object_type="prediction_source", object_id=source.pk, before=before
    )
    project_id = source.project_id
    source.delete()
    history.record_many(project=project_id, user=user, entries=[entry])


# The actor registry.


def _alias_names(aliases: Iterable[str], canonical: str) -> list[str]:
    names: list[str] = []
    for alias in aliases:
        alias = alias.strip()
        if alias and alias != canonical and alias not in names:
            if len(alias) > 200:
                raise ValidationError(f"The alias {alias[:40]!r}... is longer than 200 characters.")
            names.append(alias)
    return names


@transaction.atomic
def actor_save(
    *,
    project: Project,
    name: str,
    actor: Actor | None = None,
    kind: str = Actor.Kind.OTHER,
    affiliation: Actor | None = None,
    external_id: str = "",
    description: str = "",
    aliases: Iterable[str] | None = None,
) -> Actor:
    """Create an actor in the project's registry, or change `actor`; `aliases` replaces them."""
    if actor is None:
        actor = Actor(project=project)
    elif actor.project_id != project.pk:
        raise ValidationError(f"The actor {actor} belongs to another project.")
    actor.name = name.strip()
    actor.kind = kind
    actor.affiliation = affiliation
    actor.external_id = external_id
    actor.description = description
    actor.full_clean()
    actor.save()
    if aliases is not None:
        names = _alias_names(aliases, actor.name)
        actor.aliases.exclude(name__in=names).delete()
        existing = set(actor.aliases.values_list("name", flat=True))
        ActorAlias.objects.bulk_create(
            ActorAlias(actor=actor, name=alias) for alias in names if alias not in existing
        )
    return actor


@transaction.atomic
def label_create(
    *,
    project: Project,
    name: str,
    kind: str = Label.Kind.ENTITY,
    colour: str | None = None,
    hotkey: str = "",
    position: int = 0,
) -> Label:
    """Add a label to the project's label set; without a colour it gets one of its own
    (Label.objects.next_colour)."""
    name = name.strip()
    colour = colour or project.labels.next_colour()
    if Label.objects.filter(project=project, name=name).exists():
        raise ValidationError({"name": f"The project already has a label named {name!r}."})
    if hotkey and Label.objects.filter(project=project, hotkey=hotkey).exists():
        raise ValidationError({"hotkey": f"The hotkey {hotkey!r} is already taken."})
    label = Label(
        project=project, name=name, kind=kind, colour=colour, hotkey=hotkey, position=position
    )
    label.full_clean()
    label.save()
    return label


def annotation_set_open(*, article: Article, user: User, wait: bool = True) -> AnnotationSet:
    """The user's annotation set on the article; opening an article the user has no set on
    creates one (assigned) only while the article still needs annotators (fewer annotator sets
    than the project's `annotators_per_article`, not adjudicated). Otherwise: Conflict.

    With wait=False, an article another annotator is opening at this moment is refused at once
    (ArticleBusy, a Conflict) instead of waited for: the queue passes it over."""
    mine = AnnotationSet.objects.select_related("article").filter(article=article, annotator=user)
    annotation_set = mine.first()
    if annotation_set is not None:
        return annotation_set
    with transaction.atomic():
        if not lock_articles(Article.objects.filter(pk=article.pk), skip_locked=not wait):
            raise ArticleBusy("Another annotator is opening this article; try again.")
        annotation_set = mine.first()
        if annotation_set is not None:
            return annotation_set
        project = Project.objects.get(pk=article.project_id)
        sets = AnnotationSet.objects.filter(article=article)
        if sets.adjudicated().exists():
            raise Conflict("This article is adjudicated; it takes no more annotators.")
        wanted = project.annotators_per_article
        if not Article.objects.needing_annotators(project).filter(pk=article.pk).exists():
            raise Conflict(
                f"This article already has its {wanted} annotator{'s' if wanted != 1 else ''}; "
                "ask a manager to assign it to you."
            )
        article.project = project  # as read now: its guidelines go into the new set
        return annotation_set_create(article=article, annotator=user, user=user)


@transaction.atomic
def control_attempt_open(*, article: Article, user: User) -> AnnotationSet:
    """The user's attempt at a control item (an approved gold article the queue mixed in): a
    set that is scored against the gold set on hand-in and counts toward neither the article's
    annotators nor agreement."""
    existing = AnnotationSet.objects.filter(article=article, annotator=user).first()
    if existing is not None:
        return existing
    if not article.is_control or not article.annotation_sets.adjudicated().exists():
        raise Conflict("This article is not a control item.")
    return annotation_set_create(article=article, annotator=user, user=user, is_control=True)


@transaction.atomic
def control_item_set(*, article: Article, is_control: bool, user: User) -> Article:
    """Mark an adjudicated article as a control item, or take the mark off (managers)."""
    check_may_manage_quality(user, article.project)
    gold = article.annotation_sets.adjudicated().first()
    if gold is None:
        raise Conflict("Only an adjudicated article (its gold set approved) can be a control item.")
    before = article.is_control
    article.is_control = is_control
    article.save(update_fields=["is_control"])
    history.record(
        user=user,
        action=HistoryRecord.Action.UPDATE,
        annotation_set=gold,
        object_type="article",
        object_id=article.pk,
        before={"is_control": before},
        after={"is_control": is_control},
    )
    return article


QUALITY_SETTINGS = (
    "agreement_threshold",
    "max_annotators_per_article",
    "control_rate",
    "training_mode",
    "reviewers_see_scores",
)


@transaction.atomic
def quality_settings_update(*, project: Project, user: User, **settings: Any) -> Project:
    """Change the project's quality-control settings (managers), validated."""
    check_may_manage_quality(user, project)
    unknown = set(settings) - set(QUALITY_SETTINGS)
    if unknown:
        raise ValidationError(f"Unknown quality settings: {', '.join(sorted(unknown))}.")
    for name, value in settings.items():
        setattr(project, name, value)
    project.full_clean()
    project.save(update_fields=list(settings))
    return project
