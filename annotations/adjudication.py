"""Adjudication: all annotators' handed-in sets of an article merged item by item, a reviewer's
decision on each item put into the article's gold set, and approving the gold set.

Each service checks who is calling (PermissionDenied for anyone but a reviewer, and for a
reviewer who annotated the article unless the project allows it) and whether the article's
state allows the change (Conflict, HTTP 409, with a message that says why). Decisions carry the
gold set's version the reviewer saw (`expected_version`), so two reviewers cannot overwrite each
other's decisions unseen.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Prefetch
from django.utils import timezone

from accounts.models import User
from annotations import history, services, tasks
from annotations.access import check_may_adjudicate
from annotations.errors import Conflict
from annotations.models import (
    Actor,
    AdjudicationDecision,
    AnnotationSet,
    Article,
    Claim,
    ClaimType,
    HistoryRecord,
    Label,
    Project,
    ReasonCode,
    Span,
    ThreatAssessment,
    ThreatLevel,
)

Status = AnnotationSet.Status

# An annotator's row behind an item, and the value that says how the annotator marked it.
Row = Span | Claim | ThreatAssessment
Value = tuple[object, ...]


@dataclass
class Version:
    """One way the annotators marked an item, and who marked it that way."""

    value: Value
    rows: list[Row] = field(default_factory=list)
    annotator_ids: set[int] = field(default_factory=set)

    @property
    def first(self) -> Row:
        return self.rows[0]

    @property
    def annotators(self) -> list[str]:
        sets = {row.annotation_set for row in self.rows}
        return sorted({s.annotator.get_username() for s in sets if s.annotator is not None})


@dataclass
class Item:
    """One thing to decide: a span range, the claim stated by a span range, or the article's
    threat level, with each way the annotators marked it."""

    kind: str
    key: str
    start: int | None
    end: int | None
    quote: str
    versions: list[Version] = field(default_factory=list)
    label: Label | None = None  # set when an annotator gave the range several labels
    decision: AdjudicationDecision | None = None
    total: int = 0  # annotators on the article

    @property
    def unanimous(self) -> bool:
        return len(self.versions) == 1 and len(self.versions[0].annotator_ids) == self.total

    @property
    def rows(self) -> list[Row]:
        return [row for version in self.versions for row in version.rows]

    def value_of(self, annotator_id: int) -> set[Value]:
        return {v.value for v in self.versions if annotator_id in v.annotator_ids}


@dataclass
class Merged:
    """An article's annotators' sets and its gold set (if any), merged into items."""

    article: Article
    sets: list[AnnotationSet]
    gold: AnnotationSet | None
    items: list[Item]

    @property
    def ready(self) -> bool:
        return bool(self.sets) and all(s.is_handed_in for s in self.sets)

    @property
    def annotator_ids(self) -> list[int]:
        return [s.annotator_id for s in self.sets if s.annotator_id is not None]

    def find(self, key: str) -> Item | None:
        return next((item for item in self.items if item.key == key), None)

    def item(self, key: str) -> Item:
        item = self.find(key)
        if item is None:
            raise ValidationError(f"This article has no item {key!r} to decide.")
        return item

    def span_item_of(self, span: Span) -> Item | None:
        """The span item that holds an annotator's span."""
        for item in self.items:
            if item.kind == "span" and any(row.pk == span.pk for row in item.rows):
                return item
        return None

    def undecided(self) -> list[Item]:
        return [item for item in self.items if item.decision is None]

    def ordered(self) -> list[Item]:
        """Disagreements first, then by kind and position."""
        kinds = {"span": 0, "claim": 1, "threat": 2}
        return sorted(
            self.items,
            key=lambda i: (i.unanimous, kinds[i.kind], i.start or 0, i.end or 0),
        )


def quoted(text: str, limit: int = 80) -> str:
    """`text` in quotation marks for a message: whole when short, else its beginning and end
    around an ellipsis, so a message never stops mid-phrase."""
    if len(text) > limit:
        head = limit * 3 // 4
        text = f"{text[:head].rstrip()} … {text[-(limit - head) :].lstrip()}"
    return f"“{text}”"


def span_key(start: int, end: int, label_id: int | None = None) -> str:
    """The key of a span item: its range, and its label when a range has several labels."""
    return f"span:{start}-{end}" if label_id is None else f"span:{start}-{end}:{label_id}"


def span_value(span: Span) -> Value:
    return (span.label_id, span.actor_id)


def claim_value(claim: Claim) -> Value:
    targets = tuple(sorted(t.pk for t in claim.targets.all()))
    return (claim.claim_type_id, claim.claimant_id, targets, claim.reliability, claim.credibility)


