"""MISP event JSON: one event per annotation set, one ``{"Event": {...}}`` per line (each line
loads with PyMISP's ``MISPEvent.load`` and imports into MISP as an event).

An event's ``info`` is the article's title, its ``date`` the article's date, and its
``threat_level_id`` the threat assessment's level placed on MISP's scale (the project's scale
cut in thirds, lowest first: 3 low, 2 medium, 1 high; 4 undefined without an assessment), the
level's own name kept in a ``workbench:threat-level`` tag. Attributes:

- each actor once: ``threat-actor`` (category Attribution) for an armed group, else ``text``
  (category Other), the kind and external id in the comment; and the actor's registry entry as
  a MISP object of the FollowTheMoney templates that MISP ships (``ftm-Person`` for a person,
  ``ftm-Organization`` for any other kind): ``name``, each ``alias``, ``classification`` (the
  kind), ``wikidataId`` (a Wikidata QID) or ``idNumber`` (another external id) and
  ``description``, with an object reference ``affiliated`` to the affiliated actor's object
  (which the event then holds too, up the whole chain);
- each claim a ``text`` attribute (category Other) holding the stating span's quote, its
  comment naming the claim type, claimant and targets, tagged with the MISP taxonomy
  ``admiralty-scale:source-reliability`` and ``admiralty-scale:information-credibility``;
- the threat assessment's rationale a ``comment`` attribute.

UUIDs are UUIDv5 of stable keys, so the same data gives the same bytes.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from annotations.exports.jsonlines import json_line
from annotations.exports.stable_ids import uuid5
from annotations.exports.writer import ExportMeta, Files, Record, Writer

NAMESPACE = uuid.UUID("8f0b1c1e-2a7d-4e59-b6a4-3c1d9e7f5a02")
UNDEFINED, LOW, MEDIUM, HIGH = "4", "3", "2", "1"
FIXED_DATE = "2000-01-01"
QID = re.compile(r"Q[1-9][0-9]*")
# MISP's object templates (misp-objects, as PyMISP ships them): name -> (uuid, version).
TEMPLATES = {
    "ftm-Person": ("070e1c5b-7f5a-4322-81ff-9d684172fe36", "1"),
    "ftm-Organization": ("45678a45-5ac2-4fef-9bbd-bfb947463166", "1"),
}


def misp_threat_level(level: str | None, scale: tuple[str, ...]) -> str:
    """MISP's threat_level_id for a level of the project's `scale` (lowest first)."""
    if level is None or level not in scale:
        return UNDEFINED
    if len(scale) == 1:
        return MEDIUM
    share = scale.index(level) / (len(scale) - 1)
    return LOW if share < 1 / 3 else MEDIUM if share < 2 / 3 else HIGH


def _tag(name: str) -> dict[str, str]:
    return {"name": name}


class MispWriter(Writer):
    DESCRIPTION = "MISP event JSON (one event per line, Admiralty tags, threat level)"
    SUFFIXES = (".jsonl",)
    COST = 4

    def __init__(self, files: Files, meta: ExportMeta) -> None:
        self.out = files[".jsonl"]
        self.scale = meta.threat_levels
        self.project = meta.project
        # Each actor's registry entry (aliases, affiliation...) by canonical name.
        self.registry = {entry["name"]: entry for entry in meta.actors}

    def write(self, record: Record) -> None:
        who = record["annotator"] or "gold"
        key = f"{self.project}/{record['sha256']}/{who}"

        def uid(*parts: object) -> str:
            return uuid5(NAMESPACE, "/".join([key, *map(str, parts)]))

        attributes: list[dict[str, Any]] = []
        objects: dict[str, dict[str, Any]] = {}  # by actor name
        seen: set[str] = set()

        def add_actor(actor: dict[str, Any]) -> None:
            if actor["name"] in seen:
                return
            seen.add(actor["name"])
            add_registry_object(actor)
            armed = actor.get("kind") == "armed_group"
            details = [actor.get("kind") or "other"]
            if actor.get("external_id"):
                details.append(actor["external_id"])
            attributes.append(
                {
                    "uuid": uid("actor", actor["name"]),
                    "type": "threat-actor" if armed else "text",
                    "category": "Attribution" if armed else "Other",
                    "value": actor["name"],
                    "comment": f"actor ({', '.join(details)})",
                    "to_ids": False,
                }
            )

        def add_registry_object(actor: dict[str, Any]) -> None:
            """The actor's registry entry as an object, and its affiliation's, up the chain
            (an affiliated actor the article does not name has its object only)."""
            if actor["name"] in objects:
                return
            entry = self.registry.get(actor["name"], actor)
            template = "ftm-Person" if entry.get("kind") == "person" else "ftm-Organization"
            values = [("name", entry["name"])]
            values += [("alias", alias) for alias in entry.get("aliases") or []]
            values.append(("classification", entry.get("kind") or "other"))
            external_id = entry.get("external_id") or ""
            if external_id:
                values.append(
                    ("wikidataId" if QID.fullmatch(external_id) else "idNumber", external_id)
                )
            if entry.get("description"):
                values.append(("description", entry["description"]))
            template_uuid, version = TEMPLATES[template]
            item: dict[str, Any] = {
                "uuid": uid("actor-object", entry["name"]),
                "name": template,
                "meta-category": "followthemoney",
                "template_uuid": template_uuid,
                "template_version": version,
                "description": "An individual" if template == "ftm-Person" else "Organization",
                "comment": "actor registry entry",
                "Attribute": [
                    {
                        "uuid": uid("actor-object", entry["name"], relation, value),
                        "object_relation": relation,
                        "type": "text",
                        "category": "Other",
                        "value": value,
                        "to_ids": False,
                    }
                    for relation, value in values
                ],
            }
            objects[actor["name"]] = item
            parent = self.registry.get(entry.get("affiliation") or "")
            if parent is not None:
                add_registry_object(parent)  # (`objects` would stop a cycle)
                item["ObjectReference"] = [
                    {
                        "uuid": uid("affiliation", entry["name"]),
                        "referenced_uuid": uid("actor-object", parent["name"]),
                        "relationship_type": "affiliated",
                        "comment": f"{entry['name']} belongs to or speaks for {parent['name']}",
                    }
                ]

        for span in record["spans"]:
            if span["actor"]:
                add_actor(span["actor"])
        for claim in record["claims"]:
            for actor in [claim["claimant"], *claim["targets"]]:
                if actor:
                    add_actor(actor)
            tags = []
            if claim["reliability"]:
                reliability = claim["reliability"].lower()
                tags.append(_tag(f'admiralty-scale:source-reliability="{reliability}"'))
            if claim["credibility"]:
                credibility = claim["credibility"]
                tags.append(_tag(f'admiralty-scale:information-credibility="{credibility}"'))
            claimant = claim["claimant"]["name"] if claim["claimant"] else "unknown"
            targets = ", ".join(t["name"] for t in claim["targets"]) or "nobody named"
            attributes.append(
                {
                    "uuid": uid("claim", claim["id"]),
                    "type": "text",
                    "category": "Other",
                    "value": record["spans"][claim["span"]]["quote"],
                    "comment": f"{claim['claim_type']} claim by {claimant} against {targets}"
                    + (f" ({claim['grading']})" if claim["grading"] else ""),
                    "to_ids": False,
                    "Tag": tags,
                }
            )
        threat = record["threat_assessment"]
        event_tags = []
        if threat:
            event_tags.append(_tag(f'workbench:threat-level="{threat["level"]}"'))
            if threat["rationale"]:
                attributes.append(
                    {
                        "uuid": uid("threat"),
                        "type": "comment",
                        "category": "Other",
                        "value": threat["rationale"],
                        "comment": f"threat assessment: {threat['level']}",
                        "to_ids": False,
                    }
                )
        event = {
            "uuid": uid("event"),
            "info": record["title"] or record["id"],
            "date": record["published"] or FIXED_DATE,
            "threat_level_id": misp_threat_level(threat["level"] if threat else None, self.scale),
            "analysis": "2" if record["gold"] else "1",  # complete / ongoing
            "distribution": "0",  # your organisation only, until someone decides otherwise
            "Tag": event_tags,
            "Attribute": attributes,
        }
        if objects:
            event["Object"] = list(objects.values())
        if record["url"]:
            event["Attribute"] = [
                {
                    "uuid": uid("url"),
                    "type": "link",
                    "category": "External analysis",
                    "value": record["url"],
                    "comment": record["source"] or "the article",
                    "to_ids": False,
                },
                *attributes,
            ]
        self.out.write(json_line({"Event": event}))

    def close(self) -> None:
        pass
