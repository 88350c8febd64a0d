"""brat standoff: a zip of ``<id>.txt`` (the text) and ``<id>.ann`` per annotation set.

Text-bound annotations ``T<n>\\t<type> <start> <end>\\t<quote>``, the type made from the
label by the rule in ``labels.py`` (brat types cannot hold spaces); a span across a line break
is written as brat's discontinuous fragments (``start end;start end``) around the line breaks.
Linked actors and notes are ``#<n>\\tAnnotatorNotes T<n>\\t...`` lines. Offsets are Unicode
code points. Entries carry a fixed date so the same data gives the same zip bytes.

"Line break" means every character that ends a line for ``str.splitlines`` (and so for any
reader that splits as Python does), not only LF: CR, VT, FF, the file, group and record
separators, NEL, and U+2028 and U+2029. Quotes are cut around each of them, and notes have each
of them replaced by a space, so that no text written on an .ann line can break it.
"""

import zipfile

from annotations.exports.labels import label_tags
from annotations.exports.writer import ExportMeta, Files, Record, Writer

FIXED_DATE = (1980, 1, 1, 0, 0, 0)
LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")  # those of str.splitlines


def one_line(text: str) -> str:
    """`text` with every line break and tab made a space: safe as the last field of a line."""
    return "".join(" " if c in LINE_BREAKS or c == "\t" else c for c in text)


def fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The span cut around line breaks (brat's text field cannot hold one)."""
    pieces, piece_start = [], start
    for offset in range(start, end):
        if text[offset] in LINE_BREAKS:
            if piece_start < offset:
                pieces.append((piece_start, offset))
            piece_start = offset + 1
    if piece_start < end:
        pieces.append((piece_start, end))
    return pieces or [(start, end)]


def ann_lines(record: Record, label_tag: dict[str, str]) -> list[str]:
    text = record["text"]
    lines, note_number = [], 0
    for number, span in enumerate(record["spans"], start=1):
        pieces = fragments(text, span["start"], span["end"])
        where = ";".join(f"{s} {e}" for s, e in pieces)
        quote = " ".join(text[s:e] for s, e in pieces)
        lines.append(f"T{number}\t{label_tag[span['label']]} {where}\t{quote}")
        notes = []
        if span["actor"]:
            notes.append(f"actor: {span['actor']['name']}")
        if span["note"]:
            notes.append(span["note"])
        if notes:
            note_number += 1
            note = one_line(" | ".join(notes))
            lines.append(f"#{note_number}\tAnnotatorNotes T{number}\t{note}")
    return lines


class BratWriter(Writer):
    DESCRIPTION = "brat standoff (.txt + .ann per article, zipped)"
    SUFFIXES = (".zip",)

    def __init__(self, files: Files, meta: ExportMeta) -> None:
        self.label_tag = label_tags(meta.labels)
        self.archive = zipfile.ZipFile(files[".zip"], "w", compression=zipfile.ZIP_DEFLATED)

    def write(self, record: Record) -> None:
        stem = record["id"] + (f"-{record['annotator']}" if record["annotator"] else "")
        for name, content in (
            (f"{stem}.txt", record["text"]),
            (f"{stem}.ann", "\n".join(ann_lines(record, self.label_tag)) + "\n"),
        ):
            info = zipfile.ZipInfo(name, date_time=FIXED_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            self.archive.writestr(info, content.encode())

    def close(self) -> None:
        self.archive.close()
