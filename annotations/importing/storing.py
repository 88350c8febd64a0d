"""Storing parsed records as the parser reads them: in batches, in one transaction, so memory
stays flat however long the file and a file is still stored whole or not at all; spans by COPY
on PostgreSQL.

Articles whose text the project holds already (or that repeat earlier in the file) are
skipped and reported as duplicates, except a line of an annotation tool's export (native,
doccano: ``ArticleRecord.is_set``), which is one annotator's set: it is added to the article
found by its text's hash, unless that annotator has a set there already (then it is the
duplicate). So an export of several annotators' sets restores all of them. Claims and threat
assessments point at the spans stored for them, found again by their content.

The rows are written in bulk, not one by one through the annotating services, and recorded in
the project's history as the services would, one entry per annotation set the import creates:
the file, its SHA-256 and what the set received (spans, claims, threat assessment), in the
same transaction.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.models import User
from annotations import history, services
from annotations.importing.gold import PendingGold, restore_decisions, restore_gold
from annotations.importing.records import ArticleRecord, ImportRejected
from annotations.models import (
    AnnotationSet,
    Article,
    Claim,
    GuidelineVersion,
    Project,
    Span,
    ThreatAssessment,
)

WRITE_BATCH = 500
# A stored span by its content: (set, start, end, label, actor, note).
SpanKey = tuple[int, int, int, int, int | None, str]


@dataclass
class Duplicate:
    line: int
    title: str
    existing_article_id: int | None  # None: repeated earlier in the same file


@dataclass(frozen=True)
class ImportedFile:
    """The file an import reads, as its history entries name it."""

    filename: str
    sha256: str


@dataclass
class ImportReport:
    filename: str
    article_ids: list[int] = field(default_factory=list)  # of the articles imported, in order
    duplicates: list[Duplicate] = field(default_factory=list)
    span_count: int = 0
    added_sets: int = 0  # annotators' sets added to articles the project held already
    gold_sets: int = 0  # gold sets restored (native lines with "gold": true)

    @property
    def imported(self) -> int:
        return len(self.article_ids)

    @property
    def articles(self) -> list[Article]:
        """The articles imported, in file order (read from the database)."""
        return list(Article.objects.filter(pk__in=self.article_ids).order_by("id"))


class NoArticles(Exception):
    """The file held no article; the caller says why."""


def store(
    project: Project,
    source: ImportedFile,
    records: Iterable[ArticleRecord],
    *,
    user: User | None,
    progress: Callable[[], None] | None,
) -> ImportReport:
    """Store the records as they come, WRITE_BATCH at a time, in one transaction: an
    ImportRejected raised while the records are read (a bad line further on) stores nothing.
    Raises NoArticles, storing nothing, when `records` is empty."""
    report = ImportReport(source.filename)
    batches = _Batches(project, source, user, report)
    outermost = not connection.in_atomic_block
    try:
        with transaction.atomic():
            if outermost:
                _check_references_as_written()
            batch: list[ArticleRecord] = []
            for record in records:
                batch.append(record)
                if len(batch) >= WRITE_BATCH:
                    batches.store(batch)
                    batch = []
                    if progress:
                        progress()
            if batch:
                batches.store(batch)
            if not batches.records:
                raise NoArticles()
            batches.finish()
    except IntegrityError as error:
        report.article_ids.clear()
        raise ImportRejected(
            source.filename, None, f"the database refused the import ({error}); nothing was stored."
        ) from error
    except ValidationError as error:
        if error.code != services.DELETED_MEANWHILE:
            raise
        report.article_ids.clear()
        raise ImportRejected(
            source.filename,
            None,
            "a label or actor the file uses was deleted while it was being imported; nothing "
            "was stored.",
        ) from error
    return report


def _check_references_as_written() -> None:
    """On PostgreSQL, check each row's foreign keys as it is written, not all at the commit
    (Django declares them deferred): the server checks them while this process parses the
    next batch, on the other core, and queues no check per row until the commit, which took
    two fifths of an import's time. Written parents-first, the rows pass either way. Only
    for an import that is its own transaction: inside a caller's, the switch would check the
    caller's pending rows now and leave its constraints immediate after the import."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class _Batches:
    """What storing one file's batches one after another keeps: the text hashes met so far (to
    skip duplicates), whose sets the articles have, and the annotators' usernames."""

    def __init__(
        self, project: Project, source: ImportedFile, user: User | None, report: ImportReport
    ):
        self.project, self.source, self.user, self.report = project, source, user, report
        self.guideline = project.current_guideline()
        self.existing: dict[str, int] = {}  # articles the project held before, by text hash
        self.added: dict[str, int] = {}  # articles this file added, by text hash
        self.owners: set[tuple[str, int | None]] = set()  # (text hash, annotator id) of sets
        self.usernames: dict[int | None, str] = {}
        self.records = 0
        self.gold_texts: set[str] = set()  # text hashes of this file's gold lines
        self.pending: list[PendingGold] = []  # gold sets whose decisions come at the end
        # The ids of the annotators' sets this file created, by article id and username.
        self.created: dict[int, dict[str, int]] = {}

    def store(self, batch: list[ArticleRecord]) -> None:
        self.records += len(batch)
        report = self.report
        unknown = {r.sha256 for r in batch} - self.existing.keys() - self.added.keys()
        found = _existing_hashes(self.project, unknown)
        self.owners |= _existing_owners(self.project, found)
        self.existing |= found
        seen: set[str] = set()  # texts of this batch
        fresh = []
        more_sets = []  # sets for articles that the project or an earlier line holds
        gold = []  # gold sets (gold.py), stored once their articles are
        for record in batch:
            sha = record.sha256
            if record.gold is not None:
                if sha in self.gold_texts:
                    report.duplicates.append(
                        Duplicate(record.line, record.title, self.existing.get(sha))
                    )
                    continue
                self.gold_texts.add(sha)
                gold.append(record)
                if sha not in self.existing and sha not in self.added and sha not in seen:
                    seen.add(sha)
                    fresh.append(record)  # the article, without a set: gold comes last
                continue
            owner = (sha, record.annotator_id)
            if sha in self.existing or sha in self.added or sha in seen:
                if record.is_set and record.annotator_id is not None and owner not in self.owners:
                    self.owners.add(owner)
                    more_sets.append(record)
                    continue
                report.duplicates.append(
                    Duplicate(record.line, record.title, self.existing.get(sha))
                )
                continue
            seen.add(sha)
            self.owners.add(owner)
            fresh.append(record)
        wanted = {r.annotator_id for r in (*fresh, *more_sets)} - self.usernames.keys()
        self.usernames |= dict(
            User.objects.filter(pk__in=[pk for pk in wanted if pk is not None]).values_list(
                "pk", "username"
            )
        )
        if fresh:
            article_ids, sets = _write_batch(self.project, fresh, self.user, self.guideline)
            report.article_ids += article_ids
            self.added |= {r.sha256: pk for r, pk in zip(fresh, article_ids, strict=True)}
            self._record_sets(sets)
            report.span_count += sum(len(r.spans) for r in fresh if r.gold is None)
        if more_sets:
            known = self.existing | self.added
            sets = _write_sets([(known[r.sha256], r) for r in more_sets], self.guideline)
            self._record_sets(sets)
            report.added_sets += len(more_sets)
            report.span_count += sum(len(record.spans) for record in more_sets)
        if gold:
            self._store_gold(gold)

    def _record_sets(self, sets: list[tuple[AnnotationSet, ArticleRecord]]) -> None:
        _record_sets(self.project, self.user, self.source, sets, self.usernames)
        for annotation_set, _ in sets:
            username = self.usernames[annotation_set.annotator_id]
            self.created.setdefault(annotation_set.article_id, {})[username] = annotation_set.pk

    def _store_gold(self, records: list[ArticleRecord]) -> None:
        """The batch's gold sets; an article that has one already keeps it (the line is a
        duplicate)."""
        known = self.existing | self.added
        has_gold = set(
            AnnotationSet.objects.filter(
                article_id__in={known[r.sha256] for r in records}, is_gold=True
            ).values_list("article_id", flat=True)
        )
        restored = []
        for record in records:
            article_id = known[record.sha256]
            if article_id in has_gold:
                self.report.duplicates.append(
                    Duplicate(record.line, record.title, self.existing.get(record.sha256))
                )
            else:
                restored.append((article_id, record))
        self.pending += restore_gold(
            self.project,
            restored,
            user=self.user,
            source={"file": self.source.filename, "sha256": self.source.sha256},
            write_content=lambda sets: _write_content(sets, timezone.now()),
        )
        self.report.gold_sets += len(restored)
        self.report.span_count += sum(len(record.spans) for _, record in restored)

    def finish(self) -> None:
        """The restored gold sets' decisions, once every other line is stored (so the
        annotators' sets they point at are there, wherever they stand in the file)."""
        restore_decisions(
            self.pending, user=self.user, filename=self.source.filename, created_sets=self.created
        )


