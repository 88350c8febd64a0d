"""The one reader behind every export: a project's selected annotation sets as plain records.

Articles are read in chunks (``.iterator(chunk_size=...)``) and everything about a chunk comes
from a handful of queries (plain SQL for the many-row tables), so memory stays flat however
large the project is and no ORM object is built per span. Each record is one annotation set on
one article, in the native JSONL shape (see ``native.py``); the other formats are views of it.

Determinism: records come in article-id order; inside a record, spans are sorted by
(start, end, label, actor, note) and claims by (span, claim type, claimant, ...), and refer to each
other by position, not by database id, so the same data always gives the same bytes and a
re-imported project exports the same file.
"""

from __future__ import annotations

import datetime
import json
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection

from annotations.models import (
    Actor,
    AdjudicationDecision,
    AnnotationSet,
    Article,
    Claim,
    ClaimType,
    Label,
    Project,
    Span,
    ThreatAssessment,
    ThreatLevel,
)
from annotations.models.core import AnnotationSetQuerySet
from annotations.models.releases import ANNOTATOR_SETS, GOLD_SETS

Record = dict[str, Any]  # one annotation set on one article, in the native shape
Row = tuple[Any, ...]  # a row as the database gives it

CHUNK_SIZE = 100

GOLD = GOLD_SETS
ANNOTATORS = ANNOTATOR_SETS


@dataclass(frozen=True)
class Selection:
    """Which annotation sets an export reads.

    ``gold``: the approved gold set of each article (the default, what releases hold).
    ``annotators``: the annotators' own sets (managers only), optionally only some annotators'
    and only some statuses.
    """

    sets: str = GOLD
    annotators: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Selection:
        data = dict(data or {})
        sets = data.pop("sets", GOLD)
        if sets not in (GOLD, ANNOTATORS):
            raise ValidationError(
                {"filter": f"'sets' must be 'gold' or 'annotators', not {sets!r}."}
            )
        annotators = data.pop("annotators", []) or []
        statuses = data.pop("statuses", []) or []
        if data:
            raise ValidationError({"filter": f"Unknown filter key(s): {sorted(data)}."})
        if not isinstance(annotators, list) or not all(isinstance(a, str) for a in annotators):
            raise ValidationError({"filter": "'annotators' must be a list of usernames."})
        valid = set(AnnotationSet.Status.values)
        if not isinstance(statuses, list) or not set(statuses) <= valid:
            raise ValidationError({"filter": f"'statuses' must be a list of {sorted(valid)}."})
        return cls(sets, tuple(sorted(annotators)), tuple(sorted(statuses)))

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"sets": self.sets}
        if self.annotators:
            data["annotators"] = list(self.annotators)
        if self.statuses:
            data["statuses"] = list(self.statuses)
        return data

    def annotation_sets(self, project: Project) -> AnnotationSetQuerySet:
        return self.narrow(AnnotationSet.objects.filter(article__project=project))

    def narrow(self, sets: AnnotationSetQuerySet) -> AnnotationSetQuerySet:
        """`sets` cut down to the selected ones (without the project condition)."""
        if self.sets == GOLD:
            sets = sets.adjudicated()
        else:
            sets = sets.annotators_only()
            if self.annotators:
                sets = sets.filter(annotator__username__in=self.annotators)
            if self.statuses:
                sets = sets.filter(status__in=self.statuses)
        return sets


@dataclass
class Vocabulary:
    """The project's labels, claim types, threat levels and actors, loaded once."""

    labels: dict[int, str]
    label_names: list[str]
    claim_types: dict[int, str]
    levels: dict[int, tuple[str, int]]
    actors: dict[int, dict[str, str]]

    @classmethod
    def load(cls, project: Project) -> Vocabulary:
        labels = dict(Label.objects.filter(project=project).values_list("id", "name"))
        label_names = list(
            Label.objects.filter(project=project)
            .order_by("position", "name")
            .values_list("name", flat=True)
        )
        actors = {
            pk: {"name": name, "kind": kind, "external_id": external_id}
            for pk, name, kind, external_id in Actor.objects.filter(project=project).values_list(
                "id", "name", "kind", "external_id"
            )
        }
        return cls(
            labels=labels,
            label_names=label_names,
            claim_types=dict(ClaimType.objects.filter(project=project).values_list("id", "name")),
            levels={
                pk: (name, rank)
                for pk, name, rank in ThreatLevel.objects.filter(project=project).values_list(
                    "id", "name", "rank"
                )
            },
            actors=actors,
        )

    def threat_scale(self) -> tuple[str, ...]:
        """The threat levels' names, lowest rank first."""
        return tuple(name for name, _ in sorted(self.levels.values(), key=lambda level: level[1]))


