"""Text normalisation and offsets: the one place that knows how article text is counted.

Offsets everywhere in the workbench are Unicode code points into the stored body, end
exclusive, which is what Python's ``str`` indexing counts. Browsers count UTF-16 code units:
the annotate page's script (``codePointLength`` in static/js/annotate.js) converts before it
sends, and the server checks every quote against the body.
"""

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.datastructures import MultiValueDict


def normalise_text(text: str) -> str:
    """The body as stored: no byte-order mark, LF line ends, Unicode NFC. Nothing else changes."""
    text = text.removeprefix("\ufeff")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def normalised_offset(raw: str, offset: int, body: str) -> int:
    """`offset` into `raw` moved onto `body` (`normalise_text(raw)`), or ValidationError when
    it falls inside characters that normalisation joins into one (a letter and its combining
    accent composed by NFC, CR and LF folded): such an offset has no place in `body`, and
    moving it to either side would silently widen or narrow the span."""
    before = normalise_text(raw[:offset])
    after = raw[offset:].replace("\r\n", "\n").replace("\r", "\n")  # a BOM here is no prefix
    if before + unicodedata.normalize("NFC", after if offset else normalise_text(after)) != body:
        joined = raw[max(0, offset - 1) : offset + 1]
        raise ValidationError(
            f"offset {offset} falls inside {joined!r}, which becomes one character "
            f"{normalise_text(joined)!r} in the normalised text; give the span's 'quote' to "
            "confirm the span, or offsets outside that character."
        )
    return len(before)


def check_span_offsets(body: str, start, end, quote: str | None) -> None:
    """Raise ValidationError unless 0 <= start < end <= len(body) and quote == body[start:end].

    A quote of None is not checked (the caller takes body[start:end] as the quote).
    """
    if (
        not (isinstance(start, int) and isinstance(end, int))
        or isinstance(start, bool)
        or isinstance(end, bool)
    ):
        raise ValidationError(f"start and end must be whole numbers, not {start!r} and {end!r}.")
    if start < 0:
        raise ValidationError(f"start {start} is negative.")
    if start >= end:
        raise ValidationError(f"start {start} must be before end {end}.")
    if end > len(body):
        raise ValidationError(
            f"end {end} is beyond the text, which is {len(body)} characters long."
        )
    if quote is not None and quote != body[start:end]:
        raise ValidationError(
            f"The quote {quote!r} does not match the text at {start}-{end}, "
            f"which is {body[start:end]!r}."
        )


# What the database cannot hold: NUL (PostgreSQL refuses it in text; SQLite would store it and
# cut strings short in other tools) and lone surrogates (halves of a UTF-16 pair, which JSON's
# "\ud800" escape can produce; no database stores them, as they are not characters).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def text_problem(text: str) -> str | None:
    """Why `text` cannot be stored, as the end of a sentence naming it; None when it can.

    The one rule for every text that enters the workbench: the importer checks every string of
    every file with it, the API every string of every request body, and the pages every form
    field and query-string value (annotations.middleware).
    """
    found = _UNSTORABLE.search(text)
    if found is None:
        return None
    character, position = found.group(), found.start()
    if character == "\x00":
        return (
            f"contains a NUL character (U+0000) at position {position}, "
            "which cannot be stored; remove it."
        )
    return (
        f"contains a lone surrogate (U+{ord(character):04X}) at position {position}, which is "
        "half of a UTF-16 pair and not a character; send the whole character."
    )


_NOT_SPACE = re.compile(r"\S")


def is_blank(text: str) -> bool:
    """True when `text` holds nothing to read: only whitespace, control characters and format
    characters (a byte-order mark, zero-width spaces, direction marks)."""
    return all(
        unicodedata.category(found.group()) in {"Cc", "Cf"} for found in _NOT_SPACE.finditer(text)
    )


def fields_problem(fields: Iterable[tuple[str, list[str]]], kind: str = "field") -> str | None:
    """Why a form's or a query string's fields (name, values) cannot be taken, naming the
    field (`kind` says what it is: "form field", "query-string parameter"); None when they can."""
    for name, values in fields:
        problem = text_problem(name)
        if problem:
            return f"The name of a {kind} {problem}"
        for value in values:
            problem = text_problem(value)
            if problem:
                return f"The {kind} {name!r} {problem}"
    return None


def file_names_problem(files: MultiValueDict[str, Any]) -> str | None:
    """Why the names of uploaded files (a request's FILES) cannot be taken; None when they can."""
    for _, uploads in files.lists():
        for upload in uploads:
            problem = text_problem(getattr(upload, "name", None) or "")
            if problem:
                return f"The name of an uploaded file {problem}"
    return None


def shown(value: object, most: int = 60) -> str:
    """A value someone sent, quoted for a message about it and cut to `most` characters, so a
    refusal of a 5,000-character label stays a readable line."""
    text = repr(value)
    return text if len(text) <= most else text[: most - 1] + "…"
