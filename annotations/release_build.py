"""Building a release: every requested format and split written in one pass over the project.

A build reads the project once (``exports.records.iter_records``) and feeds every requested
format and split at the same time; a large project's formats are written by several processes
side by side (``annotations.release_processes``). Files are written into a local temporary
directory and put into storage (``annotations.storage``: a shared directory or a bucket) when
every one of them succeeded, the dataset card last: a release without its card is
unfinished. A failed build removes what it stored and records why it failed.

Determinism: the split of an article is decided by SHA-256 of the seed and the article
text's SHA-256; records come in a fixed order and data files hold no timestamps, so building
the same definition from the same data gives byte-identical files. The dataset card (with the
creation time and creator, and the signed head of the project's history: annotations.anchors)
lives beside them.

The background task ``annotations.tasks.build_release`` runs ``release_build``; defining a
release and queueing its build is ``annotations.releases``.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
from collections import Counter
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import orjson
from django.db import transaction
from django.utils import timezone

from annotations import anchors, storage
from annotations.agreement import project_agreement
from annotations.exports import FORMATS, export_meta, writer_paths
from annotations.exports.coverage import format_warnings, record_features
from annotations.exports.native import dumps
from annotations.exports.records import GOLD, Selection, count_sets, iter_records
from annotations.models import Project, Release, ReleaseFile, TrainedModel
from annotations.release_processes import (
    PARALLEL_FROM_SETS,
    FormatProcesses,
    FormatsHere,
    process_count,
    shares,
)

log = logging.getLogger(__name__)

SPLITS = ("train", "dev", "test")
MANIFEST = "manifest.jsonl"
CARD = "card.json"


def split_of(article_sha256: str, seed: int, ratios: dict[str, float]) -> str:
    """The split of an article: a fixed function of its text, the seed and the ratios."""
    digest = hashlib.sha256(f"{seed}:{article_sha256}".encode()).digest()
    point = int.from_bytes(digest[:8], "big") / 2**64
    cumulative = 0.0
    chosen = None
    for split in SPLITS:
        share = ratios.get(split, 0)
        if share <= 0:
            continue
        chosen = split
        cumulative += share
        if point < cumulative:
            return split
    return chosen or SPLITS[0]


def _sha256_and_size(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest(), path.stat().st_size


def _previous(release: Release) -> Release | None:
    return (
        Release.objects.filter(
            project=release.project, version__lt=release.version, status=Release.Status.READY
        )
        .order_by("-version")
        .first()
    )


def read_manifest(release: Release) -> dict[tuple[str, str], tuple[str, str]]:
    """{(article id, annotator): (split, record sha256)} of a built release."""
    entries: dict[tuple[str, str], tuple[str, str]] = {}
    try:
        lines = storage.open_file(f"{release.directory()}/{MANIFEST}")
    except FileNotFoundError:
        return entries
    with lines:
        for line in lines:
            row = orjson.loads(line)
            entries[(row["id"], row["annotator"] or "")] = (row["split"], row["sha256"])
    return entries


def release_build(*, release_id: int) -> Release:
    """Build a queued release; on any failure leave no files and record the reason."""
    claimed = Release.objects.filter(pk=release_id, status=Release.Status.QUEUED).update(
        status=Release.Status.BUILDING, progress=0, heartbeat_at=timezone.now()
    )
    release = Release.objects.select_related("project", "created_by").get(pk=release_id)
    if not claimed:
        return release  # built (or building) already: a task that ran twice does nothing
    directory = release.directory()
    stored = False
    try:
        with tempfile.TemporaryDirectory(prefix=f"release-v{release.version}-") as temporary:
            if storage.listed(directory):
                raise FileExistsError(f"{directory} already exists; refusing to overwrite.")
            card, files = _write(release, Path(temporary))
            if not _still_building(release):
                raise BuildAbandoned()
            stored = True
            for row in files:  # the card last: a release without one is unfinished
                storage.save_file(f"{directory}/{row['name']}", Path(temporary) / row["name"])
        with transaction.atomic():
            # Still ours? It was marked failed if it looked stalled (annotations.releases).
            if not _still_building(release, lock=True):
                raise BuildAbandoned()
            ReleaseFile.objects.bulk_create(
                ReleaseFile(
                    release=release,
                    format=row["format"],
                    split=row["split"],
                    path=f"{directory}/{row['name']}",
                    size=row["size"],
                    sha256=row["sha256"],
                )
                for row in files
            )
            release.card = card
            release.status = Release.Status.READY
            release.progress = 100
            release.finished_at = timezone.now()
            release.save(update_fields=["card", "status", "progress", "finished_at"])
    except Exception as error:
        if stored:
            storage.delete_tree(directory)
        if isinstance(error, BuildAbandoned):
            log.warning("Release %s was marked failed while it was built; gave it up", release)
        else:
            log.exception("Release %s failed", release)
            # Only a build still marked as building records its own failure: one marked failed
            # as stalled meanwhile keeps that reason.
            Release.objects.filter(pk=release.pk, status=Release.Status.BUILDING).update(
                status=Release.Status.FAILED,
                error=f"{type(error).__name__}: {error}",
                finished_at=timezone.now(),
            )
        release.refresh_from_db()
    return release


class BuildAbandoned(Exception):
    """The release stopped being this build's: it was marked failed as stalled while it ran
    (its worker looked dead). The build stops and keeps nothing."""


def _still_building(release: Release, *, lock: bool = False) -> bool:
    rows = Release.objects.filter(pk=release.pk, status=Release.Status.BUILDING)
    return (rows.select_for_update() if lock else rows).exists()


def _write(release: Release, directory: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    project = release.project
    selection = Selection.from_dict(release.filter)
    ratios = release.split_ratios
    splits = [split for split in SPLITS if ratios.get(split, 0) > 0]
    total = max(count_sets(project, selection), 1)
    meta = export_meta(project)
    previous = _previous(release)
    before = read_manifest(previous) if previous else {}
    changes: Counter[str] = Counter()
    stats: dict[str, Counter[str]] = {split: Counter() for split in splits}
    labels: Counter[str] = Counter()
    claim_types: Counter[str] = Counter()
    levels: Counter[str] = Counter()
    annotators: set[str] = set()
    guideline_versions: set[int] = set()
    present: set[str] = set()  # what the data holds, of coverage.FEATURES
    files: list[dict[str, Any]] = []

    jobs = [
        (format, split, directory / f"{project.slug}-v{release.version}-{format}-{split}")
        for format in release.formats
        for split in splits
    ]
    names = [
        (format, split, path.name)
        for format, split, stem in jobs
        for path in writer_paths(format, stem)
    ]
    share_formats = shares(
        release.formats,
        {format: FORMATS[format].COST for format in release.formats},
        process_count() if total >= PARALLEL_FROM_SETS else 1,
        together={format for format in release.formats if FORMATS[format].TOKENS},
    )

    with ExitStack() as stack:
        writers: FormatsHere | FormatProcesses
        if len(share_formats) > 1:
            writers = stack.enter_context(FormatProcesses(share_formats, jobs, meta))
        else:
            writers = FormatsHere(stack, jobs, meta)
        manifest = stack.enter_context(open(directory / MANIFEST, "wb"))  # noqa: SIM115
        for done, record in enumerate(iter_records(project, selection), start=1):
            split = split_of(record["sha256"], release.split_seed, ratios)
            writers.write(split, record)
            line = dumps(record)
            record_sha = hashlib.sha256(line).hexdigest()
            manifest.write(
                orjson.dumps(
                    {
                        "id": record["id"],
                        "annotator": record["annotator"],
                        "split": split,
                        "sha256": record_sha,
                    }
                )
                + b"\n"
            )
            key = (record["id"], record["annotator"] or "")
            old = before.pop(key, None)
            if old is None:
                changes["added"] += 1
            elif old[1] != record_sha:
                changes["changed"] += 1
            else:
                changes["unchanged"] += 1
            stats[split]["annotation_sets"] += 1
            stats[split]["spans"] += len(record["spans"])
            stats[split]["claims"] += len(record["claims"])
            labels.update(span["label"] for span in record["spans"])
            present |= record_features(record)
            claim_types.update(claim["claim_type"] for claim in record["claims"])
            if record["threat_assessment"]:
                levels[record["threat_assessment"]["level"]] += 1
            annotators.update(a for a in record["provenance"]["annotators"] if a)
            if record["provenance"]["guideline_version"] is not None:
                guideline_versions.add(record["provenance"]["guideline_version"])
            if done % 200 == 0:
                reported = Release.objects.filter(
                    pk=release.pk, status=Release.Status.BUILDING
                ).update(progress=min(99, done * 100 // total), heartbeat_at=timezone.now())
                if not reported:
                    raise BuildAbandoned()
        changes["removed"] = len(before)
        writers.close()

    for format, split, name in names:
        sha, size = _sha256_and_size(directory / name)
        files.append({"format": format, "split": split, "name": name, "size": size, "sha256": sha})
    sha, size = _sha256_and_size(directory / MANIFEST)
    files.append(
        {"format": "manifest", "split": "all", "name": MANIFEST, "size": size, "sha256": sha}
    )
    # The head of the project's history, signed, in the card and in a checkpoint of its own.
    history = anchors.anchor_for(project, reason=f"release v{release.version}")
    anchors.checkpoint_save(history)
    card = _card(
        release,
        selection=selection,
        stats=stats,
        labels=labels,
        claim_types=claim_types,
        levels=levels,
        annotators=annotators,
        guideline_versions=guideline_versions,
        files=files,
        previous=previous,
        changes=changes,
        history=history,
        present=present,
    )
    (directory / CARD).write_bytes(orjson.dumps(card, option=orjson.OPT_INDENT_2) + b"\n")
    sha, size = _sha256_and_size(directory / CARD)
    files.append({"format": "card", "split": "all", "name": CARD, "size": size, "sha256": sha})
    return card, files


def _agreement(project: Project) -> dict[str, Any] | None:
    try:
        return project_agreement(project)
    except Exception:  # agreement is informative; it must not fail a release
        log.exception("Agreement figures for %s failed", project)
        return None


def _models(project: Project) -> list[dict[str, Any]] | None:
    """The project's live trained models and their evaluation on the held-out gold."""
    try:
        return [
            {
                "kind": model.kind,
                "version": model.version,
                "sha256": model.sha256,
                "trained_on_articles": len(model.trained_on),
                "held_out_articles": len(model.held_out),
                "evaluation": model.evaluation,
                "learning_curve": model.learning_curve,
                "live_reason": model.live_reason,
                "finished_at": model.finished_at.isoformat() if model.finished_at else None,
            }
            for model in TrainedModel.objects.live().filter(project=project).order_by("kind")
        ]
    except Exception:  # informative, as agreement: it must not fail a release
        log.exception("Model figures for %s failed", project)
        return None