def merge(article: Article) -> Merged:
    """All annotators' sets of `article` merged into items (a fixed, small number of queries)."""
    all_sets = list(
        AnnotationSet.objects.filter(article=article).select_related("annotator").order_by("pk")
    )
    sets = [s for s in all_sets if not s.is_gold]
    gold = next((s for s in all_sets if s.is_gold), None)
    by_set = {s.pk: s for s in sets}
    items: dict[str, Item] = {}

    def item_for(
        kind: str, key: str, start: int | None = None, end: int | None = None, quote: str = ""
    ) -> Item:
        if key not in items:
            items[key] = Item(kind, key, start, end, quote, total=len(sets))
        return items[key]

    def add(item: Item, value: Value, row: Row) -> None:
        row.annotation_set = by_set[row.annotation_set_id]
        for version in item.versions:
            if version.value == value:
                break
        else:
            version = Version(value)
            item.versions.append(version)
        version.rows.append(row)
        annotator_id = row.annotation_set.annotator_id
        assert annotator_id is not None  # the annotators' sets only: never the gold set
        version.annotator_ids.add(annotator_id)

    spans = list(Span.objects.filter(annotation_set__in=sets).select_related("label", "actor"))
    # A range one annotator marked with several labels (a location and an actor) holds one
    # item per label, so gold can keep both; any other range is one item, its labels versions.
    marks = Counter((s.annotation_set_id, s.start, s.end) for s in spans)
    several = {(start, end) for (_, start, end), n in marks.items() if n > 1}
    for span in spans:
        per_label = (span.start, span.end) in several
        key = span_key(span.start, span.end, span.label_id if per_label else None)
        item = item_for("span", key, span.start, span.end, span.quote)
        if per_label:
            item.label = span.label
        add(item, span_value(span), span)
    claims = (
        Claim.objects.filter(annotation_set__in=sets)
        .select_related("span", "claim_type", "claimant", "claimant_span")
        .prefetch_related(Prefetch("targets", queryset=Actor.objects.order_by("name")))
    )
    for claim in claims:
        s = claim.span
        item = item_for("claim", f"claim:{s.start}-{s.end}", s.start, s.end, s.quote)
        add(item, claim_value(claim), claim)
    assessments = (
        ThreatAssessment.objects.filter(annotation_set__in=sets)
        .select_related("level")
        .prefetch_related(Prefetch("claims", queryset=Claim.objects.select_related("span")))
    )
    for assessment in assessments:
        add(item_for("threat", "threat"), (assessment.level_id,), assessment)
    if gold is not None:
        decisions = gold.decisions.select_related(
            "decided_by", "gold_span__label", "gold_claim__span"
        )
        for decision in decisions:
            if decision.key in items:
                items[decision.key].decision = decision
            elif decision.outcome == AdjudicationDecision.Outcome.ADDED:
                items[decision.key] = _added_item(decision, len(sets))
    for item in items.values():
        item.versions.sort(key=lambda v: (-len(v.annotator_ids), v.first.pk))
    return Merged(article=article, sets=sets, gold=gold, items=list(items.values()))


def _added_item(decision: AdjudicationDecision, total: int) -> Item:
    """The item of a span or claim a reviewer added to gold (no annotator's version)."""
    stating = decision.gold_span or (decision.gold_claim.span if decision.gold_claim else None)
    start, end, quote = (stating.start, stating.end, stating.quote) if stating else (None, None, "")
    item = Item(decision.kind, decision.key, start, end, quote, decision=decision, total=total)
    item.label = decision.gold_span.label if decision.gold_span else None
    return item


def gold_of(article: Article) -> AnnotationSet | None:
    return AnnotationSet.objects.filter(article=article).gold().first()


def _gold_for(article: Article, user: User) -> AnnotationSet:
    gold = AnnotationSet.objects.filter(article=article).gold().first()
    if gold is None:
        try:
            with transaction.atomic():
                gold = services.annotation_set_create(article=article, annotator=None, user=user)
        except IntegrityError:  # two reviewers starting at once: one creates, both use it
            gold = AnnotationSet.objects.filter(article=article).gold().first()
            if gold is None:
                raise
    return gold


def _begin(
    article: Article, user: User, expected_version: int | None
) -> tuple[AnnotationSet, Merged]:
    """Check the reviewer and the article, lock the gold set and check nobody changed it since
    the reviewer loaded it (`expected_version`)."""
    sets = list(AnnotationSet.objects.filter(article=article).annotators_only())
    check_may_adjudicate(user, article, sets)
    if not sets:
        raise Conflict("Nobody has annotated this article yet.")
    waiting = [s for s in sets if not s.is_handed_in]
    if waiting:
        raise Conflict(
            f"This article is not ready for adjudication: {len(waiting)} annotation set(s) "
            "are not submitted yet."
        )
    gold = _gold_for(article, user)
    gold = services.lock_sets(
        AnnotationSet.objects.select_related("article").filter(pk=gold.pk)
    ).get()
    if gold.status == Status.APPROVED:
        raise Conflict("This article's gold set is approved; adjudication is closed.")
    if expected_version is not None and gold.version != expected_version:
        raise Conflict(
            "Another reviewer changed this adjudication while you were looking at it "
            f"(version {expected_version}, now {gold.version}). Their decisions are shown "
            "now; check them and decide again if needed."
        )
    return gold, merge(article)


def _bump(gold: AnnotationSet) -> None:
    """A decision changed the gold set: bump its version (its status is not touched)."""
    AnnotationSet.objects.filter(pk=gold.pk).update(
        version=F("version") + 1, updated_at=timezone.now()
    )


