"""One item of a file (a JSON line, a CSV row as a dict) checked against the project and turned
into an ``ArticleRecord``: the checks every structured format shares.

An item's keys: "text" (required), the article fields (title, url, published, source,
external_id, language), "metadata", "annotator" (an annotator's username), "spans" [{start, end,
label, quote?, actor?, note?}], and, in native lines, "claims" and "threat_assessment". Span
offsets count code points of the text as given and are moved onto the normalised text.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from accounts.models import User
from annotations.importing.gold import gold_from
from annotations.importing.records import (
    ARTICLE_FIELDS,
    TITLE_MAX,
    ArticleRecord,
    ClaimRecord,
    ImportRejected,
    Item,
    SpanRecord,
    ThreatRecord,
    parse_date,
    title_from,
)
from annotations.importing.vocabulary import Vocabulary
from annotations.models import Actor, Credibility, Reliability
from annotations.text import check_span_offsets, is_blank, normalise_text, normalised_offset


class RecordChecker:
    """Checks the items of one file, for the parsers; `annotator` owns the annotation sets of
    items that name none; `user` is who imports (a native line's gold set needs a reviewer)."""

    def __init__(
        self,
        filename: str,
        vocabulary: Vocabulary,
        annotator: User | None,
        user: User | None = None,
    ):
        self.filename = filename
        self.vocabulary = vocabulary
        self.annotator = annotator
        self.user = user

    def reject(self, line: int | None, reason: str) -> ImportRejected:
        return ImportRejected(self.filename, line, reason)

    def body(self, raw: str, line: int | None) -> str:
        """The article text as stored (``normalise_text``), or ImportRejected naming `line`: an
        empty text, or one longer than ARTICLE_MAX_CHARS code points."""
        body = normalise_text(raw)
        limit = settings.ARTICLE_MAX_CHARS
        if len(body) > limit:
            raise self.reject(
                line,
                f"the article text is {len(body):,} characters long and articles are limited "
                f"to {limit:,} (ARTICLE_MAX_CHARS); split it into several articles.",
            )
        if is_blank(body):
            raise self.reject(line, "the article text is empty.")
        return body

    def record(self, item: Item, line: int, *, every_line_is_a_set: bool = False) -> ArticleRecord:
        """The record of one item, or ImportRejected naming `line`. `every_line_is_a_set`: the
        item makes an annotation set even without spans (a line of an annotation tool's export)."""
        try:
            return self._record(item, line, every_line_is_a_set)
        except (TypeError, AttributeError) as error:
            # A value of a type the format does not allow where no check above names it
            # (a list where a name or an id belongs, say): still the file's fault, said plainly.
            raise self.reject(line, f"a value has the wrong type ({error}).") from None

    def _record(self, item: Item, line: int, every_line_is_a_set: bool) -> ArticleRecord:
        raw = item.get("text")
        if not isinstance(raw, str) or not raw.strip():
            raise self.reject(line, "'text' is missing or empty.")
        body = self.body(raw, line)
        fields: dict[str, str] = {}
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
            url=fields["url"],
            published=published,
            source=fields["source"],
            external_id=fields["external_id"],
            language=fields["language"],
            metadata=metadata,
        )
        spans = item.get("spans") or []
        if not isinstance(spans, list):
            raise self.reject(line, "'spans' must be a list.")
        gold = item.get("gold", False)
        if gold is True and not every_line_is_a_set:
            raise self.reject(
                line,
                'the line is a gold set ("gold": true) of a native export; import the file '
                "with the native format, or it would become an annotator's set.",
            )
        if every_line_is_a_set and gold not in (True, False):
            raise self.reject(line, f"'gold' must be true or false, not {gold!r}.")
        if gold is True:
            record.gold = gold_from(self, item, raw, body, line)
        if spans or every_line_is_a_set:
            record.is_set = every_line_is_a_set
            if record.gold is None:
                record.annotator_id = self.annotator_for(item.get("annotator"), line)
            record.spans = [
                self.span_from(raw, body, span, line, position)
                for position, span in enumerate(spans, start=1)
            ]
        if item.get("claims") or item.get("threat_assessment"):
            self.claims_from(item, record, spans, line)
        return record

    def claims_from(self, item: Item, record: ArticleRecord, spans: list[Any], line: int) -> None:
        """Claims and the threat assessment of a native line; they point at spans (and claims)
        by the "id" each has in the line (or its position)."""
        span_at: dict[object, int] = {}
        for position, span in enumerate(spans):
            span_at.setdefault(span.get("id", position), position)
        claims = item.get("claims") or []
        if not isinstance(claims, list):
            raise self.reject(line, "'claims' must be a list.")
        claim_at: dict[object, int] = {}
        for position, claim in enumerate(claims):
            where = f"claim {position + 1}"
            if not isinstance(claim, dict):
                raise self.reject(line, f"{where} must be a JSON object.")
            claim_at.setdefault(claim.get("id", position), position)
            for name in ("span", "claimant_span"):
                if isinstance(claim.get(name), bool):
                    # True == 1 in Python: it would find the span whose id is 1.
                    raise self.reject(line, f"{where}: '{name}' must name a span, not a boolean.")
            if claim.get("span") not in span_at:
                raise self.reject(line, f"{where}: 'span' {claim.get('span')!r} is no span here.")
            claimant_span = claim.get("claimant_span")
            if claimant_span is not None and claimant_span not in span_at:
                raise self.reject(line, f"{where}: 'claimant_span' {claimant_span!r} is no span.")
            # "claim_type"; older native exports called it "type", and those still import.
            type_name = claim.get("claim_type", claim.get("type"))
            claim_type = (
                self.vocabulary.claim_types.get(type_name) if isinstance(type_name, str) else None
            )
            if claim_type is None:
                raise self.reject(
                    line,
                    f"{where}: unknown claim type {type_name!r}; "
                    f"the project's claim types are {sorted(self.vocabulary.claim_types)}.",
                )
            targets = claim.get("targets") or []
            if not isinstance(targets, list):
                raise self.reject(line, f"{where}: 'targets' must be a list of actors.")
            reliability = claim.get("reliability") or ""
            if reliability not in {"", *Reliability.values}:
                raise self.reject(
                    line,
                    f"{where}: reliability must be {Reliability.as_range()}, not {reliability!r}.",
                )
            credibility = claim.get("credibility")
            if credibility is not None and (
                # A boolean is an int in Python (True == 1), and 1.0 == 1: neither is a grade.
                isinstance(credibility, bool)
                or not isinstance(credibility, int)
                or credibility not in Credibility.values
            ):
                raise self.reject(
                    line,
                    f"{where}: credibility must be {Credibility.as_range()}, not {credibility!r}.",
                )
            note = claim.get("note") or ""
            if not isinstance(note, str):
                raise self.reject(line, f"{where}: 'note' must be a string.")
            record.claims.append(
                ClaimRecord(
                    span=span_at[claim["span"]],
                    claim_type=claim_type,
                    claimant=self.actor_from(claim.get("claimant"), line, where),
                    claimant_span=None if claimant_span is None else span_at[claimant_span],
                    targets=[
                        actor
                        for actor in (self.actor_from(target, line, where) for target in targets)
                        if actor is not None
                    ],
                    reliability=reliability,
                    credibility=credibility,
                    note=note,
                    provenance=self.provenance_from(claim.get("provenance"), line, where),
                )
            )
        threat = item.get("threat_assessment")
        if threat:
            if not isinstance(threat, dict):
                raise self.reject(line, "'threat_assessment' must be a JSON object.")
            level = threat.get("level")
            level = self.vocabulary.threat_levels.get(level) if isinstance(level, str) else None
            if level is None:
                raise self.reject(
                    line,
                    f"threat assessment: unknown level {threat.get('level')!r}; "
                    f"the project's levels are {sorted(self.vocabulary.threat_levels)}.",
                )
            rationale = threat.get("rationale") or ""
            if not isinstance(rationale, str):
                raise self.reject(line, "threat assessment: 'rationale' must be a string.")
            on = threat.get("claims") or []
            if not isinstance(on, list) or any(
                isinstance(c, bool) or c not in claim_at for c in on
            ):
                raise self.reject(line, "threat assessment: 'claims' must name claims of the line.")
            record.threat = ThreatRecord(
                level,
                rationale,
                [claim_at[c] for c in on],
                self.provenance_from(threat.get("provenance"), line, "threat assessment"),
            )
        if (record.claims or record.threat) and record.annotator_id is None and not record.gold:
            record.annotator_id = self.annotator_for(item.get("annotator"), line)

    def actor_from(self, value: object, line: int, where: str) -> Actor | None:
        if not value:
            return None
        name = value.get("name") if isinstance(value, dict) else value
        if not isinstance(name, str):
            raise self.reject(line, f"{where}: an actor must be given by name.")
        actor = self.vocabulary.actor(name)
        if actor is None:
            raise self.reject(line, f"{where}: no actor named {name!r} in the registry.")
        return actor

    def span_from(
        self, raw: str, body: str, span: object, line: int, position: int, where: str = ""
    ) -> SpanRecord:
        where = where or f"span {position}"
        if not isinstance(span, dict):
            raise self.reject(line, f"{where} must be a JSON object.")
        start, end = self.offsets(raw, body, span, line, where)
        label_name = span.get("label")
        label = self.vocabulary.labels.get(label_name) if isinstance(label_name, str) else None
        if label is None:
            raise self.reject(
                line,
                f"{where}: unknown label {label_name!r}; "
                f"the project's labels are {sorted(self.vocabulary.labels)}.",
            )
        actor = None
        if span.get("actor"):
            name = span["actor"]
            if isinstance(name, dict):
                name = name.get("name")
            if not isinstance(name, str):
                raise self.reject(line, f"{where}: 'actor' must be an actor's name.")
            actor = self.vocabulary.actor(name)
            if actor is None:
                raise self.reject(line, f"{where}: no actor named {name!r} in the registry.")
        note = span.get("note") or ""
        if not isinstance(note, str):
            raise self.reject(line, f"{where}: 'note' must be a string.")
        provenance = self.provenance_from(span.get("provenance"), line, where)
        return SpanRecord(start, end, label, body[start:end], actor, note, provenance)

    def provenance_from(self, value: object, line: int, where: str) -> dict[str, Any] | None:
        """An item's "provenance" (the suggestion it was accepted from): {suggester, version,
        score} with a score from 0 to 1, or absent."""
        if value is None:
            return None
        if (
            not isinstance(value, dict)
            or not isinstance(value.get("suggester"), str)
            or not isinstance(value.get("version", ""), str)
            or isinstance(value.get("score"), bool)
            or not isinstance(value.get("score"), int | float)
            or not 0 <= value["score"] <= 1
        ):
            raise self.reject(
                line,
                f"{where}: 'provenance' must be {{suggester, version, score from 0 to 1}}.",
            )
        return {
            "suggester": value["suggester"],
            "version": value.get("version", ""),
            "score": value["score"],
        }

    def offsets(
        self, raw: str, body: str, span: dict[str, Any], line: int, where: str
    ) -> tuple[int, int]:
        """A span's (start, end) on the stored text, from its "start", "end" and "quote"."""
        start, end, quote = span.get("start"), span.get("end"), span.get("quote")
        if quote is not None and not isinstance(quote, str):
            raise self.reject(line, f"{where}: 'quote' must be a string.")
        try:
            if raw != body:
                # Offsets count code points of the text as given; move them onto the
                # normalised body (CRLF folded to LF, NFC composed).
                # Without a quote, an offset inside characters that normalisation joins is
                # refused rather than moved (it would widen the span unseen); a quote says
                # which text is meant, and is checked against the body below.
                check_span_offsets(raw, start, end, None)
                assert isinstance(start, int) and isinstance(end, int)  # checked just above
                if quote is None:
                    start = normalised_offset(raw, start, body)
                    end = normalised_offset(raw, end, body)
                else:
                    start, end = len(normalise_text(raw[:start])), len(normalise_text(raw[:end]))
                    quote = normalise_text(quote)
            check_span_offsets(body, start, end, quote)
        except ValidationError as error:
            raise self.reject(line, f"{where}: {error.messages[0]}") from None
        assert isinstance(start, int) and isinstance(end, int)  # checked just above
        return start, end

    def annotator_for(self, username: object, line: int) -> int:
        """The id of the user the item's annotation set belongs to: the one its "annotator"
        names, or else the importing `annotator`. Only a project annotator owns a set (it
        counts toward the annotators per article and agreement); anyone else: ImportRejected
        naming the user."""
        if username is None:
            if self.annotator is None:
                raise self.reject(
                    line,
                    "the article has spans but no annotator; name one with 'annotator' "
                    "or import as a user.",
                )
            if self.annotator.pk not in self.vocabulary.annotators:
                raise self.reject(
                    line,
                    f"the article's annotation set would belong to "
                    f"{self.annotator.get_username()!r}, who is not an annotator of the "
                    "project; name one of its annotators with 'annotator'.",
                )
            return self.annotator.pk
        if not isinstance(username, str) or username not in self.vocabulary.members:
            raise self.reject(line, f"'annotator' {username!r} is not a member of the project.")
        user_id = self.vocabulary.members[username]
        if user_id not in self.vocabulary.annotators:
            raise self.reject(
                line,
                f"'annotator' {username!r} is a member of the project but not an annotator; "
                "annotation sets belong only to the project's annotators.",
            )
        return user_id
