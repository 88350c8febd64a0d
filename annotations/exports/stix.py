"""STIX 2.1 bundle, the format intelligence teams exchange findings in (OASIS STIX 2.1).

One bundle per export file, written object by object:

- the project, an ``identity`` (``identity_class`` ``system``) that created every other object;
- each actor once, an ``identity`` (or a ``threat-actor`` for an armed group) named by its
  canonical name, its kind in ``x_workbench_kind``, its external id as an
  ``external_reference`` (``wikidata`` for a Wikidata QID), its registry description, and its
  aliases (a threat actor's ``aliases``; an identity, which STIX gives none, has them in
  ``x_workbench_aliases``); its affiliation is the affiliated actor's object and a
  ``relationship`` ``part-of`` to it (the relationship OpenCTI uses between identities), so the
  whole chain (Peskov, part of the Kremlin, part of Russia) is in the bundle;
- each annotation set a ``report`` on its article: the title, ``published`` (the article's date),
  the source and URL as an external reference, the article id, text hash and annotator in
  ``x_workbench_*`` properties, and ``object_refs`` to everything below;
- each claim a ``note`` holding the claim's text (the stating span's quote) and the span
  (``x_workbench_span``, with an external reference to that span's W3C annotation id), and a
  ``relationship`` from the claimant to each target (``relationship_type``: the claim type);
  both carry the Admiralty grading: ``confidence`` by the STIX 2.1 Admiralty Credibility
  mapping (1: 90, 2: 70, 3: 50, 4: 30, 5: 10, 6: none), the letter grade in
  ``x_workbench_admiralty`` ("B2") and a label;
- the threat assessment a ``note`` with its level and rank (``x_workbench_threat_level``) and
  the rationale.

Ids are UUIDv5 of stable keys and times come from the data (the article's date, else a fixed
one), so the same data gives the same bytes.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from annotations.exports.jsonlines import json_bytes
from annotations.exports.stable_ids import uuid5
from annotations.exports.w3c import annotation_id
from annotations.exports.writer import ExportMeta, Files, Record, Writer

NAMESPACE = uuid.UUID("5d7a4d8e-6c3b-4f63-9a55-2f1e7c0b9a21")
FIXED_TIME = "2000-01-01T00:00:00.000Z"  # for objects whose data carries no time
# STIX 2.1, Appendix A, "Admiralty Credibility": the confidence of each credibility grade
# (6, "truth cannot be judged", has none).
ADMIRALTY_CONFIDENCE = {1: 90, 2: 70, 3: 50, 4: 30, 5: 10}
IDENTITY_CLASS = {
    "state": "organization",
    "international_organisation": "organization",
    "government_body": "organization",
    "company": "organization",
    "person": "individual",
}
QID = re.compile(r"Q[1-9][0-9]*")


def stix_id(kind: str, *key: object) -> str:
    return f"{kind}--{uuid5(NAMESPACE, '/'.join(str(k) for k in key))}"


def _time(record: Record) -> str:
    published = record["published"]
    return f"{published}T00:00:00.000Z" if published else FIXED_TIME


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "claims"


class StixWriter(Writer):
    DESCRIPTION = "STIX 2.1 bundle (reports, actors, claims with Admiralty grading, threat)"
    SUFFIXES = (".json",)
    COST = 2

    def __init__(self, files: Files, meta: ExportMeta) -> None:
        self.out = files[".json"]
        self.project = meta.project
        self.creator = stix_id("identity", "project", meta.project)
        self.actors: dict[str, str] = {}  # actor name -> its object's id
        # actor id -> the ids its affiliation brings (the relationship, the affiliated actors)
        self.affiliations: dict[str, list[str]] = {}
        # Each actor's registry entry (aliases, affiliation...) by canonical name.
        self.registry = {entry["name"]: entry for entry in meta.actors}
        bundle = {"type": "bundle", "id": stix_id("bundle", meta.project), "objects": []}
        opening = json_bytes(bundle)
        self.out.write(opening[:-2])  # up to the "[" of the empty object list
        self.first = True
        self._emit(
            {
                "type": "identity",
                "spec_version": "2.1",
                "id": self.creator,
                "created": FIXED_TIME,
                "modified": FIXED_TIME,
                "name": f"Annotation workbench project {meta.project}",
                "identity_class": "system",
            }
        )

    def _emit(self, item: dict[str, Any]) -> None:
        self.out.write(b"\n" if self.first else b",\n")
        self.out.write(json_bytes(item, option=0))
        self.first = False

    def _common(self, kind: str, object_id: str, when: str) -> dict[str, Any]:
        return {
            "type": kind,
            "spec_version": "2.1",
            "id": object_id,
            "created_by_ref": self.creator,
            "created": when,
            "modified": when,
        }

    def _actor(self, actor: dict[str, Any]) -> str:
        """The id of the actor's object, emitting it (and its affiliation) the first time."""
        name = actor["name"]
        if name in self.actors:
            return self.actors[name]
        entry = self.registry.get(name, {})
        kind = actor.get("kind") or "other"
        stix_type = "threat-actor" if kind == "armed_group" else "identity"
        item = self._common(stix_type, stix_id(stix_type, self.project, name), FIXED_TIME)
        item |= {"name": name, "x_workbench_kind": kind}
        if entry.get("description"):
            item["description"] = entry["description"]
        aliases = entry.get("aliases") or []
        if stix_type == "identity":
            item["identity_class"] = IDENTITY_CLASS.get(kind, "unknown")
            if aliases:
                item["x_workbench_aliases"] = aliases
        else:
            item["threat_actor_types"] = ["unknown"]
            if aliases:
                item["aliases"] = aliases
        external_id = actor.get("external_id") or ""
        if external_id:
            if QID.fullmatch(external_id):
                reference = {
                    "source_name": "wikidata",
                    "external_id": external_id,
                    "url": f"https://www.wikidata.org/wiki/{external_id}",
                }
            else:
                reference = {"source_name": "external-id", "external_id": external_id}
            item["external_references"] = [reference]
        self._emit(item)
        object_id: str = item["id"]
        self.actors[name] = object_id
        self.affiliations[object_id] = []
        parent = self.registry.get(entry.get("affiliation") or "")
        if parent is not None:
            parent_id = self._actor(parent)  # the registry allows no cycle
            relationship = self._common(
                "relationship", stix_id("relationship", self.project, "part-of", name), FIXED_TIME
            )
            relationship |= {
                "relationship_type": "part-of",
                "source_ref": object_id,
                "target_ref": parent_id,
                "description": f"{name} belongs to or speaks for {parent['name']}.",
            }
            self._emit(relationship)
            self.affiliations[object_id] = [
                relationship["id"],
                parent_id,
                *self.affiliations[parent_id],
            ]
        return object_id

    def write(self, record: Record) -> None:
        when = _time(record)
        who = record["annotator"] or "gold"
        key = (self.project, record["sha256"], who)
        refs: list[str] = []
        for span in record["spans"]:
            if span["actor"]:
                refs.append(self._actor(span["actor"]))
        spans = record["spans"]
        claim_notes: dict[int, str] = {}
        for claim in record["claims"]:
            grading = claim["grading"] or ""
            graded: dict[str, Any] = {}
            if grading:
                graded["x_workbench_admiralty"] = grading
                graded["labels"] = [f"admiralty:{grading}"]
            if claim["credibility"] in ADMIRALTY_CONFIDENCE:
                graded["confidence"] = ADMIRALTY_CONFIDENCE[claim["credibility"]]
            claimant = self._actor(claim["claimant"]) if claim["claimant"] else None
            targets = [self._actor(target) for target in claim["targets"]]
            relationships = []
            for target in targets if claimant else []:
                relationship = self._common(
                    "relationship", stix_id("relationship", *key, claim["id"], target), when
                )
                relationship |= {
                    "relationship_type": _slug(claim["claim_type"]),
                    "source_ref": claimant,
                    "target_ref": target,
                } | graded
                self._emit(relationship)
                relationships.append(relationship["id"])
            span = spans[claim["span"]]
            note = self._common("note", stix_id("note", *key, "claim", claim["id"]), when)
            note |= {
                "abstract": f"{claim['claim_type']} claim",
                "content": span["quote"] + (f"\n\n{claim['note']}" if claim["note"] else ""),
                "object_refs": [*relationships, *([claimant] if claimant else []), *targets]
                or [self.creator],
                "x_workbench_claim_type": claim["claim_type"],
                "x_workbench_span": {k: span[k] for k in ("start", "end", "quote")},
                "external_references": [
                    {
                        "source_name": "w3c-web-annotation",
                        "external_id": annotation_id(record, span),
                    }
                ],
            } | graded
            self._emit(note)
            claim_notes[claim["id"]] = note["id"]
            refs += [*relationships, note["id"], *targets] + ([claimant] if claimant else [])
        threat = record["threat_assessment"]
        if threat:
            note = self._common("note", stix_id("note", *key, "threat"), when)
            note |= {
                "abstract": f"threat level: {threat['level']}",
                "content": threat["rationale"] or f"Threat level {threat['level']}.",
                "object_refs": [claim_notes[c] for c in threat["claims"]] or [self.creator],
                "labels": [f"threat-level:{_slug(threat['level'])}"],
                "x_workbench_threat_level": {"level": threat["level"], "rank": threat["rank"]},
            }
            self._emit(note)
            refs.append(note["id"])
        report = self._common("report", stix_id("report", *key), when)
        reference: dict[str, str] = {"source_name": record["source"] or "article"}
        if record["url"]:
            reference["url"] = record["url"]
        if record["external_id"]:
            reference["external_id"] = record["external_id"]
        refs += [extra for ref in refs for extra in self.affiliations.get(ref, ())]
        report |= {
            "name": record["title"] or record["id"],
            "published": when,
            "report_types": ["threat-report"],
            "object_refs": list(dict.fromkeys(refs)) or [self.creator],
            "x_workbench_article_id": record["id"],
            "x_workbench_sha256": record["sha256"],
            "x_workbench_gold": record["gold"],
        }
        if record["annotator"]:  # STIX allows no null property
            report["x_workbench_annotator"] = record["annotator"]
        if len(reference) > 1:
            report["external_references"] = [reference]
        self._emit(report)

    def close(self) -> None:
        self.out.write(b"\n]}\n")
