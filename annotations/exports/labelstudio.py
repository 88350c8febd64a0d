"""Label Studio JSON: a list of tasks with ``data.text`` and one annotation whose results are
``labels`` regions on ``<Labels name="label" toName="text">`` (value: start, end, text,
labels). Offsets are Unicode code points, end exclusive. The list is written item by item.

Who annotated: Label Studio's ``completed_by`` must be the id of a user of that Label Studio
instance, which a workbench username is not (an import with one fails with HTTP 400). So the
annotation has no ``completed_by`` (Label Studio credits the importing user), and the task's
``meta`` says whose set it is (``annotator``: the username, null for gold; ``gold``); a gold
set's annotation is Label Studio's ``ground_truth``.

Beyond the regions: a span's actor (name, kind, external id) is in the region's ``meta``
(``actor``, and with the span's note as Label Studio's own ``meta.text``), each claim is a
``relation`` from the claimant's span to the stating span labelled with the claim type, and
the task's ``meta`` holds the claims (claimant, targets, grading) and the threat assessment as
the native format writes them."""

from typing import Any

from annotations.exports.jsonlines import json_bytes
from annotations.exports.tokens import Span
from annotations.exports.writer import ExportMeta, Files, Record, Writer


def region(span: Span) -> dict[str, Any]:
    """A span as a labels region; its actor (name, kind, external id) and note in its meta."""
    item: dict[str, Any] = {
        "id": f"s{span['id']}",
        "from_name": "label",
        "to_name": "text",
        "type": "labels",
        "value": {
            "start": span["start"],
            "end": span["end"],
            "text": span["quote"],
            "labels": [span["label"]],
        },
    }
    notes = []
    if span["actor"]:
        actor = span["actor"]
        notes.append(f"actor: {actor['name']}")
        item["meta"] = {"actor": actor}
    if span["note"]:
        notes.append(span["note"])
    if notes:
        item.setdefault("meta", {})["text"] = notes
    return item


def relations(record: Record) -> list[dict[str, Any]]:
    """Each claim's claimant span linked to the stating span (labels: the claim type)."""
    return [
        {
            "type": "relation",
            "from_id": f"s{claim['claimant_span']}",
            "to_id": f"s{claim['span']}",
            "direction": "right",
            "labels": [claim["claim_type"]],
        }
        for claim in record["claims"]
        if claim["claimant_span"] is not None
    ]


def task(record: Record) -> dict[str, Any]:
    meta: dict[str, Any] = {"annotator": record["annotator"], "gold": record["gold"]}
    if record["claims"]:
        meta["claims"] = record["claims"]
    if record["threat_assessment"]:
        meta["threat_assessment"] = record["threat_assessment"]
    return {
        "data": {
            "text": record["text"],
            "id": record["id"],
            "title": record["title"],
            "external_id": record["external_id"],
        },
        "meta": meta,
        "annotations": [
            {
                "ground_truth": record["gold"],
                "result": [region(span) for span in record["spans"]] + relations(record),
            }
        ],
    }


class LabelStudioWriter(Writer):
    DESCRIPTION = "Label Studio JSON tasks with NER regions"
    SUFFIXES = (".json",)
    COST = 2

    def __init__(self, files: Files, meta: ExportMeta) -> None:
        self.out = files[".json"]
        self.out.write(b"[")
        self.first = True

    def write(self, record: Record) -> None:
        self.out.write(b"\n" if self.first else b",\n")
        self.out.write(json_bytes(task(record)))
        self.first = False

    def close(self) -> None:
        self.out.write(b"\n]\n")
