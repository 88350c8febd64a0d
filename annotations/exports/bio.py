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
- ``.overlaps.jsonl``: each span left out because it overlapped another, with the span that
  won (the rule is in ``tokens.py``).
"""

import orjson

from annotations.exports.labels import label_tags
from annotations.exports.tokens import Span, bio_tags, span_cuts, split_overlaps, tokenize
from annotations.exports.writer import ExportMeta, Files, Record, Writer

SENTENCE_END = {".", "!", "?", "。", "！", "？", "؟"}


def tag_names(tags: dict[str, str]) -> list[str]:
    """The tag names: O, then B- and I- of each label's tag, in the labels' order."""
    names = ["O"]
    for tag in tags.values():
        names += [f"B-{tag}", f"I-{tag}"]
    return names


def tagged(
    record: Record, label_tag: dict[str, str]
) -> tuple[list[tuple[int, int]], list[str], list[tuple[Span, Span]]]:
    """(tokens as offsets, tags, dropped spans with the span that beat each)."""
    kept, dropped = split_overlaps(record["spans"])
    tokens = tokenize(record["text"], span_cuts(record["spans"]))
    tags = bio_tags(tokens, [span | {"label": label_tag[span["label"]]} for span in kept])
    losers = []
    for span in dropped:
        winner = next(k for k in kept if k["start"] < span["end"] and span["start"] < k["end"])
        losers.append((span, winner))
    return tokens, tags, losers


class BioWriter(Writer):
    DESCRIPTION = "Token-level BIO: CoNLL-2003 text and Hugging Face datasets JSONL"
    SUFFIXES = (".jsonl", ".conll", ".labels.json", ".overlaps.jsonl")

    def __init__(self, files: Files, meta: ExportMeta) -> None:
        self.label_tag = label_tags(meta.labels)
        names = tag_names(self.label_tag)
        self.index = {name: i for i, name in enumerate(names)}
        files[".labels.json"].write(orjson.dumps(names, option=orjson.OPT_INDENT_2) + b"\n")
        self.files = files

    def write(self, record: Record) -> None:
        jsonl, conll = self.files[".jsonl"], self.files[".conll"]
        overlaps, index = self.files[".overlaps.jsonl"], self.index
        text = record["text"]
        tokens, tags, losers = tagged(record, self.label_tag)
        words = [text[start:end] for start, end in tokens]
        jsonl.write(
            orjson.dumps(
                {
                    "id": record["id"],
                    "annotator": record["annotator"],
                    "tokens": words,
                    "ner_tags": [index[tag] for tag in tags],
                    "offsets": [list(token) for token in tokens],
                }
            )
            + b"\n"
        )
        lines = ["-DOCSTART- -X- O O", ""]
        previous_end, previous_word = 0, ""
        for (start, end), word, tag in zip(tokens, words, tags, strict=True):
            boundary = "\n" in text[previous_end:start] or previous_word in SENTENCE_END
            if boundary and not tag.startswith("I-") and lines[-1] != "":
                lines.append("")
            lines.append(f"{word} -X- _ {tag}")
            previous_end, previous_word = end, word
        if lines[-1] != "":
            lines.append("")
        conll.write(("\n".join(lines) + "\n").encode())
        for span, winner in losers:
            overlaps.write(
                orjson.dumps(
                    {
                        "id": record["id"],
                        "annotator": record["annotator"],
                        "dropped": {k: span[k] for k in ("start", "end", "quote", "label")},
                        "kept": {k: winner[k] for k in ("start", "end", "quote", "label")},
                        "rule": "earliest start, then longest, then label name",
                    },
                    option=orjson.OPT_SORT_KEYS,
                )
                + b"\n"
            )

    def close(self) -> None:
        pass