def _gold_span_at(
    gold: AnnotationSet, start: int, end: int, label_id: int | None = None
) -> Span | None:
    """The gold span on a range: the one with `label_id` if the range has several."""
    spans = list(gold.spans.filter(start=start, end=end).order_by("pk"))
    return next((s for s in spans if s.label_id == label_id), spans[0] if spans else None)


def _clear_gold_row(decision: AdjudicationDecision | None, gold: AnnotationSet, user: User) -> None:
    """Remove the gold row an earlier decision on the same item put in place."""
    if decision is None:
        return
    if decision.kind == AdjudicationDecision.Kind.SPAN and decision.gold_span_id:
        span = Span.objects.filter(pk=decision.gold_span_id).first()
        if span is not None:
            if span.claims.exists():
                raise Conflict(
                    "A gold claim is stated by this span: decide the claim again (reject it) "
                    "before changing the span."
                )
            services.span_delete(span=span, user=user)
    elif decision.kind == AdjudicationDecision.Kind.CLAIM and decision.gold_claim_id:
        claim = Claim.objects.filter(pk=decision.gold_claim_id).first()
        if claim is not None:
            services.claim_delete(claim=claim, user=user)
    elif (
        decision.kind == AdjudicationDecision.Kind.THREAT
        and ThreatAssessment.objects.filter(annotation_set=gold).exists()
    ):
        services.threat_assessment_delete(annotation_set=gold, user=user)


def _write_span(
    gold: AnnotationSet,
    *,
    label: Label,
    actor: Actor | None,
    start: int,
    end: int,
    user: User,
) -> Span:
    body = gold.article.body
    return services.span_create(
        annotation_set=gold,
        start=start,
        end=end,
        quote=body[start:end],
        label=label,
        actor=actor,
        user=user,
    )


def _write_claim(gold: AnnotationSet, item: Item, *, fields: dict[str, Any], user: User) -> Claim:
    assert item.start is not None and item.end is not None  # a claim item is a span's range
    span = _gold_span_at(gold, item.start, item.end, fields.pop("span_label_id", None))
    if span is None:
        raise Conflict(
            f"Accept the span {quoted(item.quote)} in the gold set before the claim it states."
        )
    claimant_span = fields.pop("claimant_span", None)
    if claimant_span is not None:
        claimant_span = _gold_span_at(
            gold, claimant_span.start, claimant_span.end, claimant_span.label_id
        )
    return services.claim_create(
        annotation_set=gold, span=span, claimant_span=claimant_span, user=user, **fields
    )


def _carry_links(gold: AnnotationSet, merged: Merged, user: User) -> None:
    """Give the gold items the links the annotators' items had, wherever the linked item is in
    gold too: a claim's claimant span, and the claims a threat assessment rests on (those of
    the annotators' assessments at the gold level, or of all when none chose it). Run after
    every decision, so a link appears whichever of the two items is decided last."""
    claims = list(gold.claims.select_related("span"))
    unlinked = [c for c in claims if c.claimant_span_id is None]
    spans: dict[tuple[int, int], list[Span]] = {}
    for span in gold.spans.all() if unlinked else []:
        spans.setdefault((span.start, span.end), []).append(span)
    for claim in unlinked:
        item = merged.find(f"claim:{claim.span.start}-{claim.span.end}")
        rows = [r for r in item.rows if isinstance(r, Claim)] if item else []
        for row in rows:
            named = row.claimant_span
            if named is None or row.claimant_id not in {claim.claimant_id, None}:
                continue
            candidates = spans.get((named.start, named.end), [])
            same_label = [s for s in candidates if s.label_id == named.label_id]
            if candidates:
                target = (same_label or candidates)[0]
                services.claim_update(claim=claim, claimant_span=target, user=user)
                break
    threat = ThreatAssessment.objects.filter(annotation_set=gold).select_related("level").first()
    if threat is None:
        return
    wanted = _supporting_claims(merged, claims, threat.level_id)
    if {c.pk for c in wanted} != set(threat.claims.values_list("pk", flat=True)):
        services.threat_assessment_set(
            annotation_set=gold,
            level=threat.level,
            rationale=threat.rationale,
            claims=wanted,
            user=user,
        )


def _supporting_claims(merged: Merged, gold_claims: list[Claim], level_id: int) -> list[Claim]:
    """The gold claims a gold threat assessment at `level_id` rests on: those on the ranges of
    the claims the annotators' assessments at that level rested on (of all, when none chose
    that level)."""
    item = merged.find("threat")
    rows = [r for r in item.rows if isinstance(r, ThreatAssessment)] if item else []
    rows = [r for r in rows if r.level_id == level_id] or rows
    ranges = {(c.span.start, c.span.end) for r in rows for c in r.claims.all()}
    return [c for c in gold_claims if (c.span.start, c.span.end) in ranges]


