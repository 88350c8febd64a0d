"""Importing articles: plain text, HTML pages, JSONL, CSV, the native export and doccano JSONL,
used by the command, the pages and the API.

A file is imported whole or not at all, read as a stream so that memory stays flat however
long it is: its decoded lines (``lines.py``) go through a parser (``parsers.py``, one per
format, with ``checking.py``, the checks they share against the project's ``vocabulary.py``),
whose records are stored in batches as they come, all in one transaction (``storing.py``).
Bad input raises ``ImportRejected`` naming the file, the line and the reason, and stores
nothing.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import PurePath
from typing import IO

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from accounts.models import User
from annotations.importing.checking import RecordChecker
from annotations.importing.lines import Lines, sha256_of_stream
from annotations.importing.parsers import PARSERS
from annotations.importing.records import ImportRejected
from annotations.importing.storing import Duplicate, ImportedFile, ImportReport, NoArticles, store
from annotations.importing.vocabulary import Vocabulary
from annotations.models import Project
from annotations.text import text_problem

__all__ = [
    "FORMATS",
    "Duplicate",
    "ImportRejected",
    "ImportReport",
    "detect_format",
    "import_articles",
    "decode",
    "read_upload",
]

FORMATS = tuple(PARSERS)
EXTENSIONS = {
    ".txt": "text",
    ".text": "text",
    ".html": "html",
    ".htm": "html",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
}


def detect_format(filename: str) -> str | None:
    return EXTENSIONS.get(PurePath(filename).suffix.lower())


def import_articles(
    *,
    project: Project,
    filename: str,
    data: bytes | IO[bytes],
    format: str | None = None,
    user: User | None = None,
    annotator: User | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import every article in one file into `project`, or raise ImportRejected and store nothing.

    `data` is the file's bytes or a binary file open at its start (read as a stream: a large
    file is never held whole). `annotator` (a user) owns the annotation set that pre-annotated
    spans go into, unless a JSONL record names its own "annotator" by username. Each set created
    is recorded in the project's history with the file's name and SHA-256. `progress(bytes
    read, file size)` is called as the file is read.
    """
    format = format or detect_format(filename)
    if format not in PARSERS:
        raise ImportRejected(
            filename,
            None,
            f"cannot tell the format; name the file .txt, .html, .jsonl or .csv "
            f"or choose one of: {', '.join(FORMATS)}.",
        )
    stream = io.BytesIO(data) if isinstance(data, bytes) else data
    source = ImportedFile(filename, sha256_of_stream(stream))
    start = stream.tell()
    size = stream.seek(0, io.SEEK_END) - start
    stream.seek(start)
    lines = Lines(filename, stream)
    checker = RecordChecker(filename, Vocabulary(project), annotator, user)
    records = PARSERS[format].parse(lines, checker)
    report_progress = (lambda: progress(lines.read, size)) if progress else None
    try:
        report = store(project, source, records, user=user, progress=report_progress)
    except NoArticles:
        if lines.blank:
            raise lines.empty() from None
        raise ImportRejected(filename, None, "the file holds no articles.") from None
    if progress:
        progress(size, size)
    return report


def read_upload(upload: UploadedFile[bytes]) -> IO[bytes]:
    """An uploaded file as a binary stream at its start (on disk when it is large: Django's
    FILE_UPLOAD_MAX_MEMORY_SIZE), refusing one larger than IMPORT_UPLOAD_MAX_BYTES."""
    limit = settings.IMPORT_UPLOAD_MAX_BYTES
    name = upload.name or "upload"
    if upload.size is not None and upload.size > limit:
        raise ImportRejected(
            name,
            None,
            f"the file is {upload.size / 2**20:.1f} MiB and uploads are limited to "
            f"{limit / 2**20:.0f} MiB; split it, or import it with the import_articles command.",
        )
    stream = upload.file
    if stream is None:
        raise ImportRejected(name, None, "the upload holds no file.")
    stream.seek(0)
    return stream


def decode(filename: str, data: bytes) -> str:
    """A whole small file's text (the actor registry's) without a leading byte-order mark;
    ImportRejected if it is not UTF-8, is empty or only whitespace, or holds a character no
    text may (``text_problem``)."""
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ImportRejected(
            filename, line, f"the file is not valid UTF-8 (byte {error.start}: {error.reason})."
        ) from None
    if not text.strip():
        raise ImportRejected(filename, None, "the file is empty.")
    if text_problem(text):
        # UTF-8 decoding lets NUL through (and no lone surrogate): name its line.
        for number, text_line in enumerate(text.split("\n"), start=1):
            problem = text_problem(text_line)
            if problem:
                raise ImportRejected(filename, number, f"the line {problem}")
    return text
