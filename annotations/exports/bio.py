"""Token-level BIO: CoNLL-2003 style text and JSONL for Hugging Face ``datasets``.

Files:

- ``.conll``: ``-DOCSTART- -X- O O`` per article, then one token per line as
  ``token -X- _ tag``, a blank line between sentences (sentences end at line breaks and after
  sentence-final punctuation, except inside a span);
- ``.jsonl``: one article per line with ``id``, ``tokens``, ``ner_tags`` (integers) and
  ``offsets`` ([[start, end], ...] in code points);
- ``.labels.json``: the tag names, in the order the integers index (a label becomes a tag by
  the rule in ``labels.py``: "military force" is "military_force", since CoNLL columns are
  split on whitespace);
- ``.report.jsonl``: every span the tags do not hold exactly as annotated, one per line with
  the article ``id``, ``annotator``, the ``span`` as annotated, the ``outcome`` (``trimmed`` or
  ``dropped``) and the ``reason``: a span with whitespace edges is trimmed to its tokens
  (``written`` holds what the tags hold), a whitespace-only span is dropped, and a span that
  overlaps another is dropped by the rule in ``tokens.py`` (``kept`` names the span that won).
"""

import bisect
import re
from collections.abc import Sequence
from typing import Any

import orjson

from annotations.exports.jsonlines import json_line
from annotations.exports.labels import label_tags
from annotations.exports.tokens import (
    DROPPED,
    REPORT_SUFFIX,
    bio_tags,
    fit_to_tokens,
    overlap_changes,
    span_cuts,
    split_overlaps,
    tokens_of,
)
from annotations.exports.writer import ExportMeta, Files, Record, Writer

SENTENCE_END = {".", "!", "?", "。", "！", "？", "؟"}
LINE_BREAK = re.compile("\n")


def tag_names(tags: dict[str, str]) -> list[str]:
    """The tag names: O, then B- and I- of each label's tag, in the labels' order."""
    names = ["O"]
    for tag in tags.values():
        names += [f"B-{tag}", f"I-{tag}"]
    return names


def tagged(
    record: Record, label_tag: dict[str, str]
) -> tuple[Sequence[tuple[int, int]], list[str], list[dict[str, Any]]]:
    """(tokens as offsets, tags, a report entry for every span trimmed or dropped)."""
    spans, changes = fit_to_tokens(record["text"], record["spans"])
    kept, dropped = split_overlaps(spans)
    tokens = tokens_of(record["text"], span_cuts(spans))
    tags = bio_tags(tokens, [span | {"label": label_tag[span["label"]]} for span in kept])
    return tokens, tags, changes + overlap_changes(dropped, kept, DROPPED)


def conll_lines(
    text: str, tokens: Sequence[tuple[int, int]], words: list[str], tags: list[str]
) -> str:
    """An article in CoNLL: a sentence ends at a line break and after sentence-final
    punctuation, except inside a span (before an I- tag)."""
    starts = [start for start, _ in tokens]
    # The tokens with a line break before them (tokens hold no whitespace, so every line
    # break is in a gap between two tokens).
    after_break = {
        bisect.bisect_right(starts, match.start()) for match in LINE_BREAK.finditer(text)
    }
    lines = ["-DOCSTART- -X- O O", ""]
    previous_word = ""
    for i, (word, tag) in enumerate(zip(words, tags, strict=True)):
        if (i in after_break or previous_word in SENTENCE_END) and tag[:2] != "I-" and lines[-1]:
            lines.append("")
        lines.append(f"{word} -X- _ {tag}")
        previous_word = word
    if lines[-1]:
        lines.append("")
    return "\n".join(lines) + "\n"


class BioWriter(Writer):
    DESCRIPTION = "Token-level BIO: CoNLL-2003 text and Hugging Face datasets JSONL"
    SUFFIXES = (".jsonl", ".conll", ".labels.json", REPORT_SUFFIX)
    COST = 13
    TOKENS = True

    def __init__(self, files: Files, meta: ExportMeta) -> None:
        self.label_tag = label_tags(meta.labels)
        names = tag_names(self.label_tag)
        self.index = {name: i for i, name in enumerate(names)}
        files[".labels.json"].write(json_line(names, option=orjson.OPT_INDENT_2))
        self.files = files

    def write(self, record: Record) -> None:
        jsonl, conll = self.files[".jsonl"], self.files[".conll"]
        report, index = self.files[REPORT_SUFFIX], self.index
        text = record["text"]
        tokens, tags, changes = tagged(record, self.label_tag)
        words = [text[start:end] for start, end in tokens]
        jsonl.write(
            json_line(
                {
                    "id": record["id"],
                    "annotator": record["annotator"],
                    "tokens": words,
                    "ner_tags": [index[tag] for tag in tags],
                    "offsets": tokens,
                }
            )
        )
        conll.write(conll_lines(text, tokens, words, tags).encode())
        for change in changes:
            line = {"id": record["id"], "annotator": record["annotator"]} | change
            report.write(json_line(line, option=orjson.OPT_SORT_KEYS))

    def close(self) -> None:
        pass
