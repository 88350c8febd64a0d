"""Gold sets in a native file: checked while parsing (``gold_from``), restored after the file's
other lines are stored (``restore_gold``), on a side path beside the batches: gold sets are few.

Only the project's reviewers may import gold, by the rule that lets them adjudicate
(``annotations.access``: the reviewer role, and not on an article they annotated unless the
project allows self-review); anyone else's file is refused, naming the first gold line.

The adjudication module writes the gold sets of each batch, approved, in bulk
(``adjudication.gold_sets_restore``), each recorded in the history with what its line said of
it (its provenance and rejected items, as given). At the file's end, once every annotators' set
is stored, the rejected items become adjudication decisions again
(``adjudication.gold_decisions_restore``), linked to the annotators' rows they overrode, where
the project holds those annotators' sets on the article (the file carried them, or the project
had them): each decided by the recorded reviewer at the recorded time. An item whose annotator
has no set there stays recorded data only (in the history), never linked to a row it may not
have been. The annotators' sets this file created that the provenance names are approved with
the gold set, as closing adjudication does.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError

from accounts.models import User
from annotations.access import is_self_review
from annotations.adjudication import (
    Overridden,
    RestoredGold,
    gold_decisions_restore,
    gold_sets_restore,
)
from annotations.importing.records import GoldRecord, ImportRejected
from annotations.models import (
    AdjudicationDecision,
    AnnotationSet,
    Project,
    ReasonCode,
)

if TYPE_CHECKING:
    from annotations.importing.checking import RecordChecker
    from annotations.importing.records import ArticleRecord
    from annotations.importing.records import Item as Line

KINDS = ("span", "claim", "threat")


def gold_from(checker: RecordChecker, item: Line, raw: str, body: str, line: int) -> GoldRecord:
    """The gold part of a native line ("gold": true), or ImportRejected naming the line."""
    vocabulary, user = checker.vocabulary, checker.user
    if user is None or user.pk not in vocabulary.reviewers:
        raise checker.reject(
            line,
            'the line is a gold set ("gold": true), and only the project\'s reviewers may '
            'import gold; import the file as one of them, or set "gold" to false to import '
            "the line as an annotator's set.",
        )
    if item.get("annotator") is not None:
        raise checker.reject(line, "a gold set has no annotator: 'annotator' must be null.")
    provenance = item.get("provenance") or {}
    if not isinstance(provenance, dict):
        raise checker.reject(line, "'provenance' must be a JSON object.")
    annotators = provenance.get("annotators") or []
    if not isinstance(annotators, list) or not all(isinstance(a, str) for a in annotators):
        raise checker.reject(line, "provenance: 'annotators' must be a list of usernames.")
    for name in annotators:
        if vocabulary.members.get(name) not in vocabulary.annotators:
            raise checker.reject(
                line,
                f"provenance: {name!r} is not an annotator of the project; add them as an "
                "annotator before importing this gold set.",
            )
    annotator_ids = [vocabulary.members[name] for name in annotators]
    if is_self_review(user, vocabulary.project, annotator_ids):
        raise checker.reject(
            line,
            "you annotated this article (the provenance names you), so you may not import its "
            "gold set: the project does not allow self-review.",
        )
    reviewer = provenance.get("reviewer")
    reviewer_id = None
    if reviewer is not None:
        if not isinstance(reviewer, str) or vocabulary.members.get(reviewer) not in (
            vocabulary.reviewers
        ):
            raise checker.reject(
                line,
                f"provenance: the reviewer {reviewer!r} is not a reviewer of the project; add "
                "them as a reviewer before importing this gold set.",
            )
        reviewer_id = vocabulary.members[reviewer]
    adjudicated_at = _moment(provenance.get("adjudicated_at"))
    if adjudicated_at is False:
        raise checker.reject(
            line,
            f"provenance: 'adjudicated_at' {provenance.get('adjudicated_at')!r} is not a "
            "date and time (ISO 8601).",
        )
    guideline = provenance.get("guideline_version")
    if guideline is not None and (
        isinstance(guideline, bool) or not isinstance(guideline, int) or guideline < 1
    ):
        raise checker.reject(line, "provenance: 'guideline_version' must be a version number.")
    rejected = item.get("rejected") or []
    if not isinstance(rejected, list):
        raise checker.reject(line, "'rejected' must be a list.")
    records = [
        _rejected_from(checker, entry, raw, body, line, position, annotators)
        for position, entry in enumerate(rejected, start=1)
    ]
    if records and reviewer_id is None:
        raise checker.reject(
            line, "'rejected' lists overridden items, but the provenance names no reviewer."
        )
    return GoldRecord(
        annotators=annotators,
        reviewer_id=reviewer_id,
        adjudicated_at=adjudicated_at if isinstance(adjudicated_at, datetime.datetime) else None,
        guideline_version=guideline,
        rejected=records,
        recorded={
            "provenance": {
                "annotators": annotators,
                "reviewer": reviewer,
                "adjudicated_at": provenance.get("adjudicated_at"),
                "guideline_version": guideline,
            },
            "rejected": rejected,
        },
    )


def _moment(value: object) -> datetime.datetime | None | bool:
    """An ISO 8601 moment (UTC when it names no zone), None for none, False when malformed."""
    if value is None:
        return None
    if not isinstance(value, str):
        return False
    try:
        moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


def _rejected_from(
    checker: RecordChecker,
    entry: object,
    raw: str,
    body: str,
    line: int,
    position: int,
    annotators: list[str],
) -> Overridden:
    where = f"rejected item {position}"
    vocabulary = checker.vocabulary
    if not isinstance(entry, dict):
        raise checker.reject(line, f"{where} must be a JSON object.")
    kind = entry.get("kind")
    if kind not in KINDS:
        raise checker.reject(line, f"{where}: 'kind' must be one of {list(KINDS)}, not {kind!r}.")
    annotator = entry.get("annotator")
    if annotator not in annotators:
        raise checker.reject(
            line,
            f"{where}: its annotator {annotator!r} is not among the provenance's annotators.",
        )
    outcome = entry.get("outcome")
    if outcome not in AdjudicationDecision.Outcome.values:
        raise checker.reject(
            line,
            f"{where}: 'outcome' must be one of {AdjudicationDecision.Outcome.values}, "
            f"not {outcome!r}.",
        )
    reason_code = entry.get("reason_code")
    if reason_code not in ReasonCode.values:
        raise checker.reject(
            line,
            f"{where}: 'reason_code' must be one of {ReasonCode.values}, not {reason_code!r}.",
        )
    note = entry.get("note") or ""
    if not isinstance(note, str):
        raise checker.reject(line, f"{where}: 'note' must be a string.")
    record = Overridden(kind, annotator, outcome, reason_code, note)
    if kind == "threat":
        level = entry.get("level")
        if not isinstance(level, str) or level not in vocabulary.threat_levels:
            raise checker.reject(line, f"{where}: unknown threat level {level!r}.")
        record.level = level
        return record
    record.start, record.end = checker.offsets(raw, body, entry, line, where)
    if kind == "span":
        record.label = checker.span_from(raw, body, entry, line, position, where).label.name
    else:
        claim_type = entry.get("claim_type")
        if not isinstance(claim_type, str) or claim_type not in vocabulary.claim_types:
            raise checker.reject(line, f"{where}: unknown claim type {claim_type!r}.")
        record.claim_type = claim_type
    return record


@dataclass
class PendingGold:
    """A restored gold set whose decisions and annotators' approvals wait for the file's end,
    when every annotators' set it may point at is stored."""

    gold: AnnotationSet
    line: int
    record: GoldRecord