def _decide(
    gold: AnnotationSet,
    merged: Merged,
    item: Item,
    *,
    user: User,
    outcome: str,
    source: Row | None = None,
    edit: dict[str, Any] | None = None,
    reason_code: str = "",
    note: str = "",
) -> AdjudicationDecision:
    """Put the gold row for `item` in place (or none, when rejected) and record why."""
    if reason_code and reason_code not in ReasonCode.values:
        raise ValidationError(
            f"Unknown reason code {reason_code!r}; use one of {', '.join(ReasonCode.values)}."
        )
    previous = item.decision
    if item.kind == "claim" and outcome != AdjudicationDecision.Outcome.REJECTED:
        _accept_stating_span(gold, merged, item, source, user=user, reason_code=reason_code)
    with services.adjudicating(gold):  # the one way into a gold set
        _clear_gold_row(previous, gold, user)
        gold_span, gold_claim, result = _write_gold_row(
            gold, merged, item, outcome, source, edit, user
        )
        _carry_links(gold, merged, user)
    overrides = any(
        (result is None and item.value_of(a))
        or (result is not None and result not in item.value_of(a))
        for a in merged.annotator_ids
    )
    if overrides and not reason_code:
        raise ValidationError(
            "This decision overrides what an annotator marked: give a reason code "
            f"({', '.join(ReasonCode.labels).lower()})."
        )
    before = decision_snapshot(previous)
    decision, _ = AdjudicationDecision.objects.update_or_create(
        gold_set=gold,
        key=item.key,
        defaults={
            "article": merged.article,
            "kind": item.kind,
            "outcome": outcome,
            "reason_code": reason_code if overrides else "",
            "note": note.strip(),
            "overrides": overrides,
            "gold_span": gold_span,
            "gold_claim": gold_claim,
            "decided_by": user,
        },
    )
    decision.spans.set([r for r in item.rows if isinstance(r, Span)])
    decision.claims.set([r for r in item.rows if isinstance(r, Claim)])
    decision.threat_assessments.set([r for r in item.rows if isinstance(r, ThreatAssessment)])
    item.decision = decision
    history.record(
        user=user,
        action=HistoryRecord.Action.UPDATE if previous else HistoryRecord.Action.CREATE,
        annotation_set=gold,
        object_type="decision",
        object_id=decision.pk,
        before=before,
        after=decision_snapshot(decision),
    )
    return decision


def _accept_stating_span(
    gold: AnnotationSet,
    merged: Merged,
    item: Item,
    source: Row | None,
    *,
    user: User,
    reason_code: str,
) -> None:
    """Accepting a claim whose span is not in gold yet accepts the annotator's span with it,
    recorded as its own decision on the span item, in the same transaction."""
    assert isinstance(source, Claim) and item.start is not None and item.end is not None
    if _gold_span_at(gold, item.start, item.end) is not None:
        return
    span_item = merged.span_item_of(source.span)
    if span_item is None:
        return  # _write_claim says the span is missing
    if span_item.decision is not None:
        raise Conflict(
            f"The span {quoted(item.quote)} that states this claim is not in the gold set "
            "(it was rejected or moved): accept it first, or reject the claim."
        )
    _decide(
        gold,
        merged,
        span_item,
        user=user,
        outcome=AdjudicationDecision.Outcome.ACCEPTED,
        source=source.span,
        reason_code=reason_code,
        note="Accepted with the claim it states.",
    )


def _write_gold_row(
    gold: AnnotationSet,
    merged: Merged,
    item: Item,
    outcome: str,
    source: Row | None,  # the annotator's span, claim or threat assessment (`item.kind`)
    edit: dict[str, Any] | None,
    user: User,
) -> tuple[Span | None, Claim | None, Value | None]:
    """Put the gold row for `item` in place (none when rejected): the gold span, the gold
    claim, and the value the decision gave the item (None when rejected)."""
    gold_span: Span | None = None
    gold_claim: Claim | None = None
    result: Value | None = None
    fields: dict[str, Any]
    if outcome == AdjudicationDecision.Outcome.REJECTED:
        pass
    elif item.kind == "span":
        assert isinstance(source, Span)  # the rows of a span item are spans
        fields = {
            "label": source.label,
            "actor": source.actor,
            "start": item.start,
            "end": item.end,
        }
        fields.update(edit or {})
        gold_span = _write_span(gold, user=user, **fields)
        result = span_value(gold_span)
        if (gold_span.start, gold_span.end) != (item.start, item.end):
            result = (*result, "moved")
    elif item.kind == "claim":
        assert isinstance(source, Claim)  # the rows of a claim item are claims
        fields = {
            "span_label_id": source.span.label_id,
            "claim_type": source.claim_type,
            "claimant": source.claimant,
            "claimant_span": source.claimant_span,
            "targets": list(source.targets.all()),
            "reliability": source.reliability,
            "credibility": source.credibility,
            "note": source.note,
        }
        fields.update(edit or {})
        if fields["claimant"] != source.claimant:
            fields["claimant_span"] = None  # it named the claimant the edit replaced
        gold_claim = _write_claim(gold, item, fields=fields, user=user)
        result = claim_value(gold_claim)
    else:
        assert isinstance(source, ThreatAssessment)  # the rows of the threat item
        fields = {"level": source.level, "rationale": source.rationale}
        fields.update(edit or {})
        claims = _supporting_claims(
            merged, list(gold.claims.select_related("span")), fields["level"].pk
        )
        assessment = services.threat_assessment_set(
            annotation_set=gold, claims=claims, user=user, **fields
        )
        result = (assessment.level_id,)
    return gold_span, gold_claim, result


