"""A file read as it arrives: its decoded lines, one at a time, so an import never holds the
whole file (``Lines``); and its SHA-256, read once ahead (``sha256_of_stream``)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import IO

from annotations.importing.records import ImportRejected
from annotations.text import text_problem

BLOCK = 1 << 20


def sha256_of_stream(stream: IO[bytes]) -> str:
    """The SHA-256 of everything `stream` holds from where it is; it is put back there."""
    start = stream.tell()
    digest = hashlib.sha256()
    for block in iter(lambda: stream.read(BLOCK), b""):
        digest.update(block)
    stream.seek(start)
    return digest.hexdigest()


class Lines:
    """The lines of a UTF-8 file (each with its line feed), decoded one at a time, without a
    leading byte-order mark; ImportRejected naming the line that is not UTF-8 or holds a
    character no text may (``text_problem``). ``read`` counts the bytes read so far."""

    def __init__(self, filename: str, stream: IO[bytes]):
        self.filename, self.stream = filename, stream
        self.blank = True  # only whitespace so far
        self.read = 0
        self._iterated = False

    def __iter__(self) -> Iterator[str]:
        if self._iterated:
            raise RuntimeError("a file's lines are read once")
        self._iterated = True
        for number, raw in enumerate(self.stream, start=1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                raise ImportRejected(
                    self.filename,
                    number,
                    f"the file is not valid UTF-8 (byte {self.read + error.start}: "
                    f"{error.reason}).",
                ) from None
            self.read += len(raw)
            if number == 1:
                line = line.removeprefix("\ufeff")
            problem = text_problem(line)
            if problem:
                raise ImportRejected(self.filename, number, f"the line {problem}")
            if self.blank and not line.isspace() and line:
                self.blank = False
            yield line

    def whole(self) -> str:
        """The whole file as one text, for formats whose file is one article (plain text,
        HTML); ImportRejected if it is empty or only whitespace."""
        text = "".join(self)
        if self.blank:
            raise self.empty()
        return text

    def empty(self) -> ImportRejected:
        return ImportRejected(self.filename, None, "the file is empty.")