def _card(
    release: Release,
    *,
    selection: Selection,
    stats: dict[str, Counter[str]],
    labels: Counter[str],
    claim_types: Counter[str],
    levels: Counter[str],
    annotators: set[str],
    guideline_versions: set[int],
    files: list[dict[str, Any]],
    previous: Release | None,
    changes: Counter[str],
    history: dict[str, Any],
    present: set[str],
) -> dict[str, Any]:
    project = release.project
    guideline = project.current_guideline()
    return {
        "project": {"slug": project.slug, "name": project.name},
        "version": release.version,
        "name": release.name,
        "created_at": release.created_at.isoformat(),
        "created_by": release.created_by.username if release.created_by else None,
        "filter": selection.as_dict(),
        "gold_only": selection.sets == GOLD,
        "split": {"seed": release.split_seed, "ratios": release.split_ratios},
        "counts": {split: dict(sorted(counter.items())) for split, counter in stats.items()},
        "totals": {
            "annotation_sets": sum(c["annotation_sets"] for c in stats.values()),
            "spans": sum(c["spans"] for c in stats.values()),
            "claims": sum(c["claims"] for c in stats.values()),
        },
        "labels": dict(sorted(labels.items())),
        "claim_types": dict(sorted(claim_types.items())),
        "threat_levels": dict(sorted(levels.items())),
        "annotators": sorted(annotators),
        "agreement": _agreement(project),
        "models": _models(project),
        "guideline_version": guideline.number if guideline else None,
        "guideline_versions_used": sorted(guideline_versions),
        "formats": release.formats,
        "format_warnings": format_warnings(release.formats, present),
        "files": [
            {key: row[key] for key in ("name", "format", "split", "size", "sha256")}
            for row in files
        ],
        "changes_since_previous": {
            "previous_version": previous.version if previous else None,
            "added": changes["added"],
            "removed": changes["removed"],
            "changed": changes["changed"],
            "unchanged": changes["unchanged"],
        },
        "history": history,
    }
