"""brat standoff: a zip of ``<id>.txt`` (the text) and ``<id>.ann`` per annotation set.

Text-bound annotations ``T<n>\\t<type> <start> <end>\\t<quote>``, the type made from the
label by the rule in ``labels.py`` (brat types cannot hold spaces). brat reads an ``.ann`` file
line by line with Python's ``splitlines`` rules, so no line may hold a line break of any kind
(``\n``, ``\r``, U+2028, U+2029, U+0085, ...): a span holding one is written as brat's
discontinuous fragments (``start end;start end``) split at the line breaks. Line breaks inside
the span fall between fragments; those at its edges become fragments of their own, so the first
fragment starts and the last ends exactly where the span does. The text field joins the
fragments' texts with a space, as brat does, with every line break written as a space.
Linked actors and notes are ``#<n>\\tAnnotatorNotes T<n>\\t...`` lines. Offsets are Unicode
code points. Entries carry a fixed date so the same data gives the same zip bytes.
"""

import zipfile

from annotations.exports.labels import label_tags
from annotations.exports.writer import ExportMeta, Files, Record, Writer

FIXED_DATE = (1980, 1, 1, 0, 0, 0)


# The characters str.splitlines() ends a line at: brat's reader splits its lines there.
LINE_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")


def fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The span cut at line breaks: runs without a line break, plus the runs of line breaks at
    the span's edges, so the fragments start and end where the span does."""
    pieces: list[tuple[int, int]] = []
    piece_start = start
    for offset in range(start, end + 1):
        if offset < end and (text[offset] in LINE_BREAKS) == (text[piece_start] in LINE_BREAKS):
            continue
        inner_breaks = text[piece_start] in LINE_BREAKS and start < piece_start and offset < end
        if not inner_breaks:
            pieces.append((piece_start, offset))
        piece_start = offset
    return pieces


def text_field(text: str, pieces: list[tuple[int, int]]) -> str:
    """The fragments' texts joined with a space, line breaks written as spaces."""
    joined = " ".join(text[s:e] for s, e in pieces)
    return "".join(" " if ch in LINE_BREAKS else ch for ch in joined)


def ann_lines(record: Record, label_tag: dict[str, str]) -> list[str]:
    text = record["text"]
    lines, note_number = [], 0
    for number, span in enumerate(record["spans"], start=1):
        pieces = fragments(text, span["start"], span["end"])
        where = ";".join(f"{s} {e}" for s, e in pieces)
        quote = text_field(text, pieces)
        lines.append(f"T{number}\t{label_tag[span['label']]} {where}\t{quote}")
        notes = []
        if span["actor"]:
            notes.append(f"actor: {span['actor']['name']}")
        if span["note"]:
            notes.append(span["note"])
        if notes:
            note_number += 1
            note = " | ".join(notes).replace("\n", " ").replace("\t", " ")
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