def decision_snapshot(decision: AdjudicationDecision | None) -> dict[str, object] | None:
    if decision is None:
        return None
    return {
        "key": decision.key,
        "outcome": decision.outcome,
        "reason_code": decision.reason_code,
        "note": decision.note,
        "overrides": decision.overrides,
        "gold_span_id": decision.gold_span_id,
        "gold_claim_id": decision.gold_claim_id,
    }


def _source_row(item: Item, source_id: int | None) -> Row:
    rows = item.rows
    if not rows:
        raise ValidationError(
            f"No annotator marked {quoted(item.quote)}: a reviewer added it. Undo or reject it."
        )
    if source_id is None:
        return item.versions[0].first
    for row in rows:
        if row.pk == source_id:
            return row
    raise ValidationError(f"The item {item.key!r} has no annotator's version #{source_id}.")


@transaction.atomic
def adjudication_accept(
    *,
    article: Article,
    user: User,
    key: str,
    source_id: int | None = None,
    reason_code: str = "",
    note: str = "",
    expected_version: int | None,
) -> AdjudicationDecision:
    """Accept one annotator's version of an item (the span, claim or threat assessment with id
    `source_id`; by default the version most annotators chose) into the gold set."""
    gold, merged = _begin(article, user, expected_version)
    item = merged.item(key)
    source = _source_row(item, source_id)
    decision = _decide(
        gold,
        merged,
        item,
        user=user,
        outcome=AdjudicationDecision.Outcome.ACCEPTED,
        source=source,
        reason_code=reason_code,
        note=note,
    )
    _bump(gold)
    return decision


@transaction.atomic
def adjudication_reject(
    *,
    article: Article,
    user: User,
    key: str,
    reason_code: str = "",
    note: str = "",
    expected_version: int | None,
) -> AdjudicationDecision:
    """Keep the item out of the gold set. The annotators' rows stay, linked to the decision.
    An item a reviewer added (no annotator marked it) goes from gold; history keeps it."""
    gold, merged = _begin(article, user, expected_version)
    item = merged.item(key)
    if not item.versions and item.decision is not None:  # added by a reviewer: take it out
        decision = _withdraw(gold, merged, item.decision, user)
        _bump(gold)
        return decision
    decision = _decide(
        gold,
        merged,
        item,
        user=user,
        outcome=AdjudicationDecision.Outcome.REJECTED,
        reason_code=reason_code,
        note=note,
    )
    _bump(gold)
    return decision


SPAN_EDIT_FIELDS = {"label", "actor", "start", "end"}
CLAIM_EDIT_FIELDS = {"claim_type", "claimant", "targets", "reliability", "credibility", "note"}
THREAT_EDIT_FIELDS = {"level", "rationale"}


@transaction.atomic
def adjudication_edit(
    *,
    article: Article,
    user: User,
    key: str,
    changes: dict[str, Any],
    source_id: int | None = None,
    reason_code: str = "",
    note: str = "",
    expected_version: int | None,
) -> AdjudicationDecision:
    """Put an edited version of an item into the gold set: a span's label, actor or boundaries;
    a claim's type, claimant, targets or grading; the threat level and rationale."""
    gold, merged = _begin(article, user, expected_version)
    item = merged.item(key)
    allowed = {
        "span": SPAN_EDIT_FIELDS,
        "claim": CLAIM_EDIT_FIELDS,
        "threat": THREAT_EDIT_FIELDS,
    }[item.kind]
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(f"Cannot edit {', '.join(sorted(unknown))} on a {item.kind}.")
    project_id = article.project_id
    for value in changes.values():
        if isinstance(value, Label | Actor | ClaimType | ThreatLevel) and (
            value.project_id != project_id
        ):
            raise ValidationError(f"{value} belongs to another project.")
    decision = _decide(
        gold,
        merged,
        item,
        user=user,
        outcome=AdjudicationDecision.Outcome.EDITED,
        source=_source_row(item, source_id),
        edit=dict(changes),
        reason_code=reason_code,
        note=note,
    )
    _bump(gold)
    return decision


@transaction.atomic
def adjudication_accept_unanimous(
    *, article: Article, user: User, expected_version: int | None
) -> list[AdjudicationDecision]:
    """Accept every undecided item all annotators marked the same way (spans before claims)."""
    gold, merged = _begin(article, user, expected_version)
    decisions = []
    order = {"span": 0, "claim": 1, "threat": 2}
    for item in sorted(merged.undecided(), key=lambda i: (order[i.kind], i.start or 0)):
        if item.kind == "claim" and _gold_span_at(gold, item.start or 0, item.end or 0) is None:
            continue  # its span is a disagreement: the reviewer decides both
        if item.unanimous:
            decisions.append(
                _decide(
                    gold,
                    merged,
                    item,
                    user=user,
                    outcome=AdjudicationDecision.Outcome.ACCEPTED,
                    source=item.versions[0].first,
                )
            )
    if decisions:
        _bump(gold)
    return decisions


