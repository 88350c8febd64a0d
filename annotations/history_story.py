"""An article's history told as a story: who did what to which annotation, in names (labels,
actors, claim types, the text a span covers) rather than ids, and for a change only the fields
that changed, before and after. The records themselves (annotations.history) keep everything."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from annotations.models import HistoryRecord

# What a record's field is called on the page; fields not named here (ids, versions, hashes of
# the chain) are for machines, and the names beside them say the same.
FIELD_NAMES = {
    "status": "status",
    "label": "label",
    "quote": "text",
    "start": "start",
    "end": "end",
    "actor": "actor",
    "note": "note",
    "claim_type": "claim type",
    "span_id": "stated by",
    "claimant": "claimant",
    "claimant_span_id": "claimant's span",
    "targets": "targets",
    "reliability": "reliability",
    "credibility": "credibility",
    "level": "threat level",
    "rationale": "rationale",
    "claim_ids": "supporting claims",
    "outcome": "outcome",
    "reason_code": "reason",
    "overrides": "overrides",
    "source": "from file",
}
KINDS = {
    "annotation_set": "annotation set",
    "span": "span",
    "claim": "claim",
    "threat_assessment": "threat level",
    "decision": "adjudication decision",
}
VERBS = {"create": "added", "update": "changed", "delete": "deleted", "transition": "moved"}
EMPTY = "—"
# An addition or deletion names the object by its text already: where it is adds nothing.
NOT_FOR_WHOLE_OBJECTS = {"start", "end", "quote"}


@dataclass(frozen=True)
class Change:
    name: str
    before: str | None
    after: str | None


@dataclass
class Story:
    """One record as a sentence, with the fields it set (added, deleted) or changed."""

    record: HistoryRecord
    set_name: str
    kind: str
    verb: str
    subject: str
    about_set: bool = False  # the set itself (opened, moved), not something in it
    changes: list[Change] = field(default_factory=list)


def kind_name(object_type: str) -> str:
    return KINDS.get(object_type, object_type.replace("_", " "))


def stories(
    records: Iterable[HistoryRecord], set_names: dict[int | None, str], quotes: dict[int, str]
) -> list[Story]:
    """The records as stories; `quotes` maps span ids to the text they covered (from the
    article's history, so a deleted span is still named)."""
    return [_story(record, set_names, quotes) for record in records]


def span_quotes(snapshots: Iterable[tuple[int | None, Any, Any]]) -> dict[int, str]:
    """Span id → the text it covers, from span records' (object_id, before, after)."""
    quotes: dict[int, str] = {}
    for object_id, before, after in snapshots:
        for snapshot in (before, after):
            if object_id is not None and isinstance(snapshot, dict) and "quote" in snapshot:
                quotes[object_id] = str(snapshot["quote"])
    return quotes


def _story(
    record: HistoryRecord, set_names: dict[int | None, str], quotes: dict[int, str]
) -> Story:
    before = record.before if isinstance(record.before, dict) else {}
    after = record.after if isinstance(record.after, dict) else {}
    shown = after or before
    about_set = record.object_type == "annotation_set"
    story = Story(
        record=record,
        set_name=set_names.get(record.annotation_set_id, "a withdrawn set"),
        kind=kind_name(record.object_type),
        verb="opened" if about_set and record.action == "create" else VERBS.get(record.action, ""),
        subject=_subject(record.object_type, shown, quotes),
        about_set=about_set,
    )
    whole = record.action in ("create", "delete")
    names = [name for name in FIELD_NAMES if name in before or name in after]
    for name in names:
        old = _value(name, before.get(name), quotes) if name in before else None
        new = _value(name, after.get(name), quotes) if name in after else None
        if not whole and old == new:
            continue  # a change shows what changed, not what stayed
        if whole and (name in NOT_FOR_WHOLE_OBJECTS or (new or old) == EMPTY):
            continue  # an addition shows what it holds, not every empty field
        story.changes.append(Change(FIELD_NAMES[name], old, new))
    return story


def _subject(object_type: str, snapshot: dict[str, Any], quotes: dict[int, str]) -> str:
    """The object in a few words: a span by its label and text, a claim by its type and the
    span stating it, a threat level by its name."""
    if object_type == "span" and snapshot:
        return f"{snapshot.get('label') or ''} “{_short(str(snapshot.get('quote', '')))}”".strip()
    if object_type == "claim" and snapshot:
        stated = quotes.get(snapshot.get("span_id") or 0)
        by = f" stated by “{_short(stated)}”" if stated else ""
        return f"{snapshot.get('claim_type') or ''}{by}".strip()
    if object_type == "threat_assessment" and snapshot:
        return str(snapshot.get("level") or "")
    return ""


def _value(name: str, value: Any, quotes: dict[int, str]) -> str:
    if value is None or value == "" or value == []:
        return EMPTY
    if name in ("span_id", "claimant_span_id"):
        return f"“{_short(quotes.get(value, f'span #{value}'))}”"
    if name == "claim_ids" and isinstance(value, list):
        return f"{len(value)} claim{'s' if len(value) != 1 else ''}"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    if name == "status":
        return str(value).replace("_", " ")
    return str(value)


def _short(text: str, most: int = 80) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"
