"""The contract every export format meets: ``Writer``.

A format is a class that subclasses ``Writer`` (so the type checker holds it to the contract)
in a module of its own, registered under its name in ``annotations.exports.FORMATS``. Both
users of a writer, ``annotations.exports.export`` (the command) and the release builder, drive
it the same way, through ``annotations.exports.open_writer``:

1. one binary file is opened per suffix in ``SUFFIXES``, named stem + suffix;
2. the writer is made over those files with the export's ``ExportMeta``;
3. ``write`` is called once per record (a native record, the shape ``records.py`` documents
   and ``native.py`` lists), in the stable order ``iter_records`` gives;
4. ``close`` is called once, after the last record, to finish the files (closing brackets, a
   serialised DocBin, the end of a zip); the caller then closes the files itself.

If anything fails before ``close``, the caller throws the files away: a writer needs no
clean-up of its own. A writer writes the same bytes for the same records (no timestamps, no
random ids), so releases are reproducible.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import IO, Any, ClassVar, Protocol

from annotations.exports.records import Record

__all__ = ["ExportFailed", "ExportMeta", "ExportRefused", "Files", "Record", "Writer"]

Files = Mapping[str, IO[bytes]]  # suffix -> the open file stem + suffix


@dataclass(frozen=True)
class ExportMeta:
    """What a writer may need beyond the records."""

    project: str  # the project's slug
    labels: tuple[str, ...]  # every label name of the project, in the project's order
    threat_levels: tuple[str, ...] = ()  # the project's threat scale, lowest first
    # The project's actor registry: an entry per actor (``ActorQuerySet.registry_entries``),
    # so that a writer never reads the database itself.
    actors: tuple[dict[str, Any], ...] = ()


class ExportRefused(Exception):
    """An export this server cannot write (a format whose optional dependency is missing, labels
    a format cannot tell apart); the message says why and what to do. Nothing was written."""


class ExportFailed(Exception):
    """A writer could not write one record; the message names the format and the article."""


class Writer(Protocol):
    DESCRIPTION: ClassVar[str]
    """One line naming the format, for the release form's choices."""

    SUFFIXES: ClassVar[tuple[str, ...]]
    """The files the format writes, each stem + suffix; the first is its main file."""

    COST: ClassVar[float]
    """Roughly the microseconds of CPU the writer spends per span (measured on a 2-core
    server): only their ratios matter, to spread a release's formats evenly over processes
    (``annotations.release_processes``)."""

    TOKENS: ClassVar[bool] = False
    """Whether the writer cuts each record into tokens (``tokens.tokens_of``, which remembers
    the last few records' tokens for the next writer)."""

    unavailable: ClassVar[str | None] = None
    """Why this server cannot write the format (an optional dependency not installed), or None
    when it can. Releases refuse such a format when they are defined, exports before they
    open a file."""

    def __init__(self, files: Files, meta: ExportMeta) -> None:
        """Start the export over `files` (one per suffix); may write a header. May raise
        ExportRefused when the format cannot express this project's data."""
        ...

    def write(self, record: Record) -> None:
        """Add one record to the files."""
        ...

    def close(self) -> None:
        """Finish the files after the last record (the caller closes them)."""
        ...
