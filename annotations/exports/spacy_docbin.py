"""spaCy ``.spacy`` DocBin: ``doc.spans["sc"]`` holds every span (overlaps included),
``doc.ents`` the non-overlapping ones by the rule in ``tokens.py``. Needs spaCy, the optional
``spacy`` extra: without it the format says so (``SpacyWriter.unavailable``). Tokens are those
of ``tokens.py`` plus whitespace tokens, so each Doc's text is exactly the article's text and
every span is a run of whole tokens. Each Doc's ``user_data`` holds the article id and
annotator. A DocBin is one serialised object, so docs are gathered in memory until the file is
written (compact token arrays, about the size of the output).
"""

from collections.abc import Set
from importlib.util import find_spec
from typing import Any

from annotations.exports.tokens import Span, span_cuts, split_overlaps, tokenize
from annotations.exports.writer import ExportMeta, Files, Record, Writer

SPANS_KEY = "sc"


def words_and_spaces(
    text: str, tokens: list[tuple[int, int]], cuts: Set[int]
) -> tuple[list[str], list[bool]]:
    """spaCy words and trailing-space flags whose Doc text is exactly `text`: a single space
    after a token is its trailing space; other whitespace becomes whitespace tokens (cut at
    span edges too), as spaCy's own tokenizer does."""
    words: list[str] = []
    spaces: list[bool] = []

    def gap(start: int, end: int) -> None:
        if start < end and words and text[start] == " " and not spaces[-1]:
            spaces[-1] = True
            start += 1
        piece_start = start
        for offset in range(start + 1, end + 1):
            if offset == end or offset in cuts:
                if piece_start < offset:
                    words.append(text[piece_start:offset])
                    spaces.append(False)
                piece_start = offset

    position = 0
    for start, end in tokens:
        gap(position, start)
        words.append(text[start:end])
        spaces.append(False)
        position = end
    gap(position, len(text))
    return words, spaces


class SpacyWriter(Writer):
    DESCRIPTION = "spaCy DocBin (doc.spans keeps overlaps, doc.ents the non-overlapping ones)"
    SUFFIXES = (".spacy",)
    unavailable = (
        None
        if find_spec("spacy")
        else "The spaCy format needs spaCy, which this server does not have: "
        "pip install 'workbench[spacy]'."
    )

    def __init__(self, files: Files, meta: ExportMeta) -> None:
        # Imported here, not at the top: spaCy is optional, and it takes ~1.5 s to import,
        # which every process that imports the exports would pay for.
        import spacy
        from spacy.tokens import Doc, DocBin

        self.doc_type = Doc
        self.out = files[".spacy"]
        self.vocab = spacy.blank("xx").vocab
        self.docbin = DocBin(attrs=[], store_user_data=True)

    def write(self, record: Record) -> None:
        text = record["text"]
        cuts = span_cuts(record["spans"])
        words, spaces = words_and_spaces(text, tokenize(text, cuts), cuts)
        doc = self.doc_type(self.vocab, words=words, spaces=spaces)
        if doc.text != text:
            raise ValueError(f"Article {record['id']}: the tokens do not rebuild the text.")

        def to_span(span: Span) -> Any:  # a spacy.tokens.Span
            return doc.char_span(span["start"], span["end"], label=span["label"])

        doc.spans[SPANS_KEY] = [to_span(span) for span in record["spans"]]
        kept, _ = split_overlaps(record["spans"])
        doc.ents = [to_span(span) for span in kept]
        doc.user_data["id"] = record["id"]
        doc.user_data["annotator"] = record["annotator"]
        self.docbin.add(doc)

    def close(self) -> None:
        self.out.write(self.docbin.to_bytes())
