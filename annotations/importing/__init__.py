"""Importing articles: plain text, HTML pages, JSONL, CSV, the native export and doccano JSONL,
used by the command, the pages and the API.

A file is imported whole or not at all. Parsing and checking come first and touch nothing
(``parsers.py``, one parser per format, and ``checking.py``, the checks they share against
the project's ``vocabulary.py``); the writes then run in one transaction (``storing.py``).
Bad input raises ``ImportRejected`` naming the file, the line and the reason.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import PurePath

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from accounts.models import User
from annotations.importing.checking import RecordChecker
from annotations.importing.parsers import PARSERS
from annotations.importing.records import ImportRejected
from annotations.importing.storing import Duplicate, ImportedFile, ImportReport, store
from annotations.importing.vocabulary import Vocabulary
from annotations.models import Project
from annotations.text import text_problem

__all__ = [
    "FORMATS",
    "Duplicate",
    "ImportRejected",
    "ImportReport",
    "decode",
    "detect_format",
    "import_articles",
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
    data: bytes,
    format: str | None = None,
    user: User | None = None,
    annotator: User | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import every article in one file into `project`, or raise ImportRejected and store nothing.

    `annotator` (a user) owns the annotation set that pre-annotated spans go into, unless a
    JSONL record names its own "annotator" by username. Each set created is recorded in the
    project's history with the file's name and SHA-256.
    """
    format = format or detect_format(filename)
    if format not in PARSERS:
        raise ImportRejected(
            filename,
            None,
            f"cannot tell the format; name the file .txt, .html, .jsonl or .csv "
            f"or choose one of: {', '.join(FORMATS)}.",
        )
    text = decode(filename, data)
    checker = RecordChecker(filename, Vocabulary(project), annotator)
    records = PARSERS[format].parse(text, checker)
    if not records:
        raise ImportRejected(filename, None, "the file holds no articles.")
    source = ImportedFile(filename, hashlib.sha256(data).hexdigest())
    return store(project, source, records, user=user, progress=progress)


def read_upload(upload: UploadedFile[bytes]) -> bytes:
    """The bytes of an uploaded file, refusing one larger than IMPORT_UPLOAD_MAX_BYTES."""
    limit = settings.IMPORT_UPLOAD_MAX_BYTES
    name = upload.name or "upload"
    if upload.size is not None and upload.size > limit:
        raise ImportRejected(
            name,
            None,
            f"the file is {upload.size / 2**20:.1f} MiB and uploads are limited to "
            f"{limit / 2**20:.0f} MiB; split it, or import it with the import_articles command.",
        )
    data: bytes = upload.read()
    return data


def decode(filename: str, data: bytes) -> str:
    """The file's text without a leading byte-order mark; ImportRejected if it is not UTF-8,
    is empty or only whitespace, or holds a character no text may (``text_problem``)."""
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ImportRejected(
            filename, line, f"the file is not valid UTF-8 (byte {error.start}: {error.reason})."
        ) from None
    if not text.strip():
        # (Invisible characters are refused per article, after its length is capped.)
        raise ImportRejected(filename, None, "the file is empty.")
    if text_problem(text):
        # UTF-8 decoding lets NUL through (and no lone surrogate): name its line.
        for number, text_line in enumerate(text.split("\n"), start=1):
            problem = text_problem(text_line)
            if problem:
                raise ImportRejected(filename, number, f"the line {problem}")
    return text
