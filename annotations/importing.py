"""Importing articles: plain text, HTML pages, JSONL and CSV, used by the command, pages and API.

A file is imported whole or not at all. Parsing and checking come first and touch nothing; the
writes then run in one transaction. Bad input raises ``ImportRejected`` naming the file, the
line and the reason.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from annotations.models import (
    Actor,
    AnnotationSet,
    Article,
    Claim,
    ClaimType,
    Label,
    Membership,
    Project,
    Span,
    ThreatAssessment,
    ThreatLevel,
    sha256_of,
)
from annotations.text import check_span_offsets, normalise_text

FORMATS = ("text", "html", "jsonl", "csv", "native", "doccano")
EXTENSIONS = {
    ".txt": "text",
    ".text": "text",
    ".html": "html",
    ".htm": "html",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
}
ARTICLE_FIELDS = ("title", "url", "published", "source", "external_id", "language")
TITLE_MAX = 500
WRITE_BATCH = 500


class ImportRejected(Exception):
    """A file that cannot be imported; nothing of it was stored."""

    def __init__(self, filename: str, line: int | None, reason: str):
        self.filename, self.line, self.reason = filename, line, reason
        where = f"{filename}, line {line}" if line else filename
        super().__init__(f"{where}: {reason}")


@dataclass
class SpanRecord:
    start: int
    end: int
    label: Label
    quote: str
    actor: Actor | None = None
    note: str = ""


@dataclass
class ClaimRecord:
    span: int  # position in the record's spans
    claim_type: ClaimType
    claimant: Actor | None = None
    claimant_span: int | None = None
    targets: list[Actor] = field(default_factory=list)
    reliability: str = ""
    credibility: int | None = None
    note: str = ""


@dataclass
class ThreatRecord:
    level: ThreatLevel
    rationale: str = ""
    claims: list[int] = field(default_factory=list)  # positions in the record's claims


@dataclass
class ArticleRecord:
    line: int
    title: str
    body: str
    url: str = ""
    published: datetime.date | None = None
    source: str = ""
    external_id: str = ""
    language: str = ""
    metadata: dict = field(default_factory=dict)
    spans: list[SpanRecord] = field(default_factory=list)
    annotator_id: int | None = None
    claims: list[ClaimRecord] = field(default_factory=list)
    threat: ThreatRecord | None = None

    @cached_property
    def sha256(self) -> str:
        return sha256_of(self.body)


@dataclass
class Duplicate:
    line: int
    title: str
    existing_article_id: int | None  # None: repeated earlier in the same file


@dataclass
class ImportReport:
    filename: str
    articles: list[Article] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    span_count: int = 0

    @property
    def imported(self) -> int:
        return len(self.articles)


def detect_format(filename: str) -> str | None:
    return EXTENSIONS.get(PurePath(filename).suffix.lower())


def import_articles(
    *,
    project: Project,
    filename: str,
    data: bytes,
    format: str | None = None,
    user=None,
    annotator=None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import every article in one file into `project`, or raise ImportRejected and store nothing.

    `annotator` (a user) owns the annotation set that pre-annotated spans go into, unless a
    JSONL record names its own "annotator" by username.
    """
    format = format or detect_format(filename)
    if format not in FORMATS:
        raise ImportRejected(
            filename,
            None,
            f"cannot tell the format; name the file .txt, .html, .jsonl or .csv "
            f"or choose one of: {', '.join(FORMATS)}.",
        )
    text = decode(filename, data)
    parser = _Parser(project, filename, annotator)
    records = parser.parse(format, text)
    if not records:
        raise ImportRejected(filename, None, "the file holds no articles.")
    return _store(project, filename, records, user=user, progress=progress)


def read_upload(upload) -> bytes:
    """The bytes of an uploaded file, refusing one larger than IMPORT_UPLOAD_MAX_BYTES."""
    limit = settings.IMPORT_UPLOAD_MAX_BYTES
    name = upload.name or "upload"
    if upload.size is not None and upload.size > limit:
        raise ImportRejected(
            name,
            None,
            f"the file is {upload.size / 2**20:.1f} MiB and uploads are limited to "
            f"{limit / 2**20:.0f} MiB; split it, or import it with the import_articles command.",
        )
    return upload.read()


