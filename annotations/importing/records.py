"""What parsing produces: one ``ArticleRecord`` per article, checked and ready to store, or an
``ImportRejected`` naming the file, the line and the reason.

Records hold the project's own rows (labels, actors, claim types, threat levels), looked up
while parsing, so storing needs no further lookups.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from annotations.adjudication import Overridden
from annotations.models import Actor, ClaimType, Label, ThreatLevel, sha256_of

# The article fields a JSONL line, a CSV column or a doccano line may give, beside "text".
ARTICLE_FIELDS = ("title", "url", "published", "source", "external_id", "language")
TITLE_MAX = 500


Item = dict[str, Any]  # a JSON line, or a CSV row by column name


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
    provenance: dict[str, Any] | None = None  # the accepted suggestion it came from


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
    provenance: dict[str, Any] | None = None


@dataclass
class ThreatRecord:
    level: ThreatLevel
    rationale: str = ""
    claims: list[int] = field(default_factory=list)  # positions in the record's claims
    provenance: dict[str, Any] | None = None


@dataclass
class GoldRecord:
    """A gold set's provenance as a native line records it; `reviewer_id` is the reviewer's
    user id in the project, `recorded` the checked provenance and rejected items as given."""

    annotators: list[str]
    reviewer_id: int | None
    adjudicated_at: datetime.datetime | None
    guideline_version: int | None
    rejected: list[Overridden]
    recorded: dict[str, Any]


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
    metadata: dict[str, Any] = field(default_factory=dict)
    spans: list[SpanRecord] = field(default_factory=list)
    annotator_id: int | None = None
    # A line of an annotation tool's export (native, doccano): one annotator's set, which is
    # added to the article when the project holds its text already.
    is_set: bool = False
    claims: list[ClaimRecord] = field(default_factory=list)
    threat: ThreatRecord | None = None
    # A native line's gold set (``"gold": true``): its provenance and rejected items.
    gold: GoldRecord | None = None

    @cached_property
    def sha256(self) -> str:
        return sha256_of(self.body)


def title_from(body: str) -> str:
    """The first non-empty line, clipped to fit."""
    for line in body.split("\n"):
        if line.strip():
            return clip_title(line.strip())
    return ""


def clip_title(title: str) -> str:
    return title if len(title) <= TITLE_MAX else title[: TITLE_MAX - 1] + "…"


def parse_date(value: object) -> datetime.date | None:
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
