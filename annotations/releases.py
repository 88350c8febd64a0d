"""Dataset releases: define one and queue its build, fail builds that stalled, compare two.

A release is a numbered definition (formats, a filter, a split seed and ratios); its build
runs in the background (``annotations.tasks.build_release``, which runs
``annotations.release_build``) once the definition is committed.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.models import User
from annotations import storage
from annotations.errors import Conflict
from annotations.exports import FORMATS
from annotations.exports.records import Selection
from annotations.models import Project, Release
from annotations.models.releases import default_ratios
from annotations.release_build import SPLITS, read_manifest
from annotations.tasks import build_release
from workbench.worker import heartbeats_by_worker, silent_after


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


class BuildStalled(Exception):
    """Why a build was given up; recorded as the exception of its task's row."""


def _duration(delta: datetime.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 1:
        return "less than a minute"
    if minutes < 120:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"{minutes // 60} hours"


def _build_tasks(releases: list[Release]) -> dict[int, DBTaskResult]:
    """The newest task row of each release's build (django-tasks-db's; none under another
    task backend), by release id."""
    rows = DBTaskResult.objects.filter(
        task_path=build_release.module_path,
        args_kwargs__args__0__in=[release.pk for release in releases],
        enqueued_at__gte=min(release.created_at for release in releases)
        - datetime.timedelta(minutes=1),
    ).order_by("enqueued_at")
    return {row.args_kwargs["args"][0]: row for row in rows}


def _why_stalled(
    release: Release,
    task: DBTaskResult | None,
    heartbeats: dict[str, datetime.datetime],
    now: datetime.datetime,
) -> str | None:
    """Why the unfinished `release` will never finish, or None while it still may."""
    ended = task is not None and task.status in {
        TaskResultStatus.FAILED,
        TaskResultStatus.SUCCESSFUL,
    }
    if release.status == Release.Status.QUEUED:
        return "The build never started: its task ended without running it." if ended else None
    where = f"The build stopped making progress at {release.progress}%"
    if ended:
        return f"{where}: its task ended without finishing it (the worker was interrupted)."
    if task is not None and task.worker_ids:
        worker = task.worker_ids[-1]
        seen = heartbeats.get(worker)
        if seen is None:
            return f"{where}: the worker building it ({worker}) is no longer running."
        if seen < now - silent_after():
            return (
                f"{where}: the worker building it ({worker}) has not been seen for "
                f"{_duration(now - seen)}."
            )
    stalled = datetime.timedelta(seconds=settings.RELEASE_STALLED_AFTER_SECONDS)
    if release.heartbeat_at is not None and release.heartbeat_at < now - stalled:
        return (
            f"{where} (none for {_duration(now - release.heartbeat_at)}: "
            "its worker stopped or hangs)."
        )
    return None


def releases_fail_stalled(*, project: Project) -> int:
    """Mark as failed, saying why, the project's releases whose build will never finish: its
    worker stopped (no heartbeat for ``silent_after()``), it made no progress for
    RELEASE_STALLED_AFTER_SECONDS (its worker hangs), or its task ended without finishing it.
    Their half-written files are removed and their task rows marked failed too, so that
    nothing says "running" for a build that is not. Returns how many there were."""
    unfinished = list(
        Release.objects.filter(
            project=project, status__in=[Release.Status.QUEUED, Release.Status.BUILDING]
        )
    )
    if not unfinished:
        return 0
    now = timezone.now()
    tasks = _build_tasks(unfinished)
    heartbeats = heartbeats_by_worker()
    failed = 0
    for release in unfinished:
        task = tasks.get(release.pk)
        reason = _why_stalled(release, task, heartbeats, now)
        if reason is None:
            continue
        reason += " Its half-written files were removed; retry it to build it again."
        marked = Release.objects.filter(pk=release.pk, status=release.status).update(
            status=Release.Status.FAILED, error=reason, finished_at=now
        )
        if not marked:
            continue  # it finished (or was marked) meanwhile
        failed += 1
        storage.delete_tree(release.directory())  # what it stored before it stopped
        if task is not None:
            DBTaskResult.objects.filter(
                pk=task.pk, status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
            ).update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path=f"{BuildStalled.__module__}.{BuildStalled.__qualname__}",
                traceback=f"{BuildStalled.__qualname__}: {reason}\n",
            )
    return failed


def release_status_note(
    release: Release, *, last_worker_seen: datetime.datetime | None
) -> str | None:
    """What a reader of an unfinished release should know beside its status: that no worker
    is there to build it, or that its build has not progressed for a while. `last_worker_seen`
    is ``workbench.worker.last_heartbeat()``, read once for a page of releases."""
    now = timezone.now()
    if release.status == Release.Status.QUEUED:
        if last_worker_seen is None:
            return (
                "Waiting for a worker: none is running, and none has been seen since this "
                f"release was queued {_duration(now - release.created_at)} ago."
            )
        if last_worker_seen < now - silent_after():
            return (
                f"Waiting for a worker: none has been seen for {_duration(now - last_worker_seen)}."
            )
    if release.status == Release.Status.BUILDING and release.heartbeat_at is not None:
        quiet = now - release.heartbeat_at
        if quiet > silent_after():
            limit = datetime.timedelta(seconds=settings.RELEASE_STALLED_AFTER_SECONDS)
            return (
                f"No progress for {_duration(quiet)}; a build without progress for "
                f"{_duration(limit)} is marked failed."
            )
    return None


def release_retry(*, release: Release, user: User) -> Release:
    """Build a failed release's definition again, as a new release (the next version).

    The failed release stays as it is, with its reason: a finished release never changes, so
    versions stay in the order they were built (and each release's comparison with the one
    before it stays true), and a build of the failed one that is still running somewhere can
    never write into the new one's directory.
    """
    if release.status != Release.Status.FAILED:
        raise Conflict(
            f"Only a failed release can be retried; v{release.version} is "
            f"{release.get_status_display().lower()}."
        )
    return release_create(
        project=release.project,
        user=user,
        formats=release.formats,
        name=release.name,
        filter=release.filter,
        split_seed=release.split_seed,
        split_ratios=release.split_ratios,
    )


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