def decode(filename: str, data: bytes) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ImportRejected(
            filename, line, f"the file is not valid UTF-8 (byte {error.start}: {error.reason})."
        ) from None
    if not text.strip():
        raise ImportRejected(filename, None, "the file is empty.")
    return text


class _Parser:
    def __init__(self, project: Project, filename: str, annotator):
        self.project = project
        self.filename = filename
        self.annotator = annotator
        self._labels: dict[str, Label] | None = None
        self._actors: dict[str, Actor] | None = None
        self._members: dict[str, int] | None = None

    def reject(self, line: int | None, reason: str) -> ImportRejected:
        return ImportRejected(self.filename, line, reason)

    def parse(self, format: str, text: str) -> list[ArticleRecord]:
        return getattr(self, f"parse_{format}")(text)

    # Formats

    def parse_text(self, text: str) -> list[ArticleRecord]:
        body = normalise_text(text)
        return [ArticleRecord(line=1, title=title_from(body), body=body)]

    def parse_html(self, text: str) -> list[ArticleRecord]:
        import trafilatura

        extracted = trafilatura.extract(
            text, include_comments=False, include_tables=True, deduplicate=True
        )
        if not extracted or not extracted.strip():
            raise self.reject(None, "no article text could be found in the HTML page.")
        metadata = trafilatura.extract_metadata(text)
        body = normalise_text(extracted)
        title = normalise_text((metadata.title if metadata else None) or "").strip()
        published = None
        if metadata and metadata.date:
            published = parse_date(metadata.date)
        return [
            ArticleRecord(
                line=1,
                title=clip_title(title) or title_from(body),
                body=body,
                url=(metadata.url if metadata else None) or "",
                source=(metadata.sitename if metadata else None) or "",
                published=published,
                language=(metadata.language if metadata else None) or "",
            )
        ]

    def json_lines(self, text: str) -> Iterator[tuple[int, dict]]:
        """(line number, object) for every non-blank line; a bad line rejects the file."""
        for number, line in enumerate(text.split("\n"), start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as error:
                raise self.reject(
                    number, f"malformed JSON: {error.msg} at column {error.colno}."
                ) from None
            if not isinstance(item, dict):
                raise self.reject(number, "each line must be a JSON object.")
            yield number, item

    def parse_jsonl(self, text: str) -> list[ArticleRecord]:
        return [self.record_from(item, number) for number, item in self.json_lines(text)]

    def parse_native(self, text: str) -> list[ArticleRecord]:
        """The workbench's own JSONL export: JSONL with claims and a threat assessment. Each
        line is one annotation set, so a line without spans still makes an (empty) set."""
        self.every_line_is_a_set = True
        return self.parse_jsonl(text)

    def parse_doccano(self, text: str) -> list[ArticleRecord]:
        """doccano JSONL: "text" and "label" [[start, end, label], ...] (or "entities" with
        start_offset / end_offset / label); other keys that name article fields are kept.
        Each line is one annotator's work, so a line without labels still makes a set."""
        self.every_line_is_a_set = True
        records = []
        for number, item in self.json_lines(text):
            spans = []
            labels = item.get("label", item.get("labels", [])) or []
            entities = item.get("entities") or []
            if not isinstance(labels, list) or not isinstance(entities, list):
                raise self.reject(number, "'label' and 'entities' must be lists.")
            for position, entry in enumerate(labels, start=1):
                if not (isinstance(entry, list) and len(entry) == 3):
                    raise self.reject(
                        number, f"label {position} must be [start, end, label], not {entry!r}."
                    )
                spans.append({"start": entry[0], "end": entry[1], "label": entry[2]})
            for position, entry in enumerate(entities, start=1):
                if not isinstance(entry, dict):
                    raise self.reject(number, f"entity {position} must be a JSON object.")
                spans.append(
                    {
                        "start": entry.get("start_offset"),
                        "end": entry.get("end_offset"),
                        "label": entry.get("label"),
                    }
                )
            converted = {k: item[k] for k in (*ARTICLE_FIELDS, "text") if k in item}
            if isinstance(item.get("annotator"), str):
                converted["annotator"] = item["annotator"]
            converted["spans"] = spans
            records.append(self.record_from(converted, number))
        return records

    def parse_csv(self, text: str) -> list[ArticleRecord]:
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        try:
            header = next(reader)
        except (StopIteration, csv.Error) as error:
            raise self.reject(1, f"cannot read the header row: {error}.") from None
        columns = [name.strip().lower() for name in header]
        if "text" not in columns:
            raise self.reject(1, f"the header row has no 'text' column (found: {header}).")
        if len(set(columns)) != len(columns):
            raise self.reject(1, "the header row names a column twice.")
        records = []
        line = reader.line_num + 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as error:
                raise self.reject(line, f"malformed CSV: {error}.") from None
            if any(cell.strip() for cell in row):
                if len(row) != len(columns):
                    raise self.reject(
                        line, f"the row has {len(row)} fields but the header has {len(columns)}."
                    )
                item = dict(zip(columns, row, strict=True))
                extra = {k: v for k, v in item.items() if k not in (*ARTICLE_FIELDS, "text")}
                item = {k: v for k, v in item.items() if k not in extra}
                item["metadata"] = extra
                records.append(self.record_from(item, line))
            line = reader.line_num + 1
        return records

    # One record

    def record_from(self, item: dict, line: int) -> ArticleRecord:
        try:
            return self._record_from(item, line)
        except (TypeError, AttributeError) as error:
            # A value of a type the format does not allow where no check above names it
            # (a list where a name or an id belongs, say): still the file's fault, said plainly.
            raise self.reject(line, f"a value has the wrong type ({error}).") from None

    def _record_from(self, item: dict, line: int) -> ArticleRecord:
        raw = item.get("text")
        if not isinstance(raw, str) or not raw.strip():
            raise self.reject(line, "'text' is missing or empty.")
        body = normalise_text(raw)
        fields = {}
        for name in ARTICLE_FIELDS:
            value = item.get(name)
            if value is None:
                value = ""
            if not isinstance(value, str):
                raise self.reject(line, f"'{name}' must be a string, not {type(value).__name__}.")
            fields[name] = normalise_text(value).strip()
        title = fields.pop("title")
        if len(title) > TITLE_MAX:
            raise self.reject(line, f"'title' is longer than {TITLE_MAX} characters.")
        if fields["url"]:
            try:
                URLValidator(schemes=["http", "https"])(fields["url"])
            except ValidationError:
                raise self.reject(line, f"'url' {fields['url']!r} is not an http(s) URL.") from None
            if len(fields["url"]) > 2000:
                raise self.reject(line, "'url' is longer than 2000 characters.")
        published = None
        if fields.pop("published"):
            published = parse_date(item["published"])
            if published is None:
                raise self.reject(
                    line, f"'published' {item['published']!r} is not a date (YYYY-MM-DD)."
                )
        for name, limit in (("source", 200), ("external_id", 200), ("language", 20)):
            if len(fields[name]) > limit:
                raise self.reject(line, f"'{name}' is longer than {limit} characters.")
        metadata = item.get("metadata") or {}
        if not isinstance(metadata, dict):
            raise self.reject(line, "'metadata' must be a JSON object.")
        record = ArticleRecord(
            line=line,
            title=title or title_from(body),
            body=body,
            published=published,
            metadata=metadata,
            **fields,
        )
        spans = item.get("spans") or []
        if not isinstance(spans, list):
            raise self.reject(line, "'spans' must be a list.")
        if spans or getattr(self, "every_line_is_a_set", False):
            record.annotator_id = self.annotator_for(item.get("annotator"), line)
            record.spans = [
                self.span_from(raw, body, span, line, position)
                for position, span in enumerate(spans, start=1)
            ]
        if item.get("claims") or item.get("threat_assessment"):
            self.claims_from(item, record, spans, line)
        return record

    def claims_from(self, item: dict, record: ArticleRecord, spans: list, line: int) -> None:
        """Claims and the threat assessment of a native line; they point at spans (and claims)
        by the "id" each has in the line (or its position)."""
        span_at = {}
        for position, span in enumerate(spans):
            span_at.setdefault(span.get("id", position), position)
        claims = item.get("claims") or []
        if not isinstance(claims, list):
            raise self.reject(line, "'claims' must be a list.")
        claim_at = {}
        for position, claim in enumerate(claims):
            where = f"claim {position + 1}"
            if not isinstance(claim, dict):
                raise self.reject(line, f"{where} must be a JSON object.")
            claim_at.setdefault(claim.get("id", position), position)
            if claim.get("span") not in span_at:
                raise self.reject(line, f"{where}: 'span' {claim.get('span')!r} is no span here.")
            claimant_span = claim.get("claimant_span")
            if claimant_span is not None and claimant_span not in span_at:
                raise self.reject(line, f"{where}: 'claimant_span' {claimant_span!r} is no span.")
            type_name = claim.get("type", claim.get("claim_type"))
            claim_type = self.claim_types.get(type_name) if isinstance(type_name, str) else None
            if claim_type is None:
                raise self.reject(
                    line,
                    f"{where}: unknown claim type {type_name!r}; "
                    f"the project's claim types are {sorted(self.claim_types)}.",
                )
            targets = claim.get("targets") or []
            if not isinstance(targets, list):
                raise self.reject(line, f"{where}: 'targets' must be a list of actors.")
            reliability = claim.get("reliability") or ""
            if reliability not in {"", "A", "B", "C", "D", "E", "F"}:
                raise self.reject(line, f"{where}: reliability must be A-F, not {reliability!r}.")
            credibility = claim.get("credibility")
            if credibility is not None and credibility not in range(1, 7):
                raise self.reject(line, f"{where}: credibility must be 1-6, not {credibility!r}.")
            note = claim.get("note") or ""
            if not isinstance(note, str):
                raise self.reject(line, f"{where}: 'note' must be a string.")
            record.claims.append(
                ClaimRecord(
                    span=span_at[claim["span"]],
                    claim_type=claim_type,
                    claimant=self.actor_from(claim.get("claimant"), line, where),
                    claimant_span=None if claimant_span is None else span_at[claimant_span],
                    targets=[self.actor_from(target, line, where) for target in targets],
                    reliability=reliability,
                    credibility=credibility,
                    note=note,
                )
            )
        threat = item.get("threat_assessment")
        if threat:
            if not isinstance(threat, dict):
                raise self.reject(line, "'threat_assessment' must be a JSON object.")
            level = threat.get("level")
            level = self.threat_levels.get(level) if isinstance(level, str) else None
            if level is None:
                raise self.reject(
                    line,
                    f"threat assessment: unknown level {threat.get('level')!r}; "
                    f"the project's levels are {sorted(self.threat_levels)}.",
                )
            rationale = threat.get("rationale") or ""
            if not isinstance(rationale, str):
                raise self.reject(line, "threat assessment: 'rationale' must be a string.")
            on = threat.get("claims") or []
            if not isinstance(on, list) or any(c not in claim_at for c in on):
                raise self.reject(line, "threat assessment: 'claims' must name claims of the line.")
            record.threat = ThreatRecord(level, rationale, [claim_at[c] for c in on])
        if (record.claims or record.threat) and record.annotator_id is None:
            record.annotator_id = self.annotator_for(item.get("annotator"), line)

    def actor_from(self, value, line: int, where: str) -> Actor | None:
        if not value:
            return None
        name = value.get("name") if isinstance(value, dict) else value
        if not isinstance(name, str):
            raise self.reject(line, f"{where}: an actor must be given by name.")
        actor = self.actors.get(name.casefold())
        if actor is None:
            raise self.reject(line, f"{where}: no actor named {name!r} in the registry.")
        return actor

    def span_from(self, raw: str, body: str, span, line: int, position: int) -> SpanRecord:
        where = f"span {position}"
        if not isinstance(span, dict):
            raise self.reject(line, f"{where} must be a JSON object.")
        start, end, quote = span.get("start"), span.get("end"), span.get("quote")
        if quote is not None and not isinstance(quote, str):
            raise self.reject(line, f"{where}: 'quote' must be a string.")
        try:
            if raw != body:
                # Offsets count code points of the text as given; move them onto the
                # normalised body (CRLF folded to LF, NFC composed).
                check_span_offsets(raw, start, end, None)
                start, end = len(normalise_text(raw[:start])), len(normalise_text(raw[:end]))
                if quote is not None:
                    quote = normalise_text(quote)
            check_span_offsets(body, start, end, quote)
        except ValidationError as error:
            raise self.reject(line, f"{where}: {error.messages[0]}") from None
        label = self.labels.get(span.get("label")) if isinstance(span.get("label"), str) else None
        if label is None:
            raise self.reject(
                line,
                f"{where}: unknown label {span.get('label')!r}; "
                f"the project's labels are {sorted(self.labels)}.",
            )
        actor = None
        if span.get("actor"):
            name = span["actor"]
            if isinstance(name, dict):
                name = name.get("name")
            if not isinstance(name, str):
                raise self.reject(line, f"{where}: 'actor' must be an actor's name.")
            actor = self.actors.get(name.casefold())
            if actor is None:
                raise self.reject(line, f"{where}: no actor named {name!r} in the registry.")
        note = span.get("note") or ""
        if not isinstance(note, str):
            raise self.reject(line, f"{where}: 'note' must be a string.")
        return SpanRecord(start, end, label, body[start:end], actor, note)

    def annotator_for(self, username, line: int) -> int:
        if username is None:
            if self.annotator is None:
                raise self.reject(
                    line,
                    "the article has spans but no annotator; name one with 'annotator' "
                    "or import as a user.",
                )
            return self.annotator.pk
        if not isinstance(username, str) or username not in self.members:
            raise self.reject(line, f"'annotator' {username!r} is not a member of the project.")
        return self.members[username]

    # Project vocabulary, loaded once per file

    @property
    def claim_types(self) -> dict[str, ClaimType]:
        if getattr(self, "_claim_types", None) is None:
            self._claim_types = {c.name: c for c in self.project.claim_types.all()}
        return self._claim_types

    @property
    def threat_levels(self) -> dict[str, ThreatLevel]:
        if getattr(self, "_threat_levels", None) is None:
            self._threat_levels = {t.name: t for t in self.project.threat_levels.all()}
        return self._threat_levels

    @property
    def labels(self) -> dict[str, Label]:
        if self._labels is None:
            self._labels = {label.name: label for label in self.project.labels.all()}
        return self._labels

    @property
    def actors(self) -> dict[str, Actor]:
        if self._actors is None:
            actors = {}
            for actor in self.project.actors.prefetch_related("aliases"):
                for alias in actor.aliases.all():
                    actors.setdefault(alias.name.casefold(), actor)
            for actor in self.project.actors.all():
                actors[actor.name.casefold()] = actor
            self._actors = actors
        return self._actors

    @property
    def members(self) -> dict[str, int]:
        if self._members is None:
            rows = Membership.objects.filter(project=self.project).values_list(
                "user__username", "user_id"
            )
            self._members = dict(rows)
        return self._members


def title_from(body: str) -> str:
    """The first non-empty line, clipped to fit."""
    for line in body.split("\n"):
        if line.strip():
            return clip_title(line.strip())
    return ""


def clip_title(title: str) -> str:
    return title if len(title) <= TITLE_MAX else title[: TITLE_MAX - 1] + "…"


def parse_date(value) -> datetime.date | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        pass
    try:
        return datetime.datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        return None


def _store(
    project: Project,
    filename: str,
    records: list[ArticleRecord],
    *,
    user,
    progress: Callable[[int, int], None] | None,
) -> ImportReport:
    report = ImportReport(filename)
    existing = _existing_hashes(project, (record.sha256 for record in records))
    seen: set[str] = set()
    fresh = []
    for record in records:
        sha = record.sha256
        if sha in existing or sha in seen:
            report.duplicates.append(Duplicate(record.line, record.title, existing.get(sha)))
            continue
        seen.add(sha)
        fresh.append(record)
    guideline = project.current_guideline()
    try:
        with transaction.atomic():
            for done in range(0, len(fresh), WRITE_BATCH):
                batch = fresh[done : done + WRITE_BATCH]
                report.articles.extend(_write_batch(project, batch, user, guideline))
                report.span_count += sum(len(record.spans) for record in batch)
                if progress:
                    progress(done + len(batch), len(fresh))
    except IntegrityError as error:
        report.articles.clear()
        raise ImportRejected(
            filename, None, f"the database refused the import ({error}); nothing was stored."
        ) from error
    return report


def _existing_hashes(project: Project, hashes: Iterable[str]) -> dict[str, int]:
    hashes = list(hashes)
    found = {}
    for start in range(0, len(hashes), WRITE_BATCH):
        rows = Article.objects.filter(
            project=project, body_sha256__in=hashes[start : start + WRITE_BATCH]
        ).values_list("body_sha256", "id")
        found.update(rows)
    return found


def _write_batch(project, records: list[ArticleRecord], user, guideline) -> list[Article]:
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
    annotated = [
        (a, r) for a, r in zip(articles, records, strict=True) if r.annotator_id is not None
    ]
    if annotated:
        now = timezone.now()
        sets = AnnotationSet.objects.bulk_create(
            [
                AnnotationSet(
                    article=article,
                    annotator_id=record.annotator_id,
                    status=AnnotationSet.Status.IN_PROGRESS,
                    guideline_version=guideline,
                    created_at=now,
                    updated_at=now,
                )
                for article, record in annotated
            ]
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
            )
            for annotation_set, (_, record) in zip(sets, annotated, strict=True)
            for span in record.spans
        )
        _insert_spans(rows, now=now)
        _write_claims(sets, [record for _, record in annotated])
    return articles