@transaction.atomic
def adjudication_undo(
    *, article: Article, user: User, expected_version: int | None
) -> AdjudicationDecision:
    """Withdraw the reviewer's most recent decision on the article: its gold row goes and its
    item is undecided again. The history keeps the withdrawn decision."""
    gold, merged = _begin(article, user, expected_version)
    decision = gold.decisions.filter(decided_by=user).order_by("-decided_at", "-pk").first()
    if decision is None:
        raise Conflict("You have made no decision on this article to undo.")
    withdrawn = _withdraw(gold, merged, decision, user)
    _bump(gold)
    return withdrawn


def _withdraw(
    gold: AnnotationSet, merged: Merged, decision: AdjudicationDecision, user: User
) -> AdjudicationDecision:
    """Take a decision back: its gold row goes, the history keeps the decision."""
    with services.adjudicating(gold):
        _clear_gold_row(decision, gold, user)
        _carry_links(gold, merged, user)
    history.record(
        user=user,
        action=HistoryRecord.Action.DELETE,
        annotation_set=gold,
        object_type="decision",
        object_id=decision.pk,
        before=decision_snapshot(decision),
        after=None,
    )
    withdrawn = AdjudicationDecision(
        pk=decision.pk,
        key=decision.key,
        kind=decision.kind,
        outcome=decision.outcome,
        reason_code=decision.reason_code,
        note=decision.note,
        decided_by=decision.decided_by,
        decided_at=decision.decided_at,
    )
    decision.delete()
    return withdrawn


def missed_span_key(start: int, end: int, label_id: int) -> str:
    return f"missed:span:{start}-{end}:{label_id}"


def missed_claim_key(start: int, end: int) -> str:
    return f"missed:claim:{start}-{end}"


def _begin_missed(
    article: Article, user: User, expected_version: int | None
) -> tuple[AnnotationSet, Merged]:
    begun = _begin(article, user, expected_version)  # who may, first
    if not article.project.allow_missed_items:
        raise Conflict(
            "This project does not let reviewers add items the annotators missed; a manager "
            "can allow it in the project's settings."
        )
    return begun


def _record_added(
    gold: AnnotationSet,
    merged: Merged,
    *,
    kind: str,
    key: str,
    gold_span: Span | None = None,
    gold_claim: Claim | None = None,
    note: str,
    user: User,
) -> AdjudicationDecision:
    decision = AdjudicationDecision.objects.create(
        gold_set=gold,
        article=merged.article,
        kind=kind,
        key=key,
        outcome=AdjudicationDecision.Outcome.ADDED,
        reason_code=ReasonCode.MISSED,
        note=note.strip(),
        overrides=True,
        gold_span=gold_span,
        gold_claim=gold_claim,
        decided_by=user,
    )
    history.record(
        user=user,
        action=HistoryRecord.Action.CREATE,
        annotation_set=gold,
        object_type="decision",
        object_id=decision.pk,
        before=None,
        after=decision_snapshot(decision),
    )
    _bump(gold)
    return decision


@transaction.atomic
def adjudication_add_missed_span(
    *,
    article: Article,
    user: User,
    start: int,
    end: int,
    label: Label,
    actor: Actor | None = None,
    quote: str = "",
    note: str = "",
    expected_version: int | None,
) -> AdjudicationDecision:
    """Add to gold a span no annotator marked (reason code "missed"), if the project allows it.
    Refused for an empty range or one outside the text, for a `quote` (when given) that is not
    the text there, and when gold already has the same label on the same range."""
    gold, merged = _begin_missed(article, user, expected_version)
    if label.project_id != article.project_id:
        raise ValidationError(f"The label {label} belongs to another project.")
    if actor is not None and actor.project_id != article.project_id:
        raise ValidationError(f"The actor {actor} belongs to another project.")
    length = len(article.body)
    if not 0 <= start < end <= length:
        raise ValidationError(
            f"The range {start}–{end} is empty or outside the text (0–{length} code points)."
        )
    if quote and quote != article.body[start:end]:
        raise ValidationError(
            f"The text at {start}–{end} is {quoted(article.body[start:end])}, not {quoted(quote)}."
        )
    marked = [
        item
        for item in merged.items
        if item.kind == "span"
        and (item.start, item.end) == (start, end)
        and any(v.value[0] == label.pk for v in item.versions)
    ]
    if marked:
        raise Conflict(
            f"An annotator marked {quoted(marked[0].quote)} as {label.name}: decide their item."
        )
    if gold.spans.filter(start=start, end=end, label=label).exists():
        raise Conflict(
            f"The gold set already has {quoted(article.body[start:end])} as {label.name}."
        )
    with services.adjudicating(gold):
        span = _write_span(gold, label=label, actor=actor, start=start, end=end, user=user)
    key = missed_span_key(start, end, label.pk)
    return _record_added(gold, merged, kind="span", key=key, gold_span=span, note=note, user=user)