def _iso(value: datetime.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


def count_sets(project: Project, selection: Selection) -> int:
    count: int = selection.annotation_sets(project).count()
    return count


def iter_records(
    project: Project,
    selection: Selection = Selection(),  # noqa: B008 - frozen, so sharing is safe
    *,
    chunk_size: int = CHUNK_SIZE,
    progress: Callable[[int], None] | None = None,
) -> Iterator[Record]:
    """Every selected annotation set as a native record, in a stable order."""
    vocabulary = Vocabulary.load(project)
    selected = selection.annotation_sets(project)
    articles = (
        Article.objects.filter(project=project, pk__in=selected.values("article_id"))
        .order_by("id")
        .values_list(
            "id",
            "external_id",
            "title",
            "body",
            "source",
            "url",
            "published",
            "language",
            "body_sha256",
            "metadata",
        )
    )
    chunk: list[Row] = []
    for row in articles.iterator(chunk_size=chunk_size):
        chunk.append(row)
        if len(chunk) >= chunk_size:
            yield from _chunk_records(project, chunk, selection, vocabulary)
            if progress:
                progress(len(chunk))
            chunk = []
    if chunk:
        yield from _chunk_records(project, chunk, selection, vocabulary)
        if progress:
            progress(len(chunk))


# The many-row tables of a chunk, read with plain SQL: their columns are integers and text,
# which need no conversion, and the ORM's per-query and per-row work costs more than the
# database does. `{ids}` is a list of ids, written into the query as numbers.
SPANS_SQL = """SELECT annotation_set_id, id, start, "end", quote, label_id, actor_id, note,
provenance FROM annotations_span WHERE annotation_set_id IN ({ids})"""
CLAIMS_SQL = """SELECT annotation_set_id, id, span_id, claimant_id, claimant_span_id,
claim_type_id, reliability, credibility, note, provenance
FROM annotations_claim WHERE annotation_set_id IN ({ids})"""
ASSESSMENTS_SQL = """SELECT annotation_set_id, id, level_id, rationale, provenance
FROM annotations_threatassessment WHERE annotation_set_id IN ({ids})"""
# The links by the claims' and assessments' own ids, not by a join from their sets: for a
# join, the planner may well scan the whole link table.
TARGETS_SQL = """SELECT claim_id, actor_id FROM annotations_claim_targets
WHERE claim_id IN ({ids})"""
ASSESSED_CLAIMS_SQL = """SELECT threatassessment_id, claim_id
FROM annotations_threatassessment_claims WHERE threatassessment_id IN ({ids})"""


def _rows(sql: str, ids: list[int]) -> list[Row]:
    if not ids:
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql.format(ids=",".join(str(int(pk)) for pk in ids)))
        rows: list[Row] = cursor.fetchall()
        return rows


def _chunk_records(
    project: Project, articles: list[Row], selection: Selection, vocabulary: Vocabulary
) -> Iterator[Record]:
    # The chunk is a run of consecutive articles (by id) of those with a selected set, so
    # "the project's articles with ids from the first to the last" names them without a list
    # of ids. Queries ask for no ordering: records sort their contents themselves.
    article_range = (articles[0][0], articles[-1][0])
    sets = list(
        selection.narrow(
            AnnotationSet.objects.filter(article__project=project, article__id__range=article_range)
        )
        .order_by()
        .values_list(
            "id", "article_id", "annotator__username", "is_gold", "guideline_version__number"
        )
    )
    set_ids = [row[0] for row in sets]
    spans_by_set: dict[int, list[Row]] = defaultdict(list)
    claims_by_set: dict[int, list[Row]] = defaultdict(list)
    targets: dict[int, list[int]] = defaultdict(list)
    assessments: dict[int, Row] = {}
    assessed_claims: dict[int, list[int]] = defaultdict(list)
    if set_ids:
        for row in _rows(SPANS_SQL, set_ids):
            spans_by_set[row[0]].append(row)
        claim_ids = []
        for row in _rows(CLAIMS_SQL, set_ids):
            claims_by_set[row[0]].append(row)
            claim_ids.append(row[1])
        for claim_id, actor_id in _rows(TARGETS_SQL, claim_ids):
            targets[claim_id].append(actor_id)
        assessments = {row[0]: row[1:] for row in _rows(ASSESSMENTS_SQL, set_ids)}
        assessment_ids = [row[0] for row in assessments.values()]
        for assessment_id, claim_id in _rows(ASSESSED_CLAIMS_SQL, assessment_ids):
            assessed_claims[assessment_id].append(claim_id)
    review = _review_facts(project, article_range, [row[0] for row in sets if row[3]])

    sets_by_article: dict[int, list[Row]] = defaultdict(list)
    for row in sets:
        sets_by_article[row[1]].append(row)
    for article in articles:
        article_sets = sorted(sets_by_article[article[0]], key=lambda r: (r[3], r[2] or ""))
        for set_id, _, annotator, is_gold, guideline in article_sets:
            yield _record(
                article,
                set_id=set_id,
                annotator=annotator,
                is_gold=is_gold,
                guideline=guideline,
                spans=spans_by_set[set_id],
                claims=claims_by_set[set_id],
                targets=targets,
                assessment=assessments.get(set_id),
                assessed_claims=assessed_claims,
                review=review,
                vocabulary=vocabulary,
            )