def _write_claims(sets: list[AnnotationSet], records: list[ArticleRecord]) -> None:
    """Claims and threat assessments of imported sets, pointing at the spans just stored."""
    pending = [(s, r) for s, r in zip(sets, records, strict=True) if r.claims or r.threat]
    if not pending:
        return
    stored: dict[tuple, list[int]] = {}
    for pk, set_id, start, end, label_id, actor_id, note in Span.objects.filter(
        annotation_set__in=[s for s, _ in pending]
    ).values_list("id", "annotation_set_id", "start", "end", "label_id", "actor_id", "note"):
        stored.setdefault((set_id, start, end, label_id, actor_id, note), []).append(pk)
    claims, owners = [], []
    for annotation_set, record in pending:
        taken: dict[tuple, int] = {}
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
    threatened = [(s, r) for s, r in pending if r.threat]
    assessments = ThreatAssessment.objects.bulk_create(
        ThreatAssessment(
            annotation_set=annotation_set,
            level=record.threat.level,
            rationale=record.threat.rationale,
        )
        for annotation_set, record in threatened
    )
    ThreatAssessment.claims.through.objects.bulk_create(
        ThreatAssessment.claims.through(
            threatassessment_id=assessment.pk, claim_id=claim_ids[annotation_set.pk][position]
        )
        for assessment, (annotation_set, record) in zip(assessments, threatened, strict=True)
        for position in sorted(set(record.threat.claims))
    )