def _existing_hashes(project: Project, hashes: Iterable[str]) -> dict[str, int]:
    hashes = list(hashes)
    found: dict[str, int] = {}
    for start in range(0, len(hashes), WRITE_BATCH):
        rows = Article.objects.filter(
            project=project, body_sha256__in=hashes[start : start + WRITE_BATCH]
        ).values_list("body_sha256", "id")
        found.update(rows)
    return found


def _existing_owners(project: Project, existing: dict[str, int]) -> set[tuple[str, int | None]]:
    """(text hash, annotator id) of every annotator's set on the articles of `existing`."""
    sha_of = {pk: sha for sha, pk in existing.items()}
    owners: set[tuple[str, int | None]] = set()
    ids = list(sha_of)
    for start in range(0, len(ids), WRITE_BATCH):
        rows = AnnotationSet.objects.filter(
            article_id__in=ids[start : start + WRITE_BATCH], annotator__isnull=False
        ).values_list("article_id", "annotator_id")
        owners.update((sha_of[article_id], annotator_id) for article_id, annotator_id in rows)
    return owners


def _record_sets(
    project: Project,
    user: User | None,
    source: ImportedFile,
    sets: list[tuple[AnnotationSet, ArticleRecord]],
    usernames: dict[int | None, str],
) -> None:
    """One history entry per annotation set created: its file and what it received."""
    history.record_many(
        project=project,
        user=user,
        entries=[
            history.set_created(
                annotation_set,
                usernames[annotation_set.annotator_id],
                **{
                    "import": {
                        "file": source.filename,
                        "sha256": source.sha256,
                        "spans": len(record.spans),
                        "claims": len(record.claims),
                        "threat_assessments": int(record.threat is not None),
                    }
                },
            )
            for annotation_set, record in sets
        ],
    )


