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
# A token's ENT_IOB: inside an entity, outside every one, or an entity's first token.
INSIDE, OUTSIDE, BEGIN = 1, 2, 3


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
    COST = 20
    TOKENS = True
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
        import srsly
        from spacy.strings import get_string_id
        from spacy.tokens import DocBin

        self.out = files[".spacy"]
        self.report = files[REPORT_SUFFIX]
        self.docbin = DocBin(attrs=DOC_ATTRS, store_user_data=True)
        self.numpy = numpy
        self.string_id = get_string_id
        # One packer for the whole export, not one per call as srsly.msgpack_dumps makes (each
        # looks up srsly's encoders in the installed packages' entry points): the same bytes.
        self.packer = srsly.msgpack.Packer(use_bin_type=True)

    def write(self, record: Record) -> None:
        text = record["text"]
        spans, changes = fit_to_tokens(text, record["spans"])
        cuts = span_cuts(spans)
        words, spaces = words_and_spaces(text, tokens_of(text, cuts), cuts)
        kept, dropped = split_overlaps(spans)
        self._add(text, words, spaces, spans, kept, record)
        changes += overlap_changes(dropped, kept, "left out of doc.ents")
        for change in changes:
            line = {"id": record["id"], "annotator": record["annotator"]} | change
            self.report.write(json_line(line, option=orjson.OPT_SORT_KEYS))

    def _add(
        self,
        text: str,
        words: list[str],
        spaces: list[bool],
        spans: list[Span],
        kept: list[Span],
        record: Record,
    ) -> None:
        """Add what ``DocBin.add`` stores of the Doc of `words` and `spaces` with `spans` as
        ``doc.spans["sc"]``, the `kept` ones as ``doc.ents`` and the record's id and annotator
        as its ``user_data``, in the same bytes, without making the Doc: its token arrays
        (the entities' IOB, label and actor id), trailing spaces, span group and strings
        (the words, the labels and the actors' ids; ``DocBin.add`` also stores each token's
        norm, tag, lemma, morphology and dependency, which a blank Doc never refers to).
        Making the Doc and going through ``DocBin.add`` was most of the export's time; tests
        compare the two."""
        numpy, string_id, pack, docbin = self.numpy, self.string_id, self.packer.pack, self.docbin
        start_of: dict[int, int] = {}  # a token's first character -> the token's index
        end_of: dict[int, int] = {}  # the character after a token -> the index after it
        position = 0
        for index, (word, space) in enumerate(zip(words, spaces, strict=True)):
            start_of[position] = index
            position += len(word)
            end_of[position] = index + 1
            position += space
        if position != len(text):
            raise ValueError("the tokens do not rebuild the text.")

        def tokens(span: Span) -> tuple[int, int, int, int]:
            """(first token, token after, label's id, actor's external id's id)."""
            first, after = start_of.get(span["start"]), end_of.get(span["end"])
            if first is None or after is None:
                raise ValueError(
                    f"the span {span['start']}-{span['end']} ({span['quote']!r}) is not a run "
                    "of whole tokens."
                )
            actor = span["actor"] or {}
            return first, after, string_id(span["label"]), string_id(actor.get("external_id", ""))

        group = [tokens(span) for span in spans]
        # The columns of docbin.attrs: ORTH (DocBin puts the text first), then DOC_ATTRS.
        array = numpy.zeros((len(words), 1 + len(DOC_ATTRS)), dtype=numpy.uint64)
        array[:, 0] = numpy.fromiter(map(string_id, words), numpy.uint64, len(words))
        array[:, 1] = OUTSIDE
        group_of = {id(span): made for span, made in zip(spans, group, strict=True)}
        for first, after, label, actor in (group_of[id(span)] for span in kept):
            array[first, 1] = BEGIN
            array[first + 1 : after, 1] = INSIDE
            array[first:after, 2] = label
            array[first:after, 3] = actor
        docbin.tokens.append(array)
        docbin.spaces.append(numpy.array(spaces, dtype=bool).reshape((len(words), 1)))
        docbin.flags.append({"has_unknown_spaces": False})
        docbin.cats.append({})
        docbin.user_data.append(pack({"id": record["id"], "annotator": record["annotator"]}))
        # SpanGroup.to_bytes, as spaCy 3 writes it (a span's own id is 0: none is given).
        packed = [
            SPAN_STRUCT.pack(0, actor, label, first, after, span["start"], span["end"])
            for span, (first, after, label, actor) in zip(spans, group, strict=True)
        ]
        docbin.span_groups.append(
            pack({pack({"name": SPANS_KEY, "attrs": {}, "spans": packed}): [SPANS_KEY]})
        )
        strings = docbin.strings
        strings.update(words)
        for span in spans:
            strings.add(span["label"])
            actor = span["actor"]
            if actor and actor.get("external_id"):
                strings.add(actor["external_id"])

    def close(self) -> None:
        self.out.write(self.docbin.to_bytes())
