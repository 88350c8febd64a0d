"""Dataset releases: define one and queue its build, fail builds that stalled, compare two.

A release is a numbered definition (formats, a filter, a split seed and ratios); its build
runs in the background (``annotations.tasks.build_release``, which runs
``annotations.release_build``) once the definition is committed.
"""

from __future__ import annotations

import datetime
import shutil
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import User
from annotations.exports import FORMATS
from annotations.exports.records import Selection
from annotations.models import Project, Release
from annotations.models.releases import default_ratios
from annotations.release_build import SPLITS, media_root, read_manifest
from annotations.tasks import build_release


def _clean_ratios(ratios: object) -> dict[str, float]:
    """The shares of each split, checked; the model's default_ratios when none are given."""
    if ratios is None:
        return default_ratios()
    if not isinstance(ratios, dict) or not ratios:
        raise ValidationError({"split_ratios": "Give the ratios as {split: share}."})
    unknown = set(ratios) - set(SPLITS)
    if unknown:
        raise ValidationError(
            {"split_ratios": f"Unknown split(s) {sorted(unknown)}; use train, dev and test."}
        )
    clean: dict[str, float] = {}
    for split in SPLITS:
        value = ratios.get(split, 0)
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise ValidationError(
                {"split_ratios": f"The {split} share must be a number from 0 to 1."}
            )
        clean[split] = float(value)
    if abs(sum(clean.values()) - 1) > 1e-6:
        raise ValidationError(
            {"split_ratios": f"The shares must add up to 1, not {sum(clean.values()):g}."}
        )
    return clean


def _clean_formats(formats: object) -> list[str]:
    """The chosen format names, checked against FORMATS and what this server can write."""
    if not isinstance(formats, list | tuple) or not formats:
        raise ValidationError({"formats": f"Choose at least one of {sorted(FORMATS)}."})
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown:
        raise ValidationError(
            {"formats": f"Unknown format(s) {unknown}; choose from {sorted(FORMATS)}."}
        )
    unavailable = [FORMATS[format].unavailable for format in sorted(set(formats))]
    if any(unavailable):
        raise ValidationError({"formats": [reason for reason in unavailable if reason]})
    return sorted(set(formats))


def release_create(
    *,
    project: Project,
    user: User | None,
    formats: list[str] | tuple[str, ...],
    name: str = "",
    filter: dict[str, Any] | None = None,
    split_seed: int = 0,
    split_ratios: dict[str, float] | None = None,
) -> Release:
    """Record a release definition and queue its build (after the transaction commits)."""
    selection = Selection.from_dict(filter)
    ratios = _clean_ratios(split_ratios)
    chosen = _clean_formats(formats)
    if isinstance(split_seed, bool) or not isinstance(split_seed, int) or split_seed < 0:
        raise ValidationError({"split_seed": "The seed must be a whole number, 0 or more."})
    if len(name) > 200:
        raise ValidationError({"name": "A release name is at most 200 characters."})
    with transaction.atomic():
        Project.objects.select_for_update(no_key=True).filter(pk=project.pk).first()
        last = Release.objects.filter(project=project).aggregate(Max("version"))["version__max"]
        release = Release.objects.create(
            project=project,
            version=(last or 0) + 1,
            name=name.strip(),
            filter=selection.as_dict(),
            formats=chosen,
            split_seed=split_seed,
            split_ratios=ratios,
            created_by=user,
        )
        transaction.on_commit(lambda: build_release.enqueue(release.pk))
    return release


def releases_fail_stalled(*, project: Project) -> int:
    """Mark as failed the project's builds that stopped reporting progress (their worker died
    or was killed), and remove what they left half-written. Returns how many there were."""
    cutoff = timezone.now() - datetime.timedelta(seconds=settings.RELEASE_STALLED_AFTER_SECONDS)
    stalled = list(
        Release.objects.filter(
            project=project, status=Release.Status.BUILDING, heartbeat_at__lt=cutoff
        )
    )
    for release in stalled:
        failed = Release.objects.filter(
            pk=release.pk, status=Release.Status.BUILDING, heartbeat_at__lt=cutoff
        ).update(
            status=Release.Status.FAILED,
            error=(
                f"The build stopped making progress at {release.progress}% (its worker "
                "stopped); nothing was kept. Create a new release to build it again."
            ),
            finished_at=timezone.now(),
        )
        if failed:
            parent = media_root() / release.directory()
            for leftover in parent.parent.glob(f".building-v{release.version}-*"):
                shutil.rmtree(leftover, ignore_errors=True)
    return len(stalled)


def release_compare(older: Release, newer: Release) -> dict[str, Any]:
    """What changed between two built releases: annotation sets and counts."""
    before, after = read_manifest(older), read_manifest(newer)
    added = sorted(key for key in after if key not in before)
    removed = sorted(key for key in before if key not in after)
    changed = sorted(key for key in after if key in before and before[key][1] != after[key][1])
    moved = sorted(key for key in after if key in before and before[key][0] != after[key][0])

    def delta(name: str) -> list[tuple[str, int, int, int]]:
        old, new = older.card.get(name, {}), newer.card.get(name, {})
        return [
            (key, old.get(key, 0), new.get(key, 0), new.get(key, 0) - old.get(key, 0))
            for key in sorted(set(old) | set(new))
        ]

    return {
        "older": older.version,
        "newer": newer.version,
        "added": added,
        "removed": removed,
        "changed": changed,
        "moved_split": moved,
        "labels": delta("labels"),
        "claim_types": delta("claim_types"),
        "threat_levels": delta("threat_levels"),
    }
