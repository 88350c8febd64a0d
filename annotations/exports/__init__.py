"""Exports of a project's annotation sets in the formats training pipelines and other tools
read. Every format streams records from ``records.iter_records`` (flat memory) into files.

Each format is a ``Writer`` (the contract is in ``writer.py``) in a module of its own, and
``FORMATS`` below is the one list of format names that the release form, the API, releases
and the export command offer. A new format is one module and one line in ``FORMATS``.

``export(project=..., format="native", stem=Path("out/demo"))`` writes ``out/demo.jsonl``
(a format with several files writes one per suffix: ``demo.conll``, ``demo.labels.json``...).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

from annotations.exports.bio import BioWriter
from annotations.exports.brat import BratWriter
from annotations.exports.doccano import DoccanoWriter
from annotations.exports.labelstudio import LabelStudioWriter
from annotations.exports.misp import MispWriter
from annotations.exports.native import NativeWriter
from annotations.exports.records import Record, Selection, Vocabulary, iter_records
from annotations.exports.spacy_docbin import SpacyWriter
from annotations.exports.stix import StixWriter
from annotations.exports.w3c import W3CWriter
from annotations.exports.writer import ExportFailed, ExportMeta, ExportRefused, Writer
from annotations.models import Actor, Project

__all__ = [
    "FORMATS",
    "ExportFailed",
    "ExportMeta",
    "ExportRefused",
    "Writer",
    "export",
    "export_meta",
    "open_writer",
    "writer_paths",
    "write_record",
]

FORMATS: dict[str, type[Writer]] = {
    "native": NativeWriter,
    "bio": BioWriter,
    "spacy": SpacyWriter,
    "doccano": DoccanoWriter,
    "labelstudio": LabelStudioWriter,
    "w3c": W3CWriter,
    "brat": BratWriter,
    "stix": StixWriter,
    "misp": MispWriter,
}


def writer_paths(format: str, stem: str | Path) -> list[Path]:
    """The files an export in `format` writes: stem + each of its suffixes."""
    return [Path(f"{stem}{suffix}") for suffix in FORMATS[format].SUFFIXES]


def open_writer(
    stack: ExitStack, format: str, stem: str | Path, meta: ExportMeta
) -> tuple[Writer, list[Path]]:
    """A writer of `format` over newly opened files stem + each of its suffixes (closed with
    `stack`), and those files' paths. Raises ExportRefused if this server cannot write the
    format, before opening anything."""
    writer_type = FORMATS[format]
    if writer_type.unavailable:
        raise ExportRefused(writer_type.unavailable)
    paths = writer_paths(format, stem)
    files = {
        suffix: stack.enter_context(open(path, "wb"))  # noqa: SIM115 - closed by the stack
        for suffix, path in zip(writer_type.SUFFIXES, paths, strict=True)
    }
    return writer_type(files, meta), paths


def export_meta(project: Project) -> ExportMeta:
    """What the writers of an export of `project` are told beside the records."""
    vocabulary = Vocabulary.load(project)
    return ExportMeta(
        project=project.slug,
        labels=tuple(vocabulary.label_names),
        threat_levels=vocabulary.threat_scale(),
        actors=tuple(Actor.objects.filter(project=project).registry_entries()),
    )


def write_record(writer: Writer, format: str, record: Record) -> None:
    """`writer.write(record)`, or ExportFailed naming the format, the article and the set
    when the record cannot be written (a disk's OSError passes as it is)."""
    try:
        writer.write(record)
    except OSError:
        raise
    except Exception as error:
        who = f"{record['annotator']}'s set" if record["annotator"] else "the gold set"
        raise ExportFailed(
            f"The {format} export failed on article {record['id']} ({record['title']!r}), "
            f"{who}: {error}"
        ) from error


def export(
    *,
    project: Project,
    format: str,
    stem: Path,
    selection: Selection = Selection(),  # noqa: B008 - frozen
    progress: Callable[[int], None] | None = None,
) -> list[Path]:
    """Write the selected annotation sets of `project` in `format` to stem + each suffix; the
    paths written. Raises ExportRefused (nothing written) if the format cannot be written."""
    if format not in FORMATS:
        raise ValueError(f"Unknown format {format!r}; choose one of {sorted(FORMATS)}.")
    with ExitStack() as stack:
        writer, paths = open_writer(stack, format, stem, export_meta(project))
        for record in iter_records(project, selection, progress=progress):
            write_record(writer, format, record)
        writer.close()
    return paths