@transaction.atomic
def adjudication_add_missed_claim(
    *,
    article: Article,
    user: User,
    span: Span,
    claim_type: ClaimType,
    claimant: Actor | None = None,
    targets: list[Actor] | None = None,
    reliability: str = "",
    credibility: int | None = None,
    note: str = "",
    expected_version: int | None,
) -> AdjudicationDecision:
    """Add to gold a claim no annotator marked, stated by the gold span `span` (reason code
    "missed"), if the project allows it. Refused when gold already has a claim on that span."""
    gold, merged = _begin_missed(article, user, expected_version)
    if span.annotation_set_id != gold.pk:
        raise ValidationError("A claim can be added only on a span of the gold set.")
    for value in [claim_type, claimant, *(targets or [])]:
        if value is not None and value.project_id != article.project_id:
            raise ValidationError(f"{value} belongs to another project.")
    if merged.find(f"claim:{span.start}-{span.end}") is not None:
        raise Conflict(
            f"An annotator marked a claim stated by {quoted(span.quote)}: decide their item."
        )
    if gold.claims.filter(span__start=span.start, span__end=span.end).exists():
        raise Conflict(f"The gold set already has a claim stated by {quoted(span.quote)}.")
    with services.adjudicating(gold):
        claim = services.claim_create(
            annotation_set=gold,
            span=span,
            claim_type=claim_type,
            claimant=claimant,
            targets=targets or [],
            reliability=reliability,
            credibility=credibility,
            note=note,
            user=user,
        )
        _carry_links(gold, merged, user)
    key = missed_claim_key(span.start, span.end)
    return _record_added(
        gold, merged, kind="claim", key=key, gold_claim=claim, note=note, user=user
    )


@transaction.atomic
def gold_set_approve(
    *, article: Article, user: User, expected_version: int | None
) -> AnnotationSet:
    """Close adjudication: every item decided, the gold set approved, and the annotators'
    submitted sets approved with it."""
    # The annotators' sets before the gold set (the lock order in annotations.services).
    annotator_sets = AnnotationSet.objects.filter(article=article).annotators_only()
    locked = {s.pk: s for s in services.lock_sets(annotator_sets)}
    gold, merged = _begin(article, user, expected_version)
    undecided = merged.undecided()
    if undecided:
        raise Conflict(f"{len(undecided)} item(s) are still undecided; decide them first.")
    submitted = [s for s in merged.sets if s.status == Status.SUBMITTED]
    if any(s.pk not in locked for s in submitted):
        raise Conflict("An annotation set was handed in meanwhile; reload and check it.")
    for annotation_set in submitted:
        services.annotation_set_transition(locked[annotation_set.pk], to=Status.APPROVED, user=user)
    return services.annotation_set_transition(gold, to=Status.APPROVED, user=user)


# Restoring: an approved gold set brought back from an export (annotations.importing.gold).


@dataclass
class Overridden:
    """One item an adjudication overrode, as a native export's "rejected" records it: an
    annotator's span, claim (by its stating span's range) or threat level."""

    kind: str  # "span", "claim" or "threat"
    annotator: str
    outcome: str
    reason_code: str
    note: str
    start: int | None = None
    end: int | None = None
    label: str = ""  # a span's label
    claim_type: str = ""  # a claim's type
    level: str = ""  # a threat level


@dataclass
class RestoredGold:
    """A gold set to restore from an export: its article, the number of the guideline version
    it followed, and what the export said of it (kept in the history)."""

    article_id: int
    guideline_number: int | None
    recorded: dict[str, Any]


def gold_sets_restore(
    *,
    project: Project,
    golds: list[RestoredGold],
    write: Callable[[list[AnnotationSet]], None],
    user: User | None,
) -> list[AnnotationSet]:
    """The articles' approved gold sets, restored from an export, in bulk: their content
    written by `write` inside `services.adjudicating`, each recorded in the history.

    The caller has checked, in its transaction, that `user` may adjudicate the articles and
    that they have no gold set; ``gold_decisions_restore`` brings back their decisions."""
    if not golds:
        return []
    numbers = {g.guideline_number for g in golds if g.guideline_number is not None}
    guidelines = dict(
        project.guideline_versions.filter(number__in=numbers).values_list("number", "pk")
    )
    now = timezone.now()
    sets = AnnotationSet.objects.bulk_create(
        [
            AnnotationSet(
                article_id=g.article_id,
                annotator=None,
                is_gold=True,
                status=Status.APPROVED,
                guideline_version_id=guidelines.get(g.guideline_number or 0),
                created_at=now,
                updated_at=now,
            )
            for g in golds
        ]
    )
    with services.adjudicating(*sets):  # the one way into a gold set
        write(sets)
    tasks.gold_approved(project.pk)
    history.record_many(
        project=project,
        user=user,
        entries=[
            history.set_created(s, "", gold=True, **g.recorded)
            for s, g in zip(sets, golds, strict=True)
        ],
    )
    return sets