def _review_facts(
    project: Project, article_range: tuple[int, int], gold_set_ids: list[int]
) -> dict[str, Any]:
    """Who annotated each article, who adjudicated it and when, and what was rejected."""
    annotators: dict[int, set[str]] = defaultdict(set)
    for article_id, username in (
        AnnotationSet.objects.filter(article__project=project, article__id__range=article_range)
        .annotators_only()
        .handed_in()
        .order_by()
        .values_list("article_id", "annotator__username")
    ):
        annotators[article_id].add(username)
    facts: dict[str, Any] = {
        "annotators": annotators,
        "adjudication": {},
        "rejected": defaultdict(list),
        "added": defaultdict(list),
    }
    if not gold_set_ids:
        return facts
    decisions = list(
        AdjudicationDecision.objects.filter(gold_set_id__in=gold_set_ids)
        .order_by()
        .values_list(
            "id",
            "gold_set_id",
            "key",
            "kind",
            "outcome",
            "reason_code",
            "note",
            "gold_span_id",
            "decided_by__username",
            "decided_at",
            "gold_claim_id",
        )
    )
    last: dict[int, tuple[str, datetime.datetime]] = {}
    for row in decisions:
        gold_set_id, decided_by, decided_at = row[1], row[8], row[9]
        if gold_set_id not in last or decided_at > last[gold_set_id][1]:
            last[gold_set_id] = (decided_by, decided_at)
    facts["adjudication"] = last
    for row in decisions:
        if row[4] == AdjudicationDecision.Outcome.ADDED:
            facts["added"][row[1]].append(row)
    overridden = {row[0]: row for row in decisions if row[5]}
    if not overridden:
        return facts
    rejected = facts["rejected"]
    for decision_id, entry in _overridden_spans(overridden):
        rejected[overridden[decision_id][1]].append(entry)
    for decision_id, entry in _overridden_claims(overridden):
        rejected[overridden[decision_id][1]].append(entry)
    for decision_id, entry in _overridden_threats(overridden):
        rejected[overridden[decision_id][1]].append(entry)
    return facts


def _outcome(decision: Row) -> dict[str, Any]:
    return {"outcome": decision[4], "reason_code": decision[5], "note": decision[6]}


def _overridden_spans(overridden: dict[int, Row]) -> Iterator[tuple[int, dict[str, Any]]]:
    """The annotators' spans a decision overrode: those gold does not keep as they were."""
    links = AdjudicationDecision.spans.through.objects.filter(
        adjudicationdecision_id__in=list(overridden)
    ).values_list("adjudicationdecision_id", "span_id")
    span_ids = defaultdict(list)
    for decision_id, span_id in links:
        span_ids[decision_id].append(span_id)
    wanted = {span_id for ids in span_ids.values() for span_id in ids}
    wanted |= {row[7] for row in overridden.values() if row[7]}
    spans = {
        row[0]: row[1:]
        for row in Span.objects.filter(pk__in=wanted)
        .order_by()
        .values_list(
            "id", "start", "end", "quote", "label__name", "annotation_set__annotator__username"
        )
    }
    for decision_id, row in overridden.items():
        gold_span = spans.get(row[7])
        for span_id in span_ids[decision_id]:
            start, end, quote, label, annotator = spans[span_id]
            if gold_span is not None and gold_span[:2] == (start, end) and gold_span[3] == label:
                continue
            yield (
                decision_id,
                {
                    "kind": row[3],
                    "start": start,
                    "end": end,
                    "quote": quote,
                    "label": label,
                    "annotator": annotator,
                    **_outcome(row),
                },
            )


