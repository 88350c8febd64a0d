"""One rule turns a label name into a tag, for the formats whose tags cannot hold every name
(BIO tags and brat types are split on whitespace).

A tag is the label's words joined by "_" ("military force" -> "military_force"); a name with no
words becomes "label". Case is kept, so "Actor" and "actor" stay two tags. Two labels whose
tags would be the same ("military force", "military  force" and "military_force") could not be
told apart in the file: rather than merge them silently, the export is refused with an error
naming both, and a manager renames one.
"""

from __future__ import annotations

from collections.abc import Iterable

from annotations.exports.writer import ExportRefused


def label_tag(label: str) -> str:
    """The tag of one label name."""
    return "_".join(label.split()) or "label"


def label_tags(labels: Iterable[str]) -> dict[str, str]:
    """{label name: tag} for every label, or ExportRefused naming two labels that would share
    a tag."""
    tags: dict[str, str] = {}
    owner: dict[str, str] = {}
    for label in labels:
        tag = label_tag(label)
        if tag in owner and owner[tag] != label:
            first, second = sorted((owner[tag], label))
            raise ExportRefused(
                f"The labels {first!r} and {second!r} would both be written as the tag "
                f"{tag!r}, and could not be told apart; rename one of them."
            )
        owner[tag] = label
        tags[label] = tag
    return tags
