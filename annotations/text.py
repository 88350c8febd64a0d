"""Text normalisation and offsets: the one place that knows how article text is counted.

Offsets everywhere in the workbench are Unicode code points into the stored body, end
exclusive, which is what Python's ``str`` indexing counts. Browsers count UTF-16 code units:
the annotate page's script (``codePointLength`` in static/js/annotate.js) converts before it
sends, and the server checks every quote against the body.
"""

import unicodedata

from django.core.exceptions import ValidationError


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
