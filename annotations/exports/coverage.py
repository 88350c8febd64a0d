"""What each export format keeps of the workbench's data, and what a release's chosen formats
drop of the data it holds: the one table behind the README's "What each format keeps" and the
warnings in each release's dataset card.

``KEEPS[format][feature]`` is "yes", "no" or "partly: <what is kept>". A test holds the README's
table to this one.
"""

from __future__ import annotations

from typing import Any

from annotations.exports.records import Record

FEATURES = (
    "spans",
    "labels",
    "actors",
    "actor kinds and ids",
    "claims",
    "threat levels",
    "provenance",
    "rejected items",
    "comments",
)

YES, NO = "yes", "no"

KEEPS: dict[str, dict[str, str]] = {
    "native": dict.fromkeys(FEATURES, YES),
    "bio": {
        "spans": "partly: token edges (whitespace trimmed); overlaps dropped, in the report",
        "labels": YES,
        "actors": NO,
        "actor kinds and ids": NO,
        "claims": NO,
        "threat levels": NO,
        "provenance": "partly: the annotator",
        "rejected items": NO,
        "comments": NO,
    },
    "spacy": {
        "spans": "partly: token edges (whitespace trimmed); doc.ents without overlaps",
        "labels": YES,
        "actors": "partly: the external id as ent.kb_id_",
        "actor kinds and ids": "partly: the external id",
        "claims": NO,
        "threat levels": NO,
        "provenance": "partly: the annotator",
        "rejected items": NO,
        "comments": NO,
    },
    "doccano": {
        "spans": YES,
        "labels": YES,
        "actors": NO,
        "actor kinds and ids": NO,
        "claims": NO,
        "threat levels": NO,
        "provenance": "partly: the annotator",
        "rejected items": NO,
        "comments": NO,
    },
    "labelstudio": {
        "spans": YES,
        "labels": YES,
        "actors": YES,
        "actor kinds and ids": YES,
        "claims": YES,
        "threat levels": YES,
        "provenance": "partly: the annotator, gold as ground_truth",
        "rejected items": NO,
        "comments": YES,
    },
    "w3c": {
        "spans": YES,
        "labels": YES,
        "actors": "partly: the name, as an identifying body",
        "actor kinds and ids": NO,
        "claims": "partly: type, claimant, targets and grading as bodies on the stating span",
        "threat levels": NO,
        "provenance": "partly: the annotator as creator",
        "rejected items": NO,
        "comments": "partly: span and claim notes",
    },
    "brat": {
        "spans": YES,
        "labels": YES,
        "actors": YES,
        "actor kinds and ids": "partly: kind attributes, external ids as normalisations",
        "claims": "partly: claimant and target relations, type and grading attributes",
        "threat levels": "partly: the level, on the claims it rests on",
        "provenance": "partly: the annotator, in the file name",
        "rejected items": NO,
        "comments": "partly: span notes, in AnnotatorNotes",
    },
    "stix": {
        "spans": "partly: the spans of claims, as x_workbench_span",
        "labels": NO,
        "actors": YES,
        "actor kinds and ids": YES,
        "claims": YES,
        "threat levels": YES,
        "provenance": "partly: the annotator",
        "rejected items": NO,
        "comments": "partly: claim notes and the threat rationale",
    },
    "misp": {
        "spans": "partly: the quotes of claims",
        "labels": NO,
        "actors": YES,
        "actor kinds and ids": YES,
        "claims": YES,
        "threat levels": YES,
        "provenance": "partly: gold as analysis complete",
        "rejected items": NO,
        "comments": "partly: the threat rationale",
    },
}


def record_features(record: Record) -> set[str]:
    """The features of FEATURES that `record` holds."""
    spans, claims = record["spans"], record["claims"]
    actors = [s["actor"] for s in spans if s["actor"]]
    for claim in claims:
        actors += [claim["claimant"], *claim["targets"]] if claim["claimant"] else claim["targets"]
    threat = record["threat_assessment"]
    provenance = record["provenance"]
    present = {
        "spans": bool(spans),
        "labels": bool(spans),
        "actors": bool(actors),
        "actor kinds and ids": any(a.get("kind") or a.get("external_id") for a in actors),
        "claims": bool(claims),
        "threat levels": bool(threat),
        "provenance": bool(record["annotator"] or provenance.get("annotators")),
        "rejected items": bool(record["rejected"]),
        "comments": any(s["note"] for s in spans)
        or any(c["note"] for c in claims)
        or bool(threat and threat["rationale"]),
    }
    return {feature for feature, held in present.items() if held}


def format_warnings(formats: list[str], present: set[str]) -> list[dict[str, Any]]:
    """For each format that drops (or keeps only part of) a feature the data holds, what it
    drops and keeps partly, in the order of `formats`."""
    warnings = []
    for format in formats:
        keeps = KEEPS[format]
        drops = [f for f in FEATURES if f in present and keeps[f] == NO]
        partly = {f: keeps[f] for f in FEATURES if f in present and keeps[f].startswith("partly")}
        if drops or partly:
            said = []
            if drops:
                said.append(f"drop {', '.join(drops)}")
            if partly:
                said.append(f"keep only part of {', '.join(partly)}")
            warnings.append(
                {
                    "format": format,
                    "drops": drops,
                    "keeps_partly": partly,
                    "message": f"The {format} files {' and '.join(said)} of what this release "
                    "holds; the native files keep all of it.",
                }
            )
    return warnings
