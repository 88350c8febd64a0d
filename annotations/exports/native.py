"""Native JSONL: one annotation set on one article per line, everything the workbench knows.

Keys of a line: id (a stable article id: the first 16 hex digits of the text's SHA-256, the
same in every project), external_id, title, text, source, url, published, language, sha256,
metadata, gold, annotator (null for gold), spans [{id, start, end, quote, label, actor {name,
kind, external_id} | null, note}], claims [{id, span, claimant, claimant_span, targets,
claim_type, reliability, credibility, grading, note}], threat_assessment {level, rank,
rationale, claims} | null, provenance {annotators, reviewer, adjudicated_at,
guideline_version} and rejected (what the adjudication overrode, with its outcome, reason
code and note: the annotators' spans {kind "span", start, end, quote, label}, claims {kind
"claim", start, end, quote of the stating span, claim_type, claimant, targets, reliability,
credibility, grading} and threat levels {kind "threat", level, rationale}, each with its
annotator), and added (what the reviewer put into gold that no annotator marked: {kind
"span", span} or {kind "claim", claim}, ids of this line, with outcome "added", reason code
"missed", note and reviewer). A span, claim or threat assessment accepted from a suggestion
has its own provenance {suggester, version, score}. Span and claim ids are positions inside
the line. Offsets are Unicode code points, end exclusive.
"""

import orjson

from annotations.exports.jsonlines import json_line
from annotations.exports.writer import ExportMeta, Files, Record, Writer


def dumps(record: Record) -> bytes:
    """One line of the native format: keys sorted, so the same record gives the same bytes."""
    return json_line(record, option=orjson.OPT_SORT_KEYS)


class NativeWriter(Writer):
    DESCRIPTION = "Native JSONL (one annotation set per line, with claims, threat and provenance)"
    SUFFIXES = (".jsonl",)
    COST = 1

    def __init__(self, files: Files, meta: ExportMeta) -> None:
        self.out = files[".jsonl"]

    def write(self, record: Record) -> None:
        self.out.write(dumps(record))

    def close(self) -> None:
        pass
