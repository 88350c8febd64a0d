"""Text normalisation and offsets: the one place that knows how article text is counted.

Offsets everywhere in the workbench are Unicode code points into the stored body, end
exclusive, which is what Python's ``str`` indexing counts. Browsers count UTF-16 code units;
``utf16_to_codepoint`` and ``codepoint_to_utf16`` convert between the two.
"""

import unicodedata

from django.core.exceptions import ValidationError


def normalise_text(text: str) -> str:
    """The body as stored: no byte-order mark, LF line ends, Unicode NFC. Nothing else changes."""
    text = text.removeprefix("\ufeff")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def codepoint_to_utf16(text: str, offset: int) -> int:
    """The UTF-16 offset of code point `offset` in `text`."""
    return offset + sum(1 for ch in text[:offset] if ord(ch) > 0xFFFF)


def utf16_to_codepoint(text: str, offset: int) -> int:
    """The code point offset of UTF-16 offset `offset`; ValueError inside a surrogate pair."""
    units = 0
    for index, ch in enumerate(text):
        if units == offset:
            return index
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > offset:
            raise ValueError(f"UTF-16 offset {offset} falls inside a surrogate pair.")
    if units == offset:
        return len(text)
    raise ValueError(f"UTF-16 offset {offset} is beyond the text.")


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