def restore_gold(
    project: Project,
    gold_records: list[tuple[int, ArticleRecord]],
    *,
    user: User | None,
    source: dict[str, Any],
    write_content: Callable[[list[tuple[AnnotationSet, ArticleRecord]]], None],
) -> list[PendingGold]:
    """Store each (article id, record) of a batch as the article's approved gold set
    (``adjudication.gold_sets_restore``); those with rejected items or annotators to approve,
    for ``restore_decisions`` at the file's end. `write_content` stores sets' spans, claims
    and threat (the batches' writer)."""
    golds = []
    for article_id, record in gold_records:
        assert record.gold is not None
        golds.append(
            RestoredGold(
                article_id=article_id,
                guideline_number=record.gold.guideline_version,
                recorded={
                    "import": {
                        **source,
                        "spans": len(record.spans),
                        "claims": len(record.claims),
                        "threat_assessments": int(record.threat is not None),
                        **record.gold.recorded,
                    }
                },
            )
        )
    records = [record for _, record in gold_records]
    sets = gold_sets_restore(
        project=project,
        golds=golds,
        write=lambda sets: write_content(list(zip(sets, records, strict=True))),
        user=user,
    )
    return [
        PendingGold(gold, record.line, record.gold)
        for gold, record in zip(sets, records, strict=True)
        if record.gold is not None and (record.gold.rejected or record.gold.annotators)
    ]


def restore_decisions(
    pending: list[PendingGold],
    *,
    user: User | None,
    filename: str,
    created_sets: dict[int, dict[str, int]],
) -> None:
    """The decisions of the file's restored gold sets, and the approval of the annotators' sets
    this file created (`created_sets`: their ids by article id and username) that the
    provenance names; ImportRejected naming the line of a rejected item that points nowhere."""
    for item in pending:
        created = created_sets.get(item.gold.article_id, {})
        try:
            gold_decisions_restore(
                gold=item.gold,
                overridden=item.record.rejected,
                decided_by_id=item.record.reviewer_id,
                decided_at=item.record.adjudicated_at,
                approve=[created[name] for name in item.record.annotators if name in created],
                user=user,
            )
        except ValidationError as error:
            raise ImportRejected(filename, item.line, error.messages[0]) from None