def _overridden_claims(overridden: dict[int, Row]) -> Iterator[tuple[int, dict[str, Any]]]:
    """The annotators' claims a decision overrode, with the values gold did not keep (type,
    claimant, targets, Admiralty grading)."""
    links = list(
        AdjudicationDecision.claims.through.objects.filter(
            adjudicationdecision_id__in=list(overridden)
        ).values_list("adjudicationdecision_id", "claim_id")
    )
    if not links:
        return
    wanted = {claim_id for _, claim_id in links}
    wanted |= {row[10] for row in overridden.values() if row[10]}
    claims = {
        row[0]: row[1:]
        for row in Claim.objects.filter(pk__in=wanted)
        .order_by()
        .values_list(
            "id",
            "span__start",
            "span__end",
            "span__quote",
            "claim_type__name",
            "claimant__name",
            "reliability",
            "credibility",
            "annotation_set__annotator__username",
        )
    }
    targets: dict[int, list[str]] = defaultdict(list)
    for claim_id, name in (
        Claim.targets.through.objects.filter(claim_id__in=wanted)
        .order_by("actor__name")
        .values_list("claim_id", "actor__name")
    ):
        targets[claim_id].append(name)

    def value(claim_id: int) -> tuple[Any, ...]:
        return (*claims[claim_id][3:7], tuple(targets[claim_id]))

    for decision_id, claim_id in sorted(links):
        row = overridden[decision_id]
        if row[10] in claims and value(row[10]) == value(claim_id):
            continue
        start, end, quote, claim_type, claimant, reliability, credibility, annotator = claims[
            claim_id
        ]
        yield (
            decision_id,
            {
                "kind": row[3],
                "start": start,
                "end": end,
                "quote": quote,
                "claim_type": claim_type,
                "claimant": claimant,
                "targets": targets[claim_id],
                "reliability": reliability,
                "credibility": credibility,
                "grading": f"{reliability}{credibility or ''}",
                "annotator": annotator,
                **_outcome(row),
            },
        )


def _overridden_threats(overridden: dict[int, Row]) -> Iterator[tuple[int, dict[str, Any]]]:
    """The annotators' threat levels a decision overrode: those other than the gold level."""
    links = list(
        AdjudicationDecision.threat_assessments.through.objects.filter(
            adjudicationdecision_id__in=list(overridden)
        ).values_list("adjudicationdecision_id", "threatassessment_id")
    )
    if not links:
        return
    gold_levels = dict(
        ThreatAssessment.objects.filter(
            annotation_set_id__in={overridden[d][1] for d, _ in links}
        ).values_list("annotation_set_id", "level__name")
    )
    assessments = {
        row[0]: row[1:]
        for row in ThreatAssessment.objects.filter(pk__in={t for _, t in links})
        .order_by()
        .values_list("id", "level__name", "rationale", "annotation_set__annotator__username")
    }
    for decision_id, assessment_id in sorted(links):
        row = overridden[decision_id]
        level, rationale, annotator = assessments[assessment_id]
        if gold_levels.get(row[1]) == level:
            continue
        yield (
            decision_id,
            {
                "kind": row[3],
                "start": None,
                "end": None,
                "quote": "",
                "level": level,
                "rationale": rationale,
                "annotator": annotator,
                **_outcome(row),
            },
        )


def _provenance(value: Any) -> dict[str, Any]:
    """An accepted suggestion's provenance as the item's "provenance" key ({} when the item did
    not come from a suggestion). The plain SQL reads a JSON column as text on SQLite."""
    if value is None:
        return {}
    if isinstance(value, str):
        value = json.loads(value)
    return {"provenance": value} if value else {}