def _write_batch(
    project: Project,
    records: list[ArticleRecord],
    user: User | None,
    guideline: GuidelineVersion | None,
) -> tuple[list[int], list[tuple[AnnotationSet, ArticleRecord]]]:
    """The ids of the articles of `records`, and the annotation sets created with them (with
    the record each came from)."""
    articles = Article.objects.bulk_create(
        [
            Article(
                project=project,
                title=record.title,
                body=record.body,
                body_sha256=record.sha256,
                source=record.source,
                url=record.url,
                published=record.published,
                language=record.language,
                external_id=record.external_id,
                metadata=record.metadata,
                imported_by=user,
            )
            for record in records
        ]
    )
    created = _write_sets(
        [(a.pk, r) for a, r in zip(articles, records, strict=True) if r.annotator_id is not None],
        guideline,
    )
    return [article.pk for article in articles], created


def _write_sets(
    annotated: list[tuple[int, ArticleRecord]], guideline: GuidelineVersion | None
) -> list[tuple[AnnotationSet, ArticleRecord]]:
    """One annotation set per (article id, record), with the record's spans, claims and threat
    assessment; the sets created, each with the record it came from."""
    if not annotated:
        return []
    now = timezone.now()
    sets = AnnotationSet.objects.bulk_create(
        [
            AnnotationSet(
                article_id=article_id,
                annotator_id=record.annotator_id,
                status=AnnotationSet.Status.IN_PROGRESS,
                guideline_version=guideline,
                created_at=now,
                updated_at=now,
            )
            for article_id, record in annotated
        ]
    )
    created = [(s, record) for s, (_, record) in zip(sets, annotated, strict=True)]
    _write_content(created, now)
    return created


def _write_content(sets: list[tuple[AnnotationSet, ArticleRecord]], now: datetime.datetime) -> None:
    """The spans, claims and threat assessment of each (annotation set, record)."""
    services.lock_vocabulary(
        [span.label.pk for _, record in sets for span in record.spans],
        [span.actor.pk for _, record in sets for span in record.spans if span.actor],
    )
    rows = (
        (
            annotation_set.id,
            span.start,
            span.end,
            span.quote,
            span.label.pk,
            span.actor.pk if span.actor else None,
            span.note,
            _json_column(span.provenance),
        )
        for annotation_set, record in sets
        for span in record.spans
    )
    _insert_spans(rows, now=now)
    _write_claims([s for s, _ in sets], [record for _, record in sets])


