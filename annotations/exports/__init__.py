"""Exports of a project's annotation sets in the formats training pipelines and other tools
read. Every format streams records from ``records.iter_records`` (flat memory) into files.

``export(project=..., format="native", stem=Path("out/demo"))`` writes ``out/demo.jsonl``
(a format with several files writes one per suffix: ``demo.conll``, ``demo.labels.json``...).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import ExitStack
from pathlib import Path

from annotations.exports import bio, brat, doccano, labelstudio, native, spacy_docbin, w3c
from annotations.exports.records import Selection, Vocabulary, iter_records
from annotations.models import Project

FORMATS = {
    module.NAME: module for module in (native, bio, spacy_docbin, doccano, labelstudio, w3c, brat)
}


def format_choices() -> list[tuple[str, str]]:
    return [(name, module.DESCRIPTION) for name, module in FORMATS.items()]


def file_names(format: str, stem: str) -> list[str]:
    return [stem + suffix for suffix in FORMATS[format].SUFFIXES]


def write_records(
    records: Iterable[dict], format: str, stem: Path, *, labels: list[str], project: str
) -> list[Path]:
    """Write `records` in `format` to stem + each of the format's suffixes."""
    module = FORMATS[format]
    paths = [Path(f"{stem}{suffix}") for suffix in module.SUFFIXES]
    with ExitStack() as stack:
        files = {
            suffix: stack.enter_context(open(path, "wb"))  # noqa: SIM115
            for suffix, path in zip(module.SUFFIXES, paths, strict=True)
        }
        writer = module.Writer(files, {"labels": labels, "project": project})
        for record in records:
            writer.add(record)
        writer.close()
    return paths


def export(
    *,
    project: Project,
    format: str,
    stem: Path,
    selection: Selection = Selection(),  # noqa: B008 - frozen
    progress: Callable[[int], None] | None = None,
) -> list[Path]:
    if format not in FORMATS:
        raise ValueError(f"Unknown format {format!r}; choose one of {sorted(FORMATS)}.")
    labels = Vocabulary.load(project).label_names
    records = iter_records(project, selection, progress=progress)
    return write_records(records, format, stem, labels=labels, project=project.slug)