def _record(
    article: Row,
    *,
    set_id: int,
    annotator: str | None,
    is_gold: bool,
    guideline: int | None,
    spans: list[Row],
    claims: list[Row],
    targets: dict[int, list[int]],
    assessment: Row | None,
    assessed_claims: dict[int, list[int]],
    review: dict[str, Any],
    vocabulary: Vocabulary,
) -> Record:
    (article_id, external_id, title, body, source, url, published, language, sha, metadata) = (
        article
    )
    labels, actors = vocabulary.labels, vocabulary.actors
    span_rows = sorted(
        spans,
        key=lambda s: (
            s[2],
            s[3],
            labels[s[5]],
            actors[s[6]]["name"] if s[6] else "",
            s[7],
            s[1],
        ),
    )
    span_index = {row[1]: index for index, row in enumerate(span_rows)}
    out_spans = [
        {
            "id": index,
            "start": start,
            "end": end,
            "quote": quote,
            "label": labels[label_id],
            "actor": actors[actor_id] if actor_id else None,
            "note": note,
            **_provenance(provenance),
        }
        for index, (_, _, start, end, quote, label_id, actor_id, note, provenance) in enumerate(
            span_rows
        )
    ]

    def actor_name(actor_id: int | None) -> str:
        return actors[actor_id]["name"] if actor_id else ""

    claim_rows = sorted(
        claims,
        key=lambda c: (
            span_index[c[2]],
            vocabulary.claim_types[c[5]],
            actor_name(c[3]),
            span_index.get(c[4], -1),
            c[6],
            c[7] or 0,
            c[8],
            c[1],
        ),
    )
    claim_index = {row[1]: index for index, row in enumerate(claim_rows)}
    out_claims = []
    for index, row in enumerate(claim_rows):
        (_, claim_id, span_id, claimant, claimant_span, type_id, reliability, credibility, note) = (
            row[:9]
        )
        out_claims.append(
            {
                "id": index,
                "span": span_index[span_id],
                "claimant": actors[claimant] if claimant else None,
                "claimant_span": span_index.get(claimant_span),
                "targets": sorted(
                    (actors[a] for a in targets.get(claim_id, ())), key=lambda a: a["name"]
                ),
                "claim_type": vocabulary.claim_types[type_id],
                "reliability": reliability,
                "credibility": credibility,
                "grading": f"{reliability}{credibility or ''}",
                "note": note,
                **_provenance(row[9]),
            }
        )
    threat = None
    if assessment is not None:
        assessment_id, level_id, rationale, assessment_provenance = assessment
        level, rank = vocabulary.levels[level_id]
        threat = {
            "level": level,
            "rank": rank,
            "rationale": rationale,
            "claims": sorted(claim_index[c] for c in assessed_claims.get(assessment_id, ())),
            **_provenance(assessment_provenance),
        }
    provenance: dict[str, Any] = {
        "annotators": [annotator],
        "reviewer": None,
        "adjudicated_at": None,
        "guideline_version": guideline,
    }
    rejected: list[dict[str, Any]] = []
    added: list[dict[str, Any]] = []
    if is_gold:
        # The items a reviewer added that no annotator marked (reason code "missed").
        for row in review["added"].get(set_id, ()):
            where = (
                {"span": span_index.get(row[7])}
                if row[3] == AdjudicationDecision.Kind.SPAN
                else {"claim": claim_index.get(row[10])}
            )
            added.append({"kind": row[3], **where, **_outcome(row), "reviewer": row[8]})
        added.sort(key=lambda a: (a["kind"], a.get("span", -1) or 0, a.get("claim", -1) or 0))
        reviewer, adjudicated_at = review["adjudication"].get(set_id, (None, None))
        provenance |= {
            "annotators": sorted(review["annotators"].get(article_id, ())),
            "reviewer": reviewer,
            "adjudicated_at": _iso(adjudicated_at),
        }
        kinds = {"span": 0, "claim": 1, "threat": 2}
        rejected = sorted(
            review["rejected"].get(set_id, ()),
            key=lambda r: (
                kinds.get(r["kind"], 3),
                r["start"] if r["start"] is not None else -1,
                r["end"] if r["end"] is not None else -1,
                r.get("label") or r.get("claim_type") or r.get("level") or "",
                r["annotator"] or "",
                r.get("grading", ""),
            ),
        )
    return {
        "id": sha[:16],
        "external_id": external_id,
        "title": title,
        "text": body,
        "source": source,
        "url": url,
        "published": published.isoformat() if published else None,
        "language": language,
        "sha256": sha,
        "metadata": metadata,
        "gold": is_gold,
        "annotator": annotator,
        "spans": out_spans,
        "claims": out_claims,
        "threat_assessment": threat,
        "provenance": provenance,
        "rejected": rejected,
        "added": added,
    }