def _write_claims(sets: list[AnnotationSet], records: list[ArticleRecord]) -> None:
    """Claims and threat assessments of imported sets, pointing at the spans just stored."""
    pending = [(s, r) for s, r in zip(sets, records, strict=True) if r.claims or r.threat]
    if not pending:
        return
    stored: dict[SpanKey, list[int]] = {}
    for pk, set_id, start, end, label_id, actor_id, note in Span.objects.filter(
        annotation_set__in=[s for s, _ in pending]
    ).values_list("id", "annotation_set_id", "start", "end", "label_id", "actor_id", "note"):
        stored.setdefault((set_id, start, end, label_id, actor_id, note), []).append(pk)
    claims, owners = [], []
    for annotation_set, record in pending:
        taken: dict[SpanKey, int] = {}
        span_ids = []
        for span in record.spans:
            key = (
                annotation_set.pk,
                span.start,
                span.end,
                span.label.pk,
                span.actor.pk if span.actor else None,
                span.note,
            )
            index = taken.get(key, 0)
            taken[key] = index + 1
            span_ids.append(stored[key][index])
        for claim in record.claims:
            claims.append(
                Claim(
                    annotation_set=annotation_set,
                    span_id=span_ids[claim.span],
                    claim_type=claim.claim_type,
                    claimant=claim.claimant,
                    claimant_span_id=(
                        None if claim.claimant_span is None else span_ids[claim.claimant_span]
                    ),
                    reliability=claim.reliability,
                    credibility=claim.credibility,
                    note=claim.note,
                    provenance=claim.provenance,
                )
            )
            owners.append((annotation_set, record, claim))
    claims = Claim.objects.bulk_create(claims)
    Claim.targets.through.objects.bulk_create(
        Claim.targets.through(claim_id=stored_claim.pk, actor_id=target.pk)
        for stored_claim, (_, _, claim) in zip(claims, owners, strict=True)
        for target in {t.pk: t for t in claim.targets}.values()
    )
    claim_ids: dict[int, list[int]] = {}
    for stored_claim, (annotation_set, _, _) in zip(claims, owners, strict=True):
        claim_ids.setdefault(annotation_set.pk, []).append(stored_claim.pk)
    threatened = [(s, r.threat) for s, r in pending if r.threat is not None]
    assessments = ThreatAssessment.objects.bulk_create(
        ThreatAssessment(
            annotation_set=annotation_set,
            level=threat.level,
            rationale=threat.rationale,
            provenance=threat.provenance,
        )
        for annotation_set, threat in threatened
    )
    ThreatAssessment.claims.through.objects.bulk_create(
        ThreatAssessment.claims.through(
            threatassessment_id=assessment.pk, claim_id=claim_ids[annotation_set.pk][position]
        )
        for assessment, (annotation_set, threat) in zip(assessments, threatened, strict=True)
        for position in sorted(set(threat.claims))
    )


SPAN_COLUMNS = (
    *("annotation_set", "start", "end", "quote", "label", "actor", "note", "provenance"),
    *("created_at", "updated_at"),
)


def _json_column(value: dict[str, Any] | None) -> Any:
    """A JSON value as _insert_spans writes it: PostgreSQL's COPY takes a jsonb wrapper, other
    databases the JSON text."""
    if value is None:
        return None
    if connection.vendor == "postgresql":
        from psycopg.types.json import Jsonb

        return Jsonb(value)
    return json.dumps(value)


def _insert_spans(rows: Iterable[tuple[Any, ...]], *, now: datetime.datetime) -> None:
    """Insert span rows (values in SPAN_COLUMNS order, but for the two times, which are `now`)
    without building model instances.

    Imports are mostly spans, and the ORM's bulk_create spends ~5x longer preparing them than
    the database takes to store them: PostgreSQL gets a COPY, other databases one executemany.
    """
    table = connection.ops.quote_name(Span._meta.db_table)
    column_of = {f.name: f.column for f in Span._meta.concrete_fields if f.column is not None}
    names = [column_of[name] for name in SPAN_COLUMNS]
    columns = ", ".join(connection.ops.quote_name(name) for name in names)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Binary COPY: ~4x less client time than text, but it needs each column's type.
            cursor.execute(
                "SELECT attname, format_type(atttypid, NULL) FROM pg_attribute "
                "WHERE attrelid = %s::regclass AND attnum > 0",
                [Span._meta.db_table],
            )
            types = dict(cursor.fetchall())
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types([types[name] for name in names])
                for row in rows:
                    copy.write_row((*row, now, now))
        else:
            stamp = connection.ops.adapt_datetimefield_value(now)
            placeholders = ", ".join(["%s"] * len(SPAN_COLUMNS))
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",
                [(*row, stamp, stamp) for row in rows],  # one batch of a file's articles
            )
