"""Anchors of the history: a project's head (last sequence and hash), signed, kept outside the
database, so that `verify_history` notices a chain cut short or rewritten.

An anchor is a small JSON object signed with the history key (annotations.history_keys):

    {"project": {"id": 3, "slug": "demo"}, "sequence": 150, "hash": "…",
     "written_at": "2026-11-30T12:00:00+00:00", "reason": "every 500 records",
     "key_id": "2026a", "signature": "…"}

They live in two places, both files outside the database:
- checkpoints, in Django's default storage at history/checkpoints/<project id>/<sequence>.json,
  written on commit after every HISTORY_CHECKPOINT_EVERY appended records, by every release
  build and by `manage.py history_checkpoint`; an existing checkpoint is never overwritten;
- the dataset card of every release (releases/<slug>/v<n>/card.json, key "history"), which
  also leaves the building with every copy of the release.
`verify_history --anchor PATH` reads copies kept elsewhere as well.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from annotations import history_keys
from annotations.models import HistoryRecord, Project

log = logging.getLogger(__name__)

GENESIS = "0" * 64
CHECKPOINTS = "history/checkpoints"
RELEASES = "releases"
CARD = "card.json"
SIGNED_FIELDS = ("project", "sequence", "hash", "written_at", "reason", "key_id")


@dataclass(frozen=True)
class Anchor:
    """An anchor as found: what it recorded and where, or why it cannot be trusted."""

    project_id: int | None
    project_slug: str
    sequence: int
    hash: str
    where: str
    problem: str | None = None


def head(project_id: int) -> tuple[int, str]:
    """The sequence and hash of the project's newest record ((0, GENESIS) for no history)."""
    last = (
        HistoryRecord.objects.filter(project_id=project_id)
        .order_by("-sequence")
        .values_list("sequence", "hash")
        .first()
    )
    return last if last else (0, GENESIS)


def _message(data: dict[str, Any]) -> bytes:
    fields = {name: data[name] for name in SIGNED_FIELDS}
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def anchor_for(project: Project, *, reason: str) -> dict[str, Any]:
    """The project's head now, signed: what a checkpoint file or a release card holds."""
    sequence, hash_ = head(project.pk)
    data: dict[str, Any] = {
        "project": {"id": project.pk, "slug": project.slug},
        "sequence": sequence,
        "hash": hash_,
        "written_at": timezone.now().isoformat(),
        "reason": reason,
        "key_id": history_keys.signing_key_id(),
    }
    data["signature"] = history_keys.sign("anchor", _message(data), key_id=data["key_id"])
    return data


def checkpoint_write(*, project: Project | int, reason: str) -> str | None:
    """Write a checkpoint of the project's head to storage; its name, or None for no history.

    A checkpoint of the same sequence written before is kept as it is (it is the older
    witness; should it disagree, `verify_history` says so)."""
    if not isinstance(project, Project):
        project = Project.objects.get(pk=project)
    return checkpoint_save(anchor_for(project, reason=reason))


def checkpoint_save(data: dict[str, Any]) -> str | None:
    """Store an anchor made by `anchor_for` as a checkpoint (None for an empty history)."""
    if data["sequence"] == 0:
        return None
    name = f"{CHECKPOINTS}/{data['project']['id']}/{data['sequence']}.json"
    if default_storage.exists(name):
        return name
    content = json.dumps(data, indent=2, sort_keys=True).encode() + b"\n"
    return default_storage.save(name, ContentFile(content))


def checkpoint_on_commit(project_id: int, *, reason: str) -> None:
    """Write a checkpoint once the current transaction commits; a failure is logged, never
    raised (the records it anchors are committed already)."""

    def write() -> None:
        try:
            checkpoint_write(project=project_id, reason=reason)
        except Exception:
            log.exception("Writing a history checkpoint of project %s failed", project_id)

    transaction.on_commit(write)


def _date(data: dict[str, Any]) -> str:
    written_at = data.get("written_at")
    return written_at[:10] if isinstance(written_at, str) else "an unknown date"


