"""spaCy ``.spacy`` DocBin: ``doc.spans["sc"]`` holds every span (overlaps included),
``doc.ents`` the non-overlapping ones by the rule in ``tokens.py``, each with its label and, for
a span linked to an actor, the actor's external id (a Wikidata QID, say) as ``ent.kb_id_``.
Needs spaCy, the optional ``spacy`` extra: without it the format says so
(``SpacyWriter.unavailable``). Tokens are those of ``tokens.py`` plus whitespace tokens, so each
Doc's text is exactly the article's text and every span is a run of whole tokens; a span with
whitespace edges is trimmed to its tokens and a whitespace-only span left out, and each such
change, like each span left out of ``doc.ents`` for an overlap, is a line of ``.report.jsonl``.
Each Doc's ``user_data`` holds the article id and annotator. A DocBin is one serialised object,
so docs are gathered in memory until the file is written (compact token arrays, about the size
of the output).
"""

import struct
from collections.abc import Sequence, Set
from importlib.util import find_spec
from typing import Any

import orjson

from annotations.exports.jsonlines import json_line
from annotations.exports.tokens import (
    REPORT_SUFFIX,
    Span,
    fit_to_tokens,
    overlap_changes,
    span_cuts,
    split_overlaps,
    tokens_of,
)
from annotations.exports.writer import ExportMeta, Files, Record, Writer

SPANS_KEY = "sc"
# A span in a serialised SpanGroup: id, kb_id, label, start, end, start_char, end_char.
SPAN_STRUCT = struct.Struct(">QQQllll")
# What the DocBin keeps of each token beside its text: the entities (doc.ents).
DOC_ATTRS = ["ENT_IOB", "ENT_TYPE", "ENT_KB_ID"]


def words_and_spaces(
    text: str, tokens: Sequence[tuple[int, int]], cuts: Set[int]
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
        if start == position + 1 and words and text[position] == " ":
            spaces[-1] = True  # the common gap, one space: the last token's trailing space
        elif start != position:
            gap(position, start)
        words.append(text[start:end])
        spaces.append(False)
        position = end
    gap(position, len(text))
    return words, spaces


class SpacyWriter(Writer):
    DESCRIPTION = "spaCy DocBin (doc.spans keeps overlaps, doc.ents the non-overlapping ones)"
    SUFFIXES = (".spacy", REPORT_SUFFIX)
    COST = 25
    unavailable = (
        None
        if find_spec("spacy")
        else "The spaCy format needs spaCy, which this server does not have: "
        "pip install 'workbench[spacy]'."
    )

    def __init__(self, files: Files, meta: ExportMeta) -> None:
        # Imported here, not at the top: spaCy is optional, and it takes ~1.5 s to import,
        # which every process that imports the exports would pay for.
        import numpy
        import spacy
        import srsly
        from spacy.attrs import SPACY
        from spacy.tokens import Doc, DocBin

        self.doc_type = Doc
        self.out = files[".spacy"]
        self.report = files[REPORT_SUFFIX]
        self.vocab = spacy.blank("xx").vocab
        self.docbin = DocBin(attrs=DOC_ATTRS, store_user_data=True)
        self.spacy_attr = SPACY
        self.as_array = numpy.asarray
        # One packer for the whole export, not one per call as srsly.msgpack_dumps makes (each
        # looks up srsly's encoders in the installed packages' entry points): the same bytes.
        self.packer = srsly.msgpack.Packer(use_bin_type=True)

    def write(self, record: Record) -> None:
        text = record["text"]
        spans, changes = fit_to_tokens(text, record["spans"])
        cuts = span_cuts(spans)
        words, spaces = words_and_spaces(text, tokens_of(text, cuts), cuts)
        doc = self.doc_type(self.vocab, words=words, spaces=spaces)
        if doc.text != text:
            raise ValueError("the tokens do not rebuild the text.")

        def to_span(span: Span) -> Any:  # a spacy.tokens.Span
            actor = span["actor"] or {}
            made = doc.char_span(
                span["start"], span["end"], label=span["label"], kb_id=actor.get("external_id", "")
            )
            if made is None:
                raise ValueError(
                    f"the span {span['start']}-{span['end']} ({span['quote']!r}) is not a run "
                    "of whole tokens."
                )
            return made

        made = [to_span(span) for span in spans]
        kept, dropped = split_overlaps(spans)
        made_of = {id(span): spacy_span for span, spacy_span in zip(spans, made, strict=True)}
        doc.ents = [made_of[id(span)] for span in kept]
        self._add(doc, words, spans, made, record)
        changes += overlap_changes(dropped, kept, "left out of doc.ents")
        for change in changes:
            line = {"id": record["id"], "annotator": record["annotator"]} | change
            self.report.write(json_line(line, option=orjson.OPT_SORT_KEYS))

    def _add(
        self, doc: Any, words: list[str], spans: list[Span], made: list[Any], record: Record
    ) -> None:
        """What ``DocBin.add`` stores of `doc` with `made` as ``doc.spans["sc"]`` and the
        record's id and annotator as its ``user_data``, in the same bytes, for a Doc made
        here: its strings are the words, the labels and the actors' ids (``DocBin.add`` also
        stores each token's norm, tag, lemma, morphology and dependency, which a blank Doc's
        arrays never refer to, and serialises through srsly, which looks up its encoders in
        every installed package's entry points at each call: together most of the time)."""
        docbin, pack = self.docbin, self.packer.pack
        docbin.tokens.append(doc.to_array(docbin.attrs))
        spaces = doc.to_array(self.spacy_attr).reshape((len(words), 1))
        docbin.spaces.append(self.as_array(spaces, dtype=bool))
        docbin.flags.append({"has_unknown_spaces": doc.has_unknown_spaces})
        docbin.cats.append(doc.cats)
        docbin.user_data.append(pack({"id": record["id"], "annotator": record["annotator"]}))
        # SpanGroup.to_bytes, as spaCy 3 writes it (tests compare the two).
        group = {
            "name": SPANS_KEY,
            "attrs": {},
            "spans": [
                SPAN_STRUCT.pack(s.id, s.kb_id, s.label, s.start, s.end, s.start_char, s.end_char)
                for s in made
            ],
        }
        docbin.span_groups.append(pack({pack(group): [SPANS_KEY]}))
        strings = docbin.strings
        strings.update(words)
        for span in spans:
            strings.add(span["label"])
            actor = span["actor"]
            if actor and actor.get("external_id"):
                strings.add(actor["external_id"])

    def close(self) -> None:
        self.out.write(self.docbin.to_bytes())