def gold_decisions_restore(
    *,
    gold: AnnotationSet,
    overridden: list[Overridden],
    decided_by_id: int | None,
    decided_at: datetime.datetime | None,
    approve: list[int],
    user: User | None,
) -> None:
    """A restored gold set's decisions: one for each `overridden` item whose annotator has a
    set on the article (decided by `decided_by_id` at `decided_at`, linked to the item's rows
    as a decision links them), and the annotators' sets `approve` (in progress, by id)
    approved with the gold set, all recorded in the history. Overridden items no set here
    holds stay as the export recorded them (``gold_sets_restore`` kept them). Raises
    ValidationError naming an overridden item that the annotator's set here does not hold."""
    article_id = gold.article_id
    entries = [
        history.Entry(
            action=HistoryRecord.Action.CREATE,
            object_type="decision",
            object_id=decision.pk,
            article_id=article_id,
            annotation_set_id=gold.pk,
            after={**(decision_snapshot(decision) or {}), "restored": True},
        )
        for decision in _restored_decisions(gold, overridden, decided_by_id, decided_at)
    ]
    AnnotationSet.objects.filter(pk__in=approve).update(status=Status.APPROVED)
    entries += [
        history.Entry(
            action=HistoryRecord.Action.TRANSITION,
            object_type="annotation_set",
            object_id=pk,
            article_id=article_id,
            annotation_set_id=pk,
            before={"status": Status.IN_PROGRESS},
            after={"status": Status.APPROVED, "restored": True},
        )
        for pk in approve
    ]
    history.record_many(project=gold.article.project_id, user=user, entries=entries)


def _restored_decisions(
    gold: AnnotationSet,
    overridden: list[Overridden],
    decided_by_id: int | None,
    decided_at: datetime.datetime | None,
) -> list[AdjudicationDecision]:
    """The decisions behind the overridden items whose annotators have a set on the article,
    one per merged item, linked to every annotator's row of the item."""
    if not overridden:
        return []
    merged = merge(gold.article)
    present = {s.annotator.get_username() for s in merged.sets if s.annotator is not None}
    by_key: dict[str, tuple[Item, Overridden]] = {}
    for position, entry in enumerate(overridden, start=1):
        if entry.annotator not in present:
            continue  # recorded only: the annotator's set is not here to link to
        item = _item_holding(merged, entry)
        if item is None:
            what = {"span": entry.label, "claim": entry.claim_type, "threat": entry.level}
            where = "" if entry.kind == "threat" else f" at {entry.start}-{entry.end}"
            raise ValidationError(
                f"rejected item {position} points at {entry.annotator}'s {entry.kind}{where} "
                f"({what[entry.kind]}), which {entry.annotator}'s annotation set here does "
                "not hold."
            )
        by_key.setdefault(item.key, (item, entry))
    if not by_key:
        return []
    if decided_by_id is None:
        raise ValidationError("Restored decisions need the reviewer who decided them.")
    gold_spans = list(Span.objects.filter(annotation_set=gold).order_by("pk"))
    gold_claims = list(Claim.objects.filter(annotation_set=gold).select_related("span"))
    decisions = []
    for item, entry in by_key.values():
        gold_span = gold_claim = None
        if item.kind == "span":
            at = [s for s in gold_spans if (s.start, s.end) == (item.start, item.end)]
            gold_span = next((s for s in at if item.label and s.label_id == item.label.pk), None)
            gold_span = gold_span or (at[0] if at else None)
        elif item.kind == "claim":
            gold_claim = next(
                (c for c in gold_claims if (c.span.start, c.span.end) == (item.start, item.end)),
                None,
            )
        decision = AdjudicationDecision.objects.create(
            gold_set=gold,
            article_id=gold.article_id,
            kind=item.kind,
            key=item.key,
            outcome=entry.outcome,
            reason_code=entry.reason_code,
            note=entry.note,
            overrides=True,
            gold_span=gold_span,
            gold_claim=gold_claim,
            decided_by_id=decided_by_id,
        )
        decision.spans.set([r for r in item.rows if isinstance(r, Span)])
        decision.claims.set([r for r in item.rows if isinstance(r, Claim)])
        decision.threat_assessments.set([r for r in item.rows if isinstance(r, ThreatAssessment)])
        decisions.append(decision)
    # decided_at is set on every save (auto_now): the recorded moment goes in by update.
    AdjudicationDecision.objects.filter(pk__in=[d.pk for d in decisions]).update(
        decided_at=decided_at or timezone.now()
    )
    return decisions


def _item_holding(merged: Merged, entry: Overridden) -> Item | None:
    """The merged item holding the annotator's row that `entry` names, or None."""
    for item in merged.items:
        if item.kind != entry.kind:
            continue
        if entry.kind != "threat" and (item.start, item.end) != (entry.start, entry.end):
            continue
        for row in item.rows:
            annotator = row.annotation_set.annotator
            if annotator is None or annotator.get_username() != entry.annotator:
                continue
            if (
                (isinstance(row, Span) and row.label.name == entry.label)
                or (isinstance(row, Claim) and row.claim_type.name == entry.claim_type)
                or (isinstance(row, ThreatAssessment) and row.level.name == entry.level)
            ):
                return item
    return None