def parse(data: Any, *, where: str, project_id: int | None, project_slug: str) -> Anchor:
    """An anchor from a decoded JSON object; `project_id`/`project_slug` name it if it is
    unreadable. A signature that does not match (or a key not held) is a problem, not an
    error: verification reports it for that project."""
    fields = data if isinstance(data, dict) else {}
    where = where.replace("{date}", _date(fields))
    project = fields.get("project")
    valid = (
        isinstance(project, dict)
        and type(project.get("id")) is int
        and isinstance(project.get("slug"), str)
        and type(fields.get("sequence")) is int
        and fields["sequence"] >= 0
        and isinstance(fields.get("hash"), str)
        and re.fullmatch(r"[0-9a-f]{64}", fields["hash"]) is not None
        and all(isinstance(fields.get(n), str) for n in ("written_at", "reason", "key_id"))
        and isinstance(fields.get("signature"), str)
    )
    if not valid:
        return Anchor(project_id, project_slug, 0, GENESIS, where, "it cannot be read")
    assert isinstance(project, dict)
    anchor = Anchor(project["id"], project["slug"], fields["sequence"], fields["hash"], where)
    try:
        signed = history_keys.is_signed(
            "anchor", _message(fields), key_id=fields["key_id"], signature=fields["signature"]
        )
    except history_keys.UnknownKey as unknown:
        return replace(anchor, problem=f"{unknown}, so it cannot be checked")
    if not signed:
        problem = "its signature does not match: the file was altered or forged"
        return replace(anchor, problem=problem)
    return anchor


def _read(name: str) -> Any:
    with default_storage.open(name, "rb") as stream:
        return json.loads(stream.read())


def _listdir(path: str) -> tuple[list[str], list[str]]:
    try:
        return default_storage.listdir(path)
    except (FileNotFoundError, NotADirectoryError):
        return [], []


def _checkpoints(project_id: int) -> Iterator[Anchor]:
    directory = f"{CHECKPOINTS}/{project_id}"
    for name in sorted(_listdir(directory)[1]):
        if not name.endswith(".json"):
            continue
        path = f"{directory}/{name}"
        where = f"checkpoint of {{date}} ({path})"
        try:
            data = _read(path)
        except (OSError, ValueError, RecursionError):
            data = None
        yield parse(data, where=where, project_id=project_id, project_slug=f"#{project_id}")


def _release_cards(slug: str, project_id: int | None) -> Iterator[Anchor]:
    for version in sorted(_listdir(f"{RELEASES}/{slug}")[0]):
        if not re.fullmatch(r"v\d+", version):
            continue  # a build's temporary directory
        path = f"{RELEASES}/{slug}/{version}/{CARD}"
        try:
            card = _read(path)
        except FileNotFoundError:
            continue
        except (OSError, ValueError, RecursionError):
            card = {"history": None}
        if not isinstance(card, dict) or "history" not in card:
            continue  # a release built before releases carried an anchor
        where = f"release {version} of {{date}} ({path})"
        yield parse(card["history"], where=where, project_id=project_id, project_slug=slug)


def stored_anchors(project: Project | None = None) -> list[Anchor]:
    """Every anchor in storage (checkpoints and release cards), or those of one project."""
    if project is not None:
        return [*_checkpoints(project.pk), *_release_cards(project.slug, project.pk)]
    anchors: list[Anchor] = []
    for directory in _listdir(CHECKPOINTS)[0]:
        if directory.isdigit():
            anchors += _checkpoints(int(directory))
    slugs = dict(Project.objects.values_list("slug", "pk"))
    for slug in _listdir(RELEASES)[0]:
        anchors += _release_cards(slug, slugs.get(slug))
    return anchors


def file_anchors(path: Path) -> list[Anchor]:
    """Anchors in copies kept elsewhere: a checkpoint or card file, or a directory of them
    (its other JSON files are passed over). A file named on its own must be an anchor."""
    files = sorted(path.rglob("*.json")) if path.is_dir() else [path]
    anchors: list[Anchor] = []
    for file in files:
        try:
            data = json.loads(file.read_bytes())
        except (OSError, ValueError, RecursionError) as error:
            raise ValueError(f"{file} cannot be read: {error}") from error
        if isinstance(data, dict) and "history" in data:
            data = data["history"]
        elif not (isinstance(data, dict) and "signature" in data):
            if path.is_dir():
                continue
            raise ValueError(f"{file} is neither a checkpoint nor a release card.")
        anchors.append(
            parse(data, where=f"anchor of {{date}} ({file})", project_id=None, project_slug="?")
        )
    return anchors