SPAN_COLUMNS = ("annotation_set", "start", "end", "quote", "label", "actor", "note")
SPAN_COLUMNS += ("created_at", "updated_at")


def _insert_spans(rows: Iterable[tuple], *, now: datetime.datetime) -> None:
    """Insert span rows (values in SPAN_COLUMNS order, but for the two times, which are `now`)
    without building model instances.

    Imports are mostly spans, and the ORM's bulk_create spends ~5x longer preparing them than
    the database takes to store them: PostgreSQL gets a COPY, other databases one executemany.
    """
    table = connection.ops.quote_name(Span._meta.db_table)
    columns = ", ".join(
        connection.ops.quote_name(Span._meta.get_field(name).column) for name in SPAN_COLUMNS
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Binary COPY: ~4x less client time than text, but it needs each column's type.
            cursor.execute(
                "SELECT attname, format_type(atttypid, NULL) FROM pg_attribute "
                "WHERE attrelid = %s::regclass AND attnum > 0",
                [Span._meta.db_table],
            )
            types = dict(cursor.fetchall())
            names = [Span._meta.get_field(name).column for name in SPAN_COLUMNS]
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types([types[name] for name in names])
                for row in rows:
                    copy.write_row((*row, now, now))
        else:
            stamp = connection.ops.adapt_datetimefield_value(now)
            placeholders = ", ".join(["%s"] * len(SPAN_COLUMNS))
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",
                ((*row, stamp, stamp) for row in rows),
            )
