"""W3C Web Annotation Data Model (JSON-LD): an AnnotationCollection whose first (and only)
AnnotationPage, embedded, lists one Annotation per span; the page has its own ``@context``,
``id`` and ``partOf`` (the collection's id, type and label), so it meets the model's page
MUSTs alone too. Each annotation stands alone (its own ``@context``), has an IRI id
(``urn:uuid:`` derived from the article, the set and the span, so it is stable), motivation
``tagging``, a TextualBody with the label (purpose ``tagging``), one for the linked actor
(purpose ``identifying``), and a SpecificResource target on the article with a
TextQuoteSelector (exact, prefix, suffix) and a TextPositionSelector (start, end in Unicode
code points, as the model requires). Each claim is one more Annotation on its stating span
(``claim_annotation``), after the set's span annotations."""

import uuid
from typing import Any

import orjson

from annotations.exports.jsonlines import escape_line_separators, json_bytes
from annotations.exports.stable_ids import uuid5
from annotations.exports.tokens import Span
from annotations.exports.writer import ExportMeta, Files, Record, Writer

CONTEXT = "http://www.w3.org/ns/anno.jsonld"
NAMESPACE = uuid.UUID("0b7d0c53-3c39-4b1c-9d5e-6a1f3e0a5a11")
CONTEXT_CHARS = 32


def source_iri(record: Record) -> str:
    return record["url"] or f"urn:sha256:{record['sha256']}"


def annotation_id(record: Record, span: Span) -> str:
    """The annotation's IRI: stable for the article, the set and the span (other formats, such
    as STIX, point at it)."""
    who = record["annotator"] or "gold"
    return "urn:uuid:" + uuid5(NAMESPACE, f"{record['sha256']}/{who}/{span['id']}")


def annotation(record: Record, span: Span) -> dict[str, Any]:
    text = record["text"]
    body = [{"type": "TextualBody", "value": span["label"], "purpose": "tagging"}]
    if span["actor"]:
        body.append(
            {
                "type": "TextualBody",
                "value": span["actor"]["name"],
                "purpose": "identifying",
            }
        )
    if span["note"]:
        body.append({"type": "TextualBody", "value": span["note"], "purpose": "commenting"})
    item = {
        "@context": CONTEXT,
        "id": annotation_id(record, span),
        "type": "Annotation",
        "motivation": "tagging",
        "body": body,
        "target": {
            "type": "SpecificResource",
            "source": source_iri(record),
            "selector": [
                {
                    "type": "TextQuoteSelector",
                    "exact": span["quote"],
                    "prefix": text[max(0, span["start"] - CONTEXT_CHARS) : span["start"]],
                    "suffix": text[span["end"] : span["end"] + CONTEXT_CHARS],
                },
                {"type": "TextPositionSelector", "start": span["start"], "end": span["end"]},
            ],
        },
    }
    if record["annotator"]:
        item["creator"] = {"type": "Person", "nickname": record["annotator"]}
    return item


def claim_annotation(record: Record, claim: dict[str, Any]) -> dict[str, Any]:
    """A claim as an Annotation (motivation ``assessing``) on its stating span: bodies give the
    claim type (``classifying``), a SpecificResource linking to the stating span's annotation
    (``linking``), the claimant (``identifying``), each target (``tagging``), the Admiralty
    grading (``assessing``) and the claim's note (``commenting``)."""
    span = record["spans"][claim["span"]]
    stating = annotation(record, span)
    body: list[dict[str, Any]] = [
        {"type": "TextualBody", "value": claim["claim_type"], "purpose": "classifying"},
        {"type": "SpecificResource", "source": stating["id"], "purpose": "linking"},
    ]
    if claim["claimant"]:
        body.append(
            {"type": "TextualBody", "value": claim["claimant"]["name"], "purpose": "identifying"}
        )
    for target in claim["targets"]:
        body.append({"type": "TextualBody", "value": target["name"], "purpose": "tagging"})
    if claim["grading"]:
        body.append({"type": "TextualBody", "value": claim["grading"], "purpose": "assessing"})
    if claim["note"]:
        body.append({"type": "TextualBody", "value": claim["note"], "purpose": "commenting"})
    who = record["annotator"] or "gold"
    item = {
        "@context": CONTEXT,
        "id": "urn:uuid:" + uuid5(NAMESPACE, f"{record['sha256']}/{who}/claim/{claim['id']}"),
        "type": "Annotation",
        "motivation": "assessing",
        "body": body,
        "target": stating["target"],
    }
    if record["annotator"]:
        item["creator"] = {"type": "Person", "nickname": record["annotator"]}
    return item


class W3CWriter(Writer):
    DESCRIPTION = "W3C Web Annotation JSON-LD (TextQuote + TextPosition selectors)"
    SUFFIXES = (".jsonld",)
    COST = 7

    def __init__(self, files: Files, meta: ExportMeta) -> None:
        self.out = files[".jsonld"]
        collection = {
            "id": f"urn:workbench:project:{meta.project}",
            "type": "AnnotationCollection",
            "label": f"Annotations of {meta.project}",
        }
        page = {
            "@context": CONTEXT,
            "id": f"{collection['id']}:page:1",
            "type": "AnnotationPage",
            "partOf": collection,
            "startIndex": 0,
            "items": [],
        }
        head = {"@context": CONTEXT, **collection, "first": page}
        # Everything up to the page's empty item list, whose "]}}" close() writes.
        opening = json_bytes(head)
        assert opening.endswith(b"[]}}")
        self.out.write(opening[:-3])
        self.first = True

    def write(self, record: Record) -> None:
        items = [annotation(record, span) for span in record["spans"]]
        items += [claim_annotation(record, claim) for claim in record["claims"]]
        if items:
            self.out.write(b"\n" if self.first else b",\n")
            # One escape pass per record: a raw separator can only be inside a string.
            self.out.write(escape_line_separators(b",\n".join(map(orjson.dumps, items))))
            self.first = False

    def close(self) -> None:
        self.out.write(b"\n]}}\n")
